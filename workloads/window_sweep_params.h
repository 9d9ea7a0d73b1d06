// [window_sweep]: pcie-bench's random-access window experiment (window_sweep.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sim { class ParamBinder; }

namespace workload {

struct WindowSweepParams {
    uint32_t device = 0;
    std::string windows = "4K,64K,256K,512K,1M,2M,4M,16M,64M";  // one measurement each
    uint64_t requests = 40000;   // reads per window
    uint64_t size = 64;          // bytes per read
    bool hugepages = false;      // back the buffer with 2 MiB pages (2 MiB IOMMU leaves)

    void bind(sim::ParamBinder& b);
    // Throws sim::InputError("NAME: reason").
    void validate() const;
    // The windows in bytes; throws sim::InputError("windows: reason").
    std::vector<uint64_t> window_list() const;
};

}  // namespace workload
