#include "workloads/gpu_stream.h"

#include "models/sim/error.h"
#include "workloads/clock.h"

namespace workload {

using sc_core::sc_time;

namespace {

constexpr uint64_t kBufferVa = 0x7f00'0000'0000;
constexpr uint64_t kBufferIova = uint64_t(1) << 36;

}  // namespace

GpuStream::GpuStream(sc_core::sc_module_name name, platform::System& sys, const platform::PlatformConfig& pc,
                     const GpuStreamParams& p)
    : MappedWorkload(name, 1), p_(p), dev_(sys.device(p.device)), rng_(pc.sim.seed, "gpu_stream"), copies_(p.depth) {
    host_.open(sys, pc, p.device);
    per_transfer_ = p_.mapping == "per_transfer" && !host_.mapping().direct();
    DeviceMapping& dma = host_.mapping();
    const uint64_t page = p_.hugepages ? iommufd::kHugePageSize : iommufd::kPageSize;
    const uint64_t stride = (p_.transfer_size + page - 1) / page * page;
    bool ok = dma.large_pages(p_.hugepages) &&
              dma.process().mmap(kBufferVa, stride * p_.buffers, p_.hugepages) == iommufd::Errno::Ok;
    for (uint32_t b = 0; ok && b < p_.buffers; ++b) {
        buffer_iova_.push_back(kBufferIova + b * stride);
        if (dma.direct())  // dma-direct: the buffer's physical address, nothing mapped
            ok = dma.physical(kBufferVa + b * stride, p_.transfer_size, buffer_iova_[b]);
        else if (p_.mapping == "persistent")
            ok = dma.map(kBufferVa + b * stride, p_.transfer_size, buffer_iova_[b]);
    }
    if (!ok) throw sim::InputError("gpu_stream: the mapping engine could not set the buffers up");
    dev_.on_fed_done([this](uint64_t c, bool ok, bool) { request_done(c, ok); });
    SC_THREAD(driver);
}

GpuStream::~GpuStream() = default;

// Keeps `depth` copies queued; retires each as it completes.
void GpuStream::driver() {
    uint64_t next = 0;
    first_ = now();
    for (uint64_t retired = 0; retired < p_.transfers; ++retired) {
        for (; next < p_.transfers && next - retired < p_.depth; ++next) queue_copy(next, uint32_t(next % p_.buffers));
        while (finished_.empty()) wait(copy_done_);
        const uint64_t n = finished_.front();
        finished_.pop_front();
        if (per_transfer_) {
            const iommufd::DriverCost before = host_.spent();
            if (!host_.unmap(buffer_iova_[copies_[n % p_.depth].buffer], p_.transfer_size)) ++engine_errors_;
            wait(until(host_.charge(0, before, "unmap")));
        }
    }
}

// Maps the buffer if it must, then gives the device the copy's requests.
void GpuStream::queue_copy(uint64_t n, uint32_t buffer) {
    if (per_transfer_) {
        const iommufd::DriverCost before = host_.spent();
        if (!host_.map(kBufferVa + (buffer_iova_[buffer] - kBufferIova), p_.transfer_size, buffer_iova_[buffer]))
            ++engine_errors_;
        wait(until(host_.charge(0, before, "map")));
    }
    Copy& c = copies_[n % p_.depth];
    c = {buffer, p_.transfer_size / p_.request, now()};
    const bool read = rng_.chance(p_.read_fraction);
    for (uint64_t off = 0; off < p_.transfer_size; off += p_.request) {
        pcie::Request r{buffer_iova_[buffer] + off, uint32_t(p_.request), read};
        r.at_ps = now();
        r.cookie = n;
        dev_.feed(r);
    }
}

void GpuStream::request_done(uint64_t n, bool ok) {
    Copy& c = copies_[n % p_.depth];
    errors_ += !ok;
    bytes_ += p_.request;
    if (--c.left) return;
    ++done_;
    latency_.sample(sim::ps_to_ns(now() - c.queued));
    last_ = now();
    finished_.push_back(n);
    copy_done_.notify(sc_core::SC_ZERO_TIME);
}

}  // namespace workload
