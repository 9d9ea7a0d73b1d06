// A queue kept in order: a push goes to the back and moves forward only past the items
// it must precede, a pop takes the front. Where pushes come mostly in order (completion
// times of a lane, a memory whose latency varies a little) both are O(1) and a push out
// of order costs the places it moves, where a binary heap pays log2(n) compares and
// moves on every push and pop. Equal items keep their push order (a push stops behind
// an item it does not strictly precede). A power-of-two vector that doubles when full:
// no allocation once it has held the most items it ever holds.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

namespace sim {

template <class E, class Less = std::less<E>>
class SortedRing {
public:
    bool empty() const { return count_ == 0; }
    size_t size() const { return count_; }
    const E& front() const { return buf_[head_]; }
    // The i-th item in order (front() is the 0th).
    const E& operator[](size_t i) const { return buf_[(head_ + i) & (buf_.size() - 1)]; }
    void push(const E& e) {
        if (count_ == buf_.size()) grow();
        size_t i = count_++;
        for (; i > 0 && Less()(e, at(i - 1)); --i) at(i) = at(i - 1);
        at(i) = e;
    }
    E pop_front() {
        E e = buf_[head_];
        head_ = (head_ + 1) & (buf_.size() - 1);
        --count_;
        return e;
    }

private:
    E& at(size_t i) { return buf_[(head_ + i) & (buf_.size() - 1)]; }
    void grow() {
        std::vector<E> bigger(buf_.empty() ? 16 : 2 * buf_.size());
        for (size_t i = 0; i < count_; ++i) bigger[i] = at(i);
        buf_.swap(bigger);
        head_ = 0;
    }
    std::vector<E> buf_;
    size_t head_ = 0, count_ = 0;
};

}  // namespace sim
