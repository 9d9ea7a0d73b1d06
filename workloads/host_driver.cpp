#include "workloads/host_driver.h"

#include <cstdio>

#include "workloads/clock.h"

namespace workload {

HostDriver::HostDriver(sim::StatGroup& owner, unsigned cores) : cpu_(cores) {
    owner.add_top_child("iommufd", stats_);
    stats_.add_child("cpu", cpu_);
    stats_.add_child("map", map_);
    stats_.add_child("unmap", unmap_);
}

HostDriver::~HostDriver() = default;

void HostDriver::open(platform::System& sys, const platform::PlatformConfig& pc,
                      const std::vector<uint32_t>& devices) {
    dev_ = std::make_unique<DeviceMapping>(sys, pc, devices);
    if (iommufd::Driver* d = dev_->driver()) stats_.add_child(dev_->arch(), *d);
}

bool HostDriver::map(unsigned dev, uint64_t va, uint64_t bytes, uint64_t iova) {
    const iommufd::DriverCost at = spent();
    if (!dev_->map(dev, va, bytes, iova)) return false;
    map_.add(spent() - at);
    note("map", dev, iova, bytes);
    return true;
}

bool HostDriver::unmap(unsigned dev, uint64_t iova, uint64_t bytes) {
    const iommufd::DriverCost at = spent();
    if (!dev_->unmap(dev, iova, bytes)) return false;
    unmap_.add(spent() - at);
    note("unmap", dev, iova, bytes);
    return true;
}

sim::ps_t HostDriver::charge(unsigned core, const iommufd::DriverCost& since, const char* what, double extra_ns) {
    host::Work w = driver_work(spent() - since, what, extra_ns);
    w.args.swap(last_op_);
    last_op_.clear();
    return cpu_.run(core, now(), w);
}

// The driver slices on the timeline say what the driver did: op, device, IOVA, size.
void HostDriver::note(const char* op, unsigned dev, uint64_t iova, uint64_t bytes) {
    if (!cpu_.traced()) return;
    char args[128];
    std::snprintf(args, sizeof args, "\"op\":\"%s\",\"dev\":%u,\"iova\":\"0x%llx\",\"size\":%llu", op, dev,
                  static_cast<unsigned long long>(iova), static_cast<unsigned long long>(bytes));
    last_op_ = args;
}

sim::ps_t HostDriver::mmio(unsigned core, const char* what) {
    return cpu_.run(core, now(), {dev_->mmio_ns(), 0, what});
}

void HostDriver::wait_for_core(unsigned core) {
    // Another thread may take the core at the same instant: look again after waking.
    while (cpu_.free_at(core) > now()) sc_core::wait(until(cpu_.free_at(core)));
}

}  // namespace workload
