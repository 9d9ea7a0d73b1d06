// The mapping engine on a platform: the architecture's driver (from the registry)
// programming the platform's unit through its registers and host memory, with the
// host memory the driver's tables and the processes' pages come from. Shared by trace
// replay and the workloads that map through the engine.
#pragma once

#include <cstdint>
#include <functional>

#include <systemc>

#include "models/iommufd/driver.h"
#include "models/iommufd/io_pagetable.h"
#include "models/iommufd/process.h"
#include "models/sim/stats.h"
#include "platforms/machine.h"
#include "platforms/system.h"

namespace platform {

struct MappingEngine {
    // Where the driver's tables and the processes' pages live in host memory. Memory is
    // sparse: the table region is address space (a one-level table per domain may
    // span hundreds of MiB), only the pages written cost anything.
    static constexpr uint64_t kTableBase = 0x2000'0000, kTableBytes = uint64_t(16) << 30;
    static constexpr uint64_t kUserBase = uint64_t(1) << 36, kUserBytes = uint64_t(1) << 36;

    // `sys` has an IOMMU ([iommu] arch); its driver is made, not yet probed.
    MappingEngine(System& sys, const PlatformConfig& pc)
        : machine(*sys.unit(), sys.memory(), 1000.0 / pc.pipeline.clock_mhz),
          table_pages(kTableBase, kTableBytes),
          user_frames(kUserBase, kUserBytes),
          driver(pc.arch.arch->driver->make(machine, table_pages, *pc.arch.driver)),
          name(pc.arch.arch->name),
          unit(*sys.unit()) {
        // The unit's page-request and event interrupts have this driver drain its queues.
        iommufd::Driver* d = driver.get();
        unit.on_page_request_irq = [d] { d->service_page_requests(); };
        unit.on_event_irq = [d] { d->service_events(); };
    }
    ~MappingEngine() {
        unit.on_page_request_irq = nullptr;
        unit.on_event_irq = nullptr;
    }
    MappingEngine(const MappingEngine&) = delete;
    MappingEngine& operator=(const MappingEngine&) = delete;

    CachedMachine machine;
    iommufd::FrameAllocator table_pages, user_frames;
    std::unique_ptr<iommufd::Driver> driver;
    std::string name;  // the architecture's: its driver's statistics go under it
    iommu::Unit& unit;
};

// The cost of one kind of operation, from the driver's counters around each call.
struct OpCosts : sim::StatGroup {
    sim::Counter ops{*this, "ops", "", "operations that succeeded"};
    sim::Average cpu_ns{*this, "cpu_ns", "ns", "driver CPU time per operation"};
    sim::Counter table_writes{*this, "table_writes", "", "table entries written"};
    sim::Counter descriptors{*this, "descriptors", "", "invalidation descriptors queued"};
    sim::Counter waits{*this, "waits", "", "invalidation waits"};

    void add(const iommufd::DriverCost& s) {
        ++ops;
        cpu_ns.sample(s.cpu_ns);
        table_writes += s.table_writes;
        descriptors += s.descriptors;
        waits += s.waits;
    }
};

// The safety cost of deferred invalidation, counted in the owner's statistics:
// how long each unmapped area's translation stayed usable, and how many DMA
// translations used one before its flush.
struct StaleWatch {
    explicit StaleWatch(sim::StatGroup& owner)
        : dma_stale(owner, "dma.stale", "",
                    "translations of an unmapped IOVA whose invalidation was still queued"),
          flushed(owner, "flush.unmaps", "", "unmapped areas invalidated by a deferred flush"),
          window(owner, "flush.stale_window_ns", "ns",
                 "unmap to invalidation, per unmapped area (0: strict)", 1000.0, 200) {}
    // FlushPolicy's stale-window callback.
    std::function<void(uint64_t)> recorder(bool deferred) {
        return [this, deferred](uint64_t ps) {
            flushed += deferred;
            window.sample(double(ps) / 1000.0);
        };
    }
    // Under deferred invalidation, checks every translation the IOMMU completes.
    void watch(System& sys, std::function<bool(uint16_t sid, uint64_t iova)> unflushed) {
        if (!sys.iommu()) return;
        sys.iommu()->listen([this, unflushed = std::move(unflushed)](
                                         uint16_t sid, uint64_t iova, const iommu::Result& r) {
            if (!r.fault && unflushed(sid, iova)) ++dma_stale;
        });
    }
    sim::Counter dma_stale, flushed;
    sim::Histogram window;
};

// Deferred invalidation's timer: flushes what has timed out, then sleeps until the
// next deadline. schedule() after anything that may queue an unmap.
class FlushTimer : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(FlushTimer);
    FlushTimer(sc_core::sc_module_name name, std::function<void()> flush_if_due,
               std::function<uint64_t()> deadline_ps)
        : sc_module(name), flush_if_due_(std::move(flush_if_due)), deadline_ps_(std::move(deadline_ps)) {
        SC_METHOD(expire);
        sensitive << event_;
        dont_initialize();
    }
    void schedule() {
        const uint64_t due = deadline_ps_(), now = sc_core::sc_time_stamp().value();
        if (due) event_.notify(sc_core::sc_time::from_value(due > now ? due - now : 0));
    }

private:
    void expire() {
        flush_if_due_();
        schedule();
    }
    std::function<void()> flush_if_due_;
    std::function<uint64_t()> deadline_ps_;
    sc_core::sc_event event_;
};

}  // namespace platform
