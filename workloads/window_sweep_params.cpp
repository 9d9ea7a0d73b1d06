#include "workloads/window_sweep_params.h"

#include <sstream>

#include "models/sim/error.h"
#include "models/sim/params.h"

namespace workload {

namespace {
constexpr uint64_t kMaxWindow = uint64_t(1) << 30;
}

void WindowSweepParams::bind(sim::ParamBinder& b) {
    b.u32("device", device, "", "the platform device that issues the reads", 0, 255);
    b.text("windows", windows, "window sizes, one measurement each: SIZE[,SIZE...] (4K..1G, 4K multiples)");
    b.u64("requests", requests, "", "random reads per window", 1, uint64_t(1) << 32);
    b.u64("size", size, "B", "bytes per read (a divisor of 4096)", 1, 4096);
    b.flag("hugepages", hugepages, "back the buffer with 2 MiB pages, mapped with 2 MiB IOMMU leaves");
}

std::vector<uint64_t> WindowSweepParams::window_list() const {
    std::vector<uint64_t> out;
    std::stringstream in(windows);
    for (std::string item; std::getline(in, item, ',');) {
        uint64_t w = 0;
        if (!sim::parse_bytes(item, w)) throw sim::InputError("windows: '" + item + "' is not a size");
        if (w < 4096 || w > kMaxWindow || w % 4096)
            throw sim::InputError("windows: " + item + " is not a multiple of 4K in 4K..1G");
        out.push_back(w);
    }
    if (out.empty() || windows.back() == ',') throw sim::InputError("windows: expected SIZE[,SIZE...]");
    return out;
}

void WindowSweepParams::validate() const {
    window_list();
    if (4096 % size) throw sim::InputError("size: " + std::to_string(size) + " does not divide 4096");
}

}  // namespace workload
