// The host side every mapping workload has, kept once: a device driver on timed
// cores (host::Cpu, statistics under "cpu"), its hold on the mapping engine for its
// platform devices (DeviceMapping; the IOMMU driver's statistics under the
// architecture's name), and what its per-I/O maps and unmaps cost ("map", "unmap").
// These are named "iommufd.*" whichever workload drives them, as `iommu-sim replay`
// names them, so that one statistic has one name in every run.
// MappedWorkload is a workload with one, its cores on the run's timeline.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/host/cpu.h"
#include "platforms/mapping_engine.h"
#include "platforms/platform_config.h"
#include "platforms/system.h"
#include "workloads/device_mapping.h"
#include "workloads/workload.h"

namespace workload {

class HostDriver {
public:
    // Its statistics are "iommufd.*", attached to `owner`.
    HostDriver(sim::StatGroup& owner, unsigned cores);
    ~HostDriver();

    // The engine with platform devices `devices` attached; throws sim::InputError.
    void open(platform::System& sys, const platform::PlatformConfig& pc, unsigned device) {
        open(sys, pc, std::vector<uint32_t>{device});
    }
    void open(platform::System& sys, const platform::PlatformConfig& pc, const std::vector<uint32_t>& devices);
    DeviceMapping& mapping() { return *dev_; }
    host::Cpu& cpu() { return cpu_; }
    sim::StatGroup& stats() { return stats_; }  // "iommufd"
    iommufd::DriverCost spent() const { return dev_->spent(); }

    // The driver's dma_map / dma_unmap for device `dev` (of the list open() got) at an
    // IOVA it chose; a success's cost counts.
    bool map(uint64_t va, uint64_t bytes, uint64_t iova) { return map(0, va, bytes, iova); }
    bool map(unsigned dev, uint64_t va, uint64_t bytes, uint64_t iova);
    bool unmap(uint64_t iova, uint64_t bytes) { return unmap(0, iova, bytes); }
    bool unmap(unsigned dev, uint64_t iova, uint64_t bytes);
    // Runs what the driver has spent since `since` (plus `extra_ns`) on `core`, from
    // now: when it ends.
    sim::ps_t charge(unsigned core, const iommufd::DriverCost& since, const char* what, double extra_ns = 0);
    // One register write (a doorbell) on `core`, at the IOMMU driver's MMIO cost.
    sim::ps_t mmio(unsigned core, const char* what);
    // From a thread: waits until `core` has finished the work given to it. A thread
    // that shares its core with others calls it before each operation, so that the
    // operation happens when the core gets to it and host::Cpu is asked in time order
    // (the lock then goes to the core that asked first, as a ticket lock does).
    void wait_for_core(unsigned core);
    // --timeline: the cores under "<workload> host CPU".
    void set_timeline(sim::Timeline& t, const std::string& workload) { cpu_.set_timeline(&t, workload + " host CPU"); }

private:
    sim::StatGroup stats_;
    host::Cpu cpu_;
    std::unique_ptr<DeviceMapping> dev_;
    platform::OpCosts map_, unmap_;
    std::string last_op_;  // --timeline: the last map or unmap, for the next charge's span
    void note(const char* op, unsigned dev, uint64_t iova, uint64_t bytes);
};

class MappedWorkload : public Workload {
public:
    void set_timeline(sim::Timeline& t) override { host_.set_timeline(t, name()); }

protected:
    MappedWorkload(sc_core::sc_module_name name, unsigned cores) : Workload(name), host_(*this, cores) {}
    HostDriver host_;
};

}  // namespace workload
