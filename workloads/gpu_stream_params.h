// [gpu_stream]: large sequential transfers with many requests outstanding (gpu_stream.h).
#pragma once

#include <cstdint>
#include <string>

namespace sim { class ParamBinder; }

namespace workload {

struct GpuStreamParams {
    uint32_t device = 0;
    uint64_t transfers = 8;                 // copies, in order
    uint64_t transfer_size = 64ull << 20;   // bytes per copy
    uint32_t buffers = 2;                   // host buffers the copies cycle through
    uint32_t depth = 2;                     // copies queued on the device at once
    double read_fraction = 0.5;             // host-to-device copies (the device reads)
    uint64_t request = 4096;                // bytes per DMA request the copy engine issues
    bool hugepages = true;                  // buffers backed by 2 MiB pages
    std::string mapping = "persistent";     // persistent | per_transfer

    void bind(sim::ParamBinder& b);
    // Throws sim::InputError("NAME: reason").
    void validate() const;
};

}  // namespace workload
