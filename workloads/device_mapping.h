// A host driver's hold on the mapping engine for one platform device: the engine's
// driver (the platform's architecture's) probed on the platform's unit, a process whose memory holds the
// driver's buffers, and an iommufd context with one IOAS the device is attached to.
// map() and unmap() are the driver's dma_map / dma_unmap at IOVAs it chose (the
// IOVA allocator is the workload's, as iommu-dma's is the DMA API's).
#pragma once

#include <cstdint>
#include <memory>

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
    // Throws sim::InputError when the unit lacks what the driver needs.
    DeviceMapping(platform::System& sys, const platform::PlatformConfig& pc, uint32_t device);
    ~DeviceMapping() override;
    // The device reaches what its IOAS maps (the isolation check's oracle).
    iommufd::Reach reach(uint16_t sid, uint64_t iova) const override;

    iommufd::Driver& driver() { return *engine_->driver; }
    // The architecture's name, under which its driver's statistics go.
    const std::string& arch() const { return engine_->name; }
    iommufd::DriverCost spent() const { return engine_->driver->spent(); }
    iommufd::Process& process() { return *process_; }
    iommufd::Context& context() { return *ctx_; }
    iommufd::IoPagetable& iopt() { return *ctx_->iopt(ioas_); }
    uint32_t ioas() const { return ioas_; }
    uint32_t dev_id() const { return dev_id_; }
    // IOMMU_OPTION_HUGE_PAGES: off, 4 KiB pages map with 4 KiB leaves even where their
    // frames happen to be contiguous (the simulated allocator's frames often are).
    bool large_pages(bool on);
    // Readable and writable, at `iova`: whether the engine took it.
    bool map(uint64_t va, uint64_t length, uint64_t iova);
    bool unmap(uint64_t iova, uint64_t length);

private:
    std::unique_ptr<platform::MappingEngine> engine_;
    iommufd::User user_{"root"};
    std::unique_ptr<iommufd::Process> process_;
    std::unique_ptr<iommufd::DeviceOps> dev_ops_;  // outlive the context
    iommufd::Device device_;
    std::unique_ptr<iommufd::Context> ctx_;
    uint32_t ioas_ = 0, dev_id_ = 0;
    uint16_t sid_ = 0;
};

}  // namespace workload
