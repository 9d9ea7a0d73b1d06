// A queue's interrupt and poll (NAPI, an NVMe queue's interrupt handler): the device's
// completions queue up; one that finds the poll asleep raises the interrupt, and the
// poll runs irq_delay later and takes completions until none is left.
#pragma once

#include <cstdint>
#include <deque>

#include <systemc>

#include "models/sim/time.h"

namespace workload {

class IrqPoll {
public:
    explicit IrqPoll(double irq_delay_ns) : delay_(sc_core::sc_time::from_value(sim::ns_to_ps(irq_delay_ns))) {}
    // The device has completed `idx`: interrupt an idle poll.
    void completed(uint32_t idx) {
        done_.push_back(idx);
        if (polling_) return;
        polling_ = true;
        wake_.notify(delay_);
    }
    bool idle() const { return !polling_ && done_.empty(); }
    bool empty() const { return done_.empty(); }
    uint32_t take() {
        const uint32_t idx = done_.front();
        done_.pop_front();
        return idx;
    }
    // From the poll's thread: polling without an interrupt (completions raise none).
    void poll() { polling_ = true; }
    // From the poll's thread: nothing left, wait for the next interrupt.
    void sleep() {
        polling_ = false;
        sc_core::wait(wake_);
    }

private:
    const sc_core::sc_time delay_;
    std::deque<uint32_t> done_;
    bool polling_ = false;
    sc_core::sc_event wake_;
};

}  // namespace workload
