// A GPU-like copy engine streaming large buffers between host and device memory, with
// many requests outstanding (the device's [dev] tags). The driver cycles `buffers`
// host buffers; `depth` copies are queued on the device at once. A copy is cut into
// `request`-byte DMAs in address order: reads of host memory for a host-to-device
// copy, writes for device-to-host, chosen per copy by read_fraction from the seed.
// With mapping=per_transfer the driver maps the buffer before each copy and unmaps it
// after (pinning per copy, like registering host memory per transfer), on one timed
// host core; persistent buffers are mapped once, before the run. Without an IOMMU or
// in pass-through the DMA API is direct: a copy uses the buffer's physical address
// and nothing is mapped (the buffers are physically contiguous, as a driver's
// dma_alloc'd ones are).
//
// Statistics under gpu_stream.: copies, bytes, gbps (first copy queued to last copy
// done), copy_latency_ns (queued to done), map/unmap driver costs, cpu.*.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "workloads/gpu_stream_params.h"
#include "workloads/host_driver.h"

namespace workload {

class GpuStream : public MappedWorkload {
public:
    SC_HAS_PROCESS(GpuStream);
    GpuStream(sc_core::sc_module_name name, platform::System& sys, const platform::PlatformConfig& pc,
              const GpuStreamParams& p);
    ~GpuStream() override;
    bool finished() const override { return done_.value() == p_.transfers; }

private:
    struct Copy {
        uint32_t buffer = 0;
        uint64_t left = 0;  // requests not yet complete
        sim::ps_t queued = 0;
    };
    void driver();
    void queue_copy(uint64_t n, uint32_t buffer);
    void request_done(uint64_t cookie, bool ok);

    GpuStreamParams p_;
    bool per_transfer_ = false;  // maps and unmaps per copy (not when direct)
    pcie::TrafficGenerator& dev_;
    sim::Rng rng_;
    std::vector<uint64_t> buffer_iova_;
    std::vector<Copy> copies_;      // by copy number
    std::deque<uint64_t> finished_;  // copies done, not yet retired by the driver
    sc_core::sc_event copy_done_;
    sim::ps_t first_ = 0, last_ = 0;

    sim::Counter done_{*this, "copies", "", "copies completed"};
    sim::Counter bytes_{*this, "bytes", "B", "bytes copied"};
    sim::Counter errors_{*this, "dma_errors", "", "copy requests that completed with an error"};
    sim::Counter engine_errors_{*this, "engine_errors", "", "map or unmap calls that failed"};
    sim::Histogram latency_{*this, "copy_latency_ns", "ns", "copy queued to its last request done", 10000.0, 400};
    sim::Formula gbps_{*this, "gbps", "Gb/s", "bytes copied, first copy queued to last done",
                       [this] { return sim::gbps(bytes_.value(), first_, last_); }};
};

}  // namespace workload
