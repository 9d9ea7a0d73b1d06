// Items that become ready at a simulated time, in (time, arrival order) order, with
// an sc_event notified for the earliest one. A model's SC_METHOD is made sensitive to
// event() and takes items while ready(). Events are scheduled for the moment
// something happens; nothing ticks every cycle.
//
// Most queues are pushed in time order (a lane that serializes, a stage with a fixed
// latency): an item due no earlier than the ring's last goes into a ring in arrival
// order, which is already (time, arrival) order; one due earlier goes into a heap. The
// earliest item is the earlier of the two heads. Both live in vectors, so pushes do
// not allocate once they have grown.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/tlm/sc_ps.h"

namespace tlmx {

// A FIFO in a power-of-two vector that doubles when full.
template <class E>
class Ring {
public:
    bool empty() const { return count_ == 0; }
    size_t size() const { return count_; }
    const E& front() const { return buf_[head_]; }
    const E& back() const { return buf_[(head_ + count_ - 1) & (buf_.size() - 1)]; }
    void push_back(const E& e) {
        if (count_ == buf_.size()) grow();
        buf_[(head_ + count_++) & (buf_.size() - 1)] = e;
    }
    E pop_front() {
        const E e = buf_[head_];
        head_ = (head_ + 1) & (buf_.size() - 1);
        --count_;
        return e;
    }

private:
    void grow() {
        std::vector<E> bigger(buf_.empty() ? 16 : 2 * buf_.size());
        for (size_t i = 0; i < count_; ++i) bigger[i] = buf_[(head_ + i) & (buf_.size() - 1)];
        buf_.swap(bigger);
        head_ = 0;
    }
    std::vector<E> buf_;
    size_t head_ = 0, count_ = 0;
};

template <class T>
class TimedQueue {
public:
    explicit TimedQueue(const char* event_name) : event_(event_name) {}

    void push(const T& item, const sc_core::sc_time& at) {
        const Entry e{at, seq_++, item};
        if (ring_.empty() || !(at < ring_.back().at)) {
            ring_.push_back(e);
        } else {
            heap_.push_back(e);
            std::push_heap(heap_.begin(), heap_.end(), later);
        }
        const sc_core::sc_time& head = front().at;
        if (!armed_ || head < armed_at_ || armed_at_ <= tlmx::now()) arm(head);
    }
    bool empty() const { return heap_.empty() && ring_.empty(); }
    size_t size() const { return heap_.size() + ring_.size(); }
    // True when the earliest item is due now. When it is not, makes sure the event
    // fires at its time: the owner calls ready() whenever it could serve, so a
    // notification that fired early (its item was popped) is re-armed here.
    bool ready() {
        if (empty()) return false;
        const sc_core::sc_time now = tlmx::now();
        const sc_core::sc_time& at = front().at;
        if (at <= now) return true;
        if (!armed_ || armed_at_ <= now || at < armed_at_) arm(at);
        return false;
    }
    T pop() {
        if (!from_heap()) return ring_.pop_front().item;
        std::pop_heap(heap_.begin(), heap_.end(), later);
        T item = heap_.back().item;
        heap_.pop_back();
        return item;
    }
    // True when an item is due at or before t (arms nothing, unlike ready()).
    bool due_by(const sc_core::sc_time& t) const { return !empty() && front().at <= t; }
    const sc_core::sc_event& event() const { return event_; }

private:
    struct Entry {
        sc_core::sc_time at;
        uint64_t seq;
        T item;
    };
    static bool later(const Entry& a, const Entry& b) {
        return a.at != b.at ? a.at > b.at : a.seq > b.seq;
    }
    bool from_heap() const {
        return !heap_.empty() && (ring_.empty() || later(ring_.front(), heap_.front()));
    }
    const Entry& front() const { return from_heap() ? heap_.front() : ring_.front(); }
    // One kernel notification per head, not per push or pop: timed notifications
    // are the simulation kernel's most expensive operation here. An earlier
    // notification replaces a later pending one (IEEE 1666 sc_event).
    void arm(const sc_core::sc_time& at) {
        const sc_core::sc_time now = tlmx::now();
        event_.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
        // A notification for now may still be pending, and then the kernel drops a
        // later one: keep `now` recorded so that the next ready() arms again.
        if (armed_ && armed_at_ == now) return;
        armed_ = true;
        armed_at_ = at > now ? at : now;
    }

    Ring<Entry> ring_;
    std::vector<Entry> heap_;
    uint64_t seq_ = 0;
    sc_core::sc_event event_;
    bool armed_ = false;
    sc_core::sc_time armed_at_;
};

}  // namespace tlmx
