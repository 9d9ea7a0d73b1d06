// Times of things in flight, earliest first: a ring kept sorted, where a push goes to
// the back and moves forward only past later times. Completion times mostly arrive in
// order, so a push or a pop is O(1) where a binary heap pays log2(n) compares and
// moves each (an atomic-mode device keeps one per engine, up to its tag count long).
// The ring grows by doubling and never shrinks: no allocation once it holds the most
// times ever in flight.
#pragma once

#include <cstddef>
#include <vector>

#include "models/sim/time.h"

namespace sim {

class SortedTimes {
public:
    void push(ps_t t) {
        if (size_ == ring_.size()) grow();
        size_t i = size_++;
        // Insertion: later times move one place back until t's place is found.
        for (; i > 0 && at(i - 1) > t; --i) at(i) = at(i - 1);
        at(i) = t;
    }
    ps_t earliest() const { return ring_[head_]; }
    void pop() {
        head_ = (head_ + 1) & (ring_.size() - 1);
        --size_;
    }
    size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }

private:
    ps_t& at(size_t i) { return ring_[(head_ + i) & (ring_.size() - 1)]; }
    void grow() {
        std::vector<ps_t> bigger(ring_.empty() ? 16 : 2 * ring_.size());
        for (size_t i = 0; i < size_; ++i) bigger[i] = at(i);
        ring_.swap(bigger);
        head_ = 0;
    }

    std::vector<ps_t> ring_;  // a power of two long
    size_t head_ = 0, size_ = 0;
};

}  // namespace sim
