// Items that become ready at a simulated time, in (time, arrival order) order, with
// an sc_event notified for the earliest one. A model's SC_METHOD is made sensitive to
// event() and takes what is ready with pop_ready(). Events are scheduled for the
// moment something happens; nothing ticks every cycle. The heap lives in a vector,
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
        renotify();
    }
    bool empty() const { return heap_.empty(); }
    size_t size() const { return heap_.size(); }
    // True when the earliest item is due now.
    bool ready() const { return !heap_.empty() && heap_.front().at <= sc_core::sc_time_stamp(); }
    const T& front() const { return heap_.front().item; }
    T pop() {
        std::pop_heap(heap_.begin(), heap_.end(), later);
        T item = heap_.back().item;
        heap_.pop_back();
        renotify();
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
    // Keeps exactly one notification pending, for the head. A plain notify() would
    // be dropped while an earlier one is pending (IEEE 1666 sc_event), and if that
    // earlier one then found nothing ready, the head would never be served.
    void renotify() {
        event_.cancel();
        if (heap_.empty()) return;
        const sc_core::sc_time now = sc_core::sc_time_stamp();
        const sc_core::sc_time& at = heap_.front().at;
        event_.notify(at > now ? at - now : sc_core::SC_ZERO_TIME);
    }

    std::vector<Entry> heap_;
    uint64_t seq_ = 0;
    sc_core::sc_event event_;
};

}  // namespace tlmx
