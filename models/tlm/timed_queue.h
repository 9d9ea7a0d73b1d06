// Items that become ready at a simulated time, in (time, arrival order) order, with
// an sc_event notified for the earliest one. A model's SC_METHOD is made sensitive to
// event() and takes items while ready(). Events are scheduled for the moment
// something happens; nothing ticks every cycle.
//
// Most queues are pushed in time order (a lane that serializes, a stage with a fixed
// latency), some nearly so (memory, whose latency varies with the bank): the items
// live in a sim::SortedRing, where an item due no earlier than the last goes to the
// back and an earlier one moves forward only past the items due after it, so the ring
// stays in (time, arrival) order. No allocation once it has grown.
#pragma once

#include <systemc>

#include "models/sim/sorted_ring.h"
#include "models/tlm/sc_ps.h"

namespace tlmx {

template <class T>
class TimedQueue {
public:
    explicit TimedQueue(const char* event_name) : event_(event_name) {}

    void push(const T& item, const sc_core::sc_time& at) {
        items_.push(Entry{at, item});
        const sc_core::sc_time& head = items_.front().at;
        if (!armed_ || head < armed_at_ || armed_at_ <= tlmx::now()) arm(head);
    }
    bool empty() const { return items_.empty(); }
    size_t size() const { return items_.size(); }
    // True when the earliest item is due now. When it is not, makes sure the event
    // fires at its time: the owner calls ready() whenever it could serve, so a
    // notification that fired early (its item was popped) is re-armed here.
    bool ready() {
        if (empty()) return false;
        const sc_core::sc_time now = tlmx::now();
        const sc_core::sc_time& at = items_.front().at;
        if (at <= now) return true;
        if (!armed_ || armed_at_ <= now || at < armed_at_) arm(at);
        return false;
    }
    T pop() { return items_.pop_front().item; }
    // True when an item is due at or before t (arms nothing, unlike ready()).
    bool due_by(const sc_core::sc_time& t) const { return !empty() && items_.front().at <= t; }
    const sc_core::sc_event& event() const { return event_; }

private:
    struct Entry {
        sc_core::sc_time at;
        T item;
    };
    // By time alone: the ring keeps items due together in arrival order.
    struct Earlier {
        bool operator()(const Entry& a, const Entry& b) const { return a.at < b.at; }
    };
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

    sim::SortedRing<Entry, Earlier> items_;
    sc_core::sc_event event_;
    bool armed_ = false;
    sc_core::sc_time armed_at_;
};

}  // namespace tlmx
