// Records what a run did as a trace (traces/FORMAT.md): control operations as they
// were applied, and every request a device issued as a `dma` line at its issue time,
// so that `iommu-sim replay` of the file issues the same requests at the same times
// (each line is one request: devices never cross 4 KiB). Lines are kept compact in
// memory and written in time order at the end.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "traces/trace.h"

namespace platform {

class System;

class TraceRecorder {
public:
    // Records every request of every device of `sys` from now on.
    void watch(System& sys);
    void control(const trace::Op& op);
    // False when the file cannot be written (checked after close).
    bool write(const std::string& path) const;
    size_t size() const { return dmas_.size() + controls_.size(); }

private:
    struct Dma {
        uint64_t time_ps, seq, iova;
        uint32_t length, pasid;
        uint16_t dev;
        bool read, pasid_valid, no_snoop, privileged, execute;
    };
    struct Control {
        uint64_t seq;
        trace::Op op;
    };
    trace::Op op_of(const Dma& d) const;

    std::vector<Dma> dmas_;
    std::vector<Control> controls_;
    uint64_t seq_ = 0;
};

}  // namespace platform
