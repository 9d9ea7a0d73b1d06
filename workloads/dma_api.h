// A Linux driver's DMA API over the mapping engine (iommufd's IOAS over the IOMMU
// driver's domain, per device one IOAS it alone is attached to): memory mapped once
// (dma_alloc_coherent) and buffers mapped per I/O (dma_map_page / dma_map_sg,
// dma_unmap_*).
//
// Per-I/O IOVAs come from per-queue LIFO caches of fixed-size slots, as iommu-dma's
// rcaches hand them out: a strict unmap frees its IOVA at once, a deferred one once
// its device's IOAS has been flushed. When a queue has no IOVA left, everything
// waiting in its IOAS's flush queue is flushed at once. The flush timer's CPU time
// runs on core 0.
//
// With [iommufd] passthrough the devices are on identity domains and the API is
// direct (dma-direct), and so it is without an IOMMU ([iommu] arch = none): an IOVA
// is the buffer's physical address, map and unmap call nothing and cost nothing. Kernel memory is backed when mapped, in order, so that a
// buffer is physically contiguous as the kernel's allocations are.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "platforms/mapping_engine.h"
#include "platforms/platform_config.h"
#include "workloads/host_driver.h"

namespace workload {

class DmaApi {
public:
    // Maps through `host`; the stale watch's statistics join the host driver's
    // ("iommufd.flush.*", "iommufd.dma.stale").
    explicit DmaApi(HostDriver& host);
    ~DmaApi();

    // The engine, with platform devices `devices` attached, each to an IOAS of the
    // driver's context (HostDriver::open); throws sim::InputError when that fails.
    void open(platform::System& sys, const platform::PlatformConfig& pc, unsigned device) {
        open(sys, pc, std::vector<uint32_t>{device});
    }
    void open(platform::System& sys, const platform::PlatformConfig& pc, const std::vector<uint32_t>& devices);
    // Pass-through or no IOMMU: an IOVA is the physical address.
    bool direct() const { return direct_; }
    // Kernel virtual memory backed by host frames.
    bool mmap(uint64_t va, uint64_t bytes);
    // dma_alloc_coherent for device `dev`: [va, va + bytes) mapped once at `iova`
    // (in: where to map it; out: where it is, its physical address when direct).
    bool map_coherent(uint64_t va, uint64_t bytes, uint64_t& iova) { return map_coherent(0, va, bytes, iova); }
    bool map_coherent(unsigned dev, uint64_t va, uint64_t bytes, uint64_t& iova);
    // A queue of device `dev`'s IOVA slots: `slots` of `slot_bytes` from `base`;
    // returns its index.
    unsigned add_queue(uint64_t base, uint64_t slots, uint64_t slot_bytes) { return add_queue(0, base, slots, slot_bytes); }
    unsigned add_queue(unsigned dev, uint64_t base, uint64_t slots, uint64_t slot_bytes);
    // dma_map: [va, va + bytes) at a slot of `queue`'s; `iova` is where.
    bool map(unsigned queue, uint64_t va, uint64_t bytes, uint64_t& iova);
    // dma_unmap of what map() mapped at `iova`.
    bool unmap(unsigned queue, uint64_t iova, uint64_t bytes);

private:
    struct Slots {
        unsigned dev = 0;
        std::vector<uint64_t> cache;  // LIFO
        uint64_t next = 0, end = 0, bytes = 0;  // never used yet
    };
    struct FreedIova {
        unsigned queue;
        uint64_t iova;
    };
    void release_flushed();
    void flush_timeout();

    DeviceMapping& dev() { return host_.mapping(); }

    HostDriver& host_;
    bool deferred_ = false, direct_ = false;
    std::vector<Slots> queues_;
    std::vector<FreedIova> unflushed_;  // deferred: freed once their IOAS is flushed
    std::vector<uint64_t> flushes_seen_;  // per device
    std::vector<bool> flushed_;           // per device, scratch for release_flushed
    std::unique_ptr<platform::FlushTimer> flush_timer_;
    platform::StaleWatch stale_;
};

}  // namespace workload
