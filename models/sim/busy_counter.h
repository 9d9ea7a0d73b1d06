// A timeline counter of how busy a resource is (a link direction): the percentage of
// each window of simulated time spent busy. A window's value is written once the
// resource is next busy after it, so the counter costs an event per window at most,
// not per TLP; idle windows between read 0.
#pragma once

#include <algorithm>

#include "models/sim/time.h"
#include "models/sim/timeline.h"

namespace sim {

class BusyCounter {
public:
    static constexpr ps_t kWindowPs = 1'000'000;  // 1 us

    // `counter` from Timeline::counter; nullptr stops.
    void attach(Timeline* t, int counter) {
        timeline_ = counter ? t : nullptr;
        counter_ = counter;
        window_ = 0;
        busy_ = 0;
    }
    // The resource is busy over [start, end); calls come in order of start, each after
    // the previous end (a serializing lane).
    void busy(ps_t start, ps_t end) {
        if (!timeline_) return;
        while (start < end) {
            const ps_t w = start / kWindowPs;
            if (w != window_) close_windows(w);
            const ps_t stop = std::min(end, (w + 1) * kWindowPs);
            busy_ += stop - start;
            start = stop;
        }
    }

private:
    // Windows window_ .. w - 1 are over.
    void close_windows(ps_t w) {
        timeline_->set(counter_, window_ * kWindowPs, busy_ * 100 / kWindowPs);
        if (w > window_ + 1) timeline_->set(counter_, (window_ + 1) * kWindowPs, 0);
        window_ = w;
        busy_ = 0;
    }

    Timeline* timeline_ = nullptr;
    int counter_ = 0;
    ps_t window_ = 0, busy_ = 0;  // the current window and its busy time
};

}  // namespace sim
