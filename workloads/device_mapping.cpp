#include "workloads/device_mapping.h"

#include "models/sim/error.h"

namespace workload {

DeviceMapping::DeviceMapping(platform::System& sys, const platform::PlatformConfig& pc, uint32_t device)
    : engine_(std::make_unique<platform::MappingEngine>(sys, pc)) {
    if (engine_->driver->probe() != iommufd::Errno::Ok)
        throw sim::InputError("iommu: " + engine_->driver->probe_failure().reason);
    // A kernel driver's memory: no locked-memory limit.
    process_ = std::make_unique<iommufd::Process>("kernel", user_, ~uint64_t(0), engine_->user_frames);
    ctx_ = std::make_unique<iommufd::Context>(*process_);
    sid_ = uint16_t(pc.devs[device].requester_id);
    dev_ops_ = engine_->driver->device(sid_);
    device_ = {"dev" + std::to_string(device), dev_ops_->reserved_regions(), dev_ops_.get()};
    if (ctx_->ioas_alloc(ioas_) != iommufd::Errno::Ok || ctx_->bind(device_, dev_id_) != iommufd::Errno::Ok ||
        ctx_->attach(dev_id_, ioas_) != iommufd::Errno::Ok)
        throw sim::InputError("iommu: the mapping engine could not attach dev" + std::to_string(device));
    sys.check_isolation(*this);
}

iommufd::Reach DeviceMapping::reach(uint16_t sid, uint64_t iova) const {
    return sid == sid_ ? ctx_->reach(dev_id_, iova) : iommufd::Reach{};
}

DeviceMapping::~DeviceMapping() = default;

bool DeviceMapping::large_pages(bool on) {
    uint64_t v = on;
    return ctx_->option(iommufd::kOptionHugePages, iommufd::kOptionSet, ioas_, v) == iommufd::Errno::Ok;
}

bool DeviceMapping::map(uint64_t va, uint64_t length, uint64_t iova) {
    constexpr unsigned kFlags = iommufd::kFixedIova | iommufd::kReadable | iommufd::kWriteable;
    return ctx_->ioas_map(ioas_, kFlags, va, length, iova) == iommufd::Errno::Ok;
}

bool DeviceMapping::unmap(uint64_t iova, uint64_t length) {
    uint64_t unmapped = 0;
    return ctx_->ioas_unmap(ioas_, iova, length, unmapped) == iommufd::Errno::Ok;
}

}  // namespace workload
