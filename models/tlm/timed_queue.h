// Items that become ready at a simulated time, in (time, arrival order) order, with
// an sc_event notified for the earliest one. A model's SC_METHOD is made sensitive to
// event() and takes items while ready(). Events are scheduled for the moment
// something happens; nothing ticks every cycle. The heap lives in a vector,
// so pushes do not allocate once it has grown.
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include <systemc>

namespace tlmx {

template <class T>
class TimedQueue {
public:
    explicit TimedQueue(const char* event_name) : event_(event_name) {}

    void push(const T& item, const sc_core::sc_time& at) {
        heap_.push_back(Entry{at, seq_++, item});
        std::push_heap(heap_.begin(), heap_.end(), later);
        const sc_core::sc_time& head = heap_.front().at;
        if (!armed_ || head < armed_at_ || armed_at_ <= sc_core::sc_time_stamp()) arm(head);
    }
    bool empty() const { return heap_.empty(); }
    size_t size() const { return heap_.size(); }
    // True when the earliest item is due now. When it is not, makes sure the event
    // fires at its time: the owner calls ready() whenever it could serve, so a
    // notification that fired early (its item was popped) is re-armed here.
    bool ready() {
        if (heap_.empty()) return false;
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        const sc_core::sc_time& at = heap_.front().at;
        if (at <= now) return true;
        if (!armed_ || armed_at_ <= now || at < armed_at_) arm(at);
        return false;
    }
    T pop() {
        std::pop_heap(heap_.begin(), heap_.end(), later);
        T item = heap_.back().item;
        heap_.pop_back();
        return item;
    }
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
    // One kernel notification per head, not per push or pop: timed notifications
    // are the simulation kernel's most expensive operation here. An earlier
    // notification replaces a later pending one (IEEE 1666 sc_event).
    void arm(const sc_core::sc_time& at) {
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        event_.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
        // A notification for now may still be pending, and then the kernel drops a
        // later one: keep `now` recorded so that the next ready() arms again.
        if (armed_ && armed_at_ == now) return;
        armed_ = true;
        armed_at_ = at > now ? at : now;
    }

    std::vector<Entry> heap_;
    uint64_t seq_ = 0;
    sc_core::sc_event event_;
    bool armed_ = false;
    sc_core::sc_time armed_at_;
};

}  // namespace tlmx
