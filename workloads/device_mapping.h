// A host driver's hold on the mapping engine for its platform devices: the engine's
// driver (the platform's architecture's) probed on the platform's unit, a process whose
// memory holds the driver's buffers, and per device either an iommufd IOAS it alone is
// attached to (each PCI device has its own default domain) or, with [iommufd]
// passthrough, an identity domain (iommu.passthrough=1: the DMA API is direct, an
// IOVA is the physical address). A platform without an IOMMU ([iommu] arch = none)
// has no engine at all: only the process's memory, and the DMA API is direct as
// Linux's dma-direct is. map() and unmap() are the driver's dma_map /
// dma_unmap at IOVAs it chose (the IOVA allocator is the workload's, as iommu-dma's is
// the DMA API's). Devices are numbered by their order in the list the mapping got.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/host/cpu.h"
#include "models/iommufd/context.h"
#include "platforms/isolation.h"
#include "platforms/mapping_engine.h"
#include "platforms/platform_config.h"
#include "platforms/system.h"

namespace workload {

// The driver's work between two readings, for host::Cpu.
inline host::Work driver_work(const iommufd::DriverCost& s, const char* what, double extra_ns = 0) {
    return {s.cpu_ns + extra_ns, s.queue_ns, what};
}

class DeviceMapping : public platform::DmaOracle {
public:
    // Platform devices `devices`, each attached; throws sim::InputError when the unit
    // lacks what the driver needs.
    DeviceMapping(platform::System& sys, const platform::PlatformConfig& pc, const std::vector<uint32_t>& devices);
    ~DeviceMapping() override;
    // The device reaches what its IOAS maps, or all of memory on its identity domain
    // (the isolation check's oracle).
    iommufd::Reach reach(uint16_t sid, uint64_t iova) const override;

    // The IOMMU driver; nullptr without an IOMMU.
    iommufd::Driver* driver() { return engine_ ? engine_->driver.get() : nullptr; }
    // The architecture's name, under which its driver's statistics go ("none").
    const std::string& arch() const { return arch_; }
    // What the IOMMU driver has spent (nothing without one).
    iommufd::DriverCost spent() const { return engine_ ? engine_->driver->spent() : iommufd::DriverCost{}; }
    // One uncached device register write by the CPU (a doorbell), ns: the IOMMU
    // driver's MMIO cost, or kDirectMmioNs without an IOMMU.
    double mmio_ns() const { return engine_ ? engine_->driver->mmio_ns() : kDirectMmioNs; }
    // Without an IOMMU driver to take it from, a doorbell costs the drivers' default
    // mmio_ns (illustrative, like theirs). A constant, not a key: a new key would move
    // every run's configuration digest.
    static constexpr double kDirectMmioNs = 100;
    iommufd::Process& process() { return *process_; }
    iommufd::Context& context() { return *ctx_; }
    // The DMA API is direct (an IOVA is the physical address): pass-through, or no IOMMU.
    bool direct() const { return passthrough_ || !engine_; }
    unsigned devices() const { return unsigned(devs_.size()); }
    iommufd::IoPagetable& iopt(unsigned dev = 0) { return *ctx_->iopt(devs_[dev].ioas); }
    uint32_t ioas(unsigned dev = 0) const { return devs_[dev].ioas; }
    uint32_t dev_id(unsigned dev = 0) const { return devs_[dev].dev_id; }
    // Device `sid` translating `iova` uses an unmapped, unflushed translation.
    bool unflushed(uint16_t sid, uint64_t iova) const;
    // IOMMU_OPTION_HUGE_PAGES: off, 4 KiB pages map with 4 KiB leaves even where their
    // frames happen to be contiguous (the simulated allocator's frames often are).
    bool large_pages(bool on);
    // Readable and writable, at `iova`: whether the engine took it.
    bool map(uint64_t va, uint64_t length, uint64_t iova) { return map(0, va, length, iova); }
    bool map(unsigned dev, uint64_t va, uint64_t length, uint64_t iova);
    bool unmap(uint64_t iova, uint64_t length) { return unmap(0, iova, length); }
    bool unmap(unsigned dev, uint64_t iova, uint64_t length);
    // Direct: the physical address of [va, va + length), whose frames must be
    // contiguous (backed on first use, in order); false if they are not.
    bool physical(uint64_t va, uint64_t length, uint64_t& pa);

private:
    struct Attached {
        uint16_t sid = 0;
        std::unique_ptr<iommufd::Domain> identity;  // pass-through; outlives the ops
        std::unique_ptr<iommufd::DeviceOps> ops;    // outlive the context
        iommufd::Device device;
        uint32_t ioas = 0, dev_id = 0;
    };
    const Attached* find(uint16_t sid) const;
    void attach(Attached& a, uint32_t device);
    void pass_through(Attached& a, uint32_t device);

    std::unique_ptr<platform::MappingEngine> engine_;     // nullptr: no IOMMU
    std::unique_ptr<iommufd::FrameAllocator> own_frames_;  // the process's frames without one
    std::string arch_ = "none";
    iommufd::User user_{"root"};
    std::unique_ptr<iommufd::Process> process_;
    std::vector<Attached> devs_;
    std::unique_ptr<iommufd::Context> ctx_;
    bool passthrough_ = false;
};

}  // namespace workload
