// pcie-bench's IOMMU window experiment as one run: for each window size in turn, the
// driver maps a buffer of that size through the mapping engine (4 KiB pages, or
// 2 MiB with `hugepages`), the device issues `requests` random reads of `size` bytes
// spread over it, paced by its own [dev] parameters (tags, interval_ns), and the
// driver unmaps it (strict: its IOTLB entries go with it), so every window starts
// with cold IOMMU caches, as pcie-bench's separate runs do. Without an IOMMU or in
// pass-through the reads go to the buffer's physical addresses, nothing mapped.
//
// Statistics per window under window_sweep.window_<bytes>: gbps (read throughput,
// first issue to last completion), requests, active_ns, errors.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "workloads/device_mapping.h"
#include "workloads/window_sweep_params.h"
#include "workloads/workload.h"

namespace workload {

class WindowSweep : public Workload {
public:
    SC_HAS_PROCESS(WindowSweep);
    WindowSweep(sc_core::sc_module_name name, platform::System& sys, const platform::PlatformConfig& pc,
                const WindowSweepParams& p);
    ~WindowSweep() override;
    bool finished() const override { return next_ == windows_.size() && left_ == 0; }

private:
    struct Window : sim::StatGroup {
        Window(uint64_t bytes, uint64_t read_size) : bytes(bytes), read_size(read_size) {}
        uint64_t bytes, read_size;
        sim::ps_t start = 0, end = 0;
        sim::Counter requests{*this, "requests", "", "reads completed"};
        sim::Counter errors{*this, "errors", "", "reads that completed with an error"};
        sim::Formula active{*this, "active_ns", "ns", "first issue to last completion",
                            [this] { return sim::ps_to_ns(end - start); }};
        sim::Formula gbps{*this, "gbps", "Gb/s", "read throughput over active_ns",
                          [this] { return sim::gbps(requests.value() * read_size, start, end); }};
    };
    uint64_t mapped(const Window& w) const;
    void start_next();
    void done(bool ok);

    WindowSweepParams p_;
    pcie::TrafficGenerator& dev_;
    sim::Rng rng_;
    DeviceMapping dma_;
    std::vector<std::unique_ptr<Window>> windows_;
    size_t next_ = 0;      // the window to measure next
    uint64_t left_ = 0;    // reads of the current window not yet complete
    sim::Counter engine_errors_{*this, "engine_errors", "", "map or unmap calls that failed"};
};

}  // namespace workload
