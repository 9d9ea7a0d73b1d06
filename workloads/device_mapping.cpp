#include "workloads/device_mapping.h"

#include "models/sim/error.h"

namespace workload {

DeviceMapping::DeviceMapping(platform::System& sys, const platform::PlatformConfig& pc,
                             const std::vector<uint32_t>& devices)
    : passthrough_(pc.engine.passthrough) {
    using platform::MappingEngine;
    if (pc.arch.arch) {
        engine_ = std::make_unique<MappingEngine>(sys, pc);
        arch_ = engine_->name;
        if (engine_->driver->probe() != iommufd::Errno::Ok)
            throw sim::InputError("iommu: " + engine_->driver->probe_failure().reason);
    } else {
        own_frames_ = std::make_unique<iommufd::FrameAllocator>(MappingEngine::kUserBase, MappingEngine::kUserBytes);
    }
    // A kernel driver's memory: no locked-memory limit.
    process_ = std::make_unique<iommufd::Process>("kernel", user_, ~uint64_t(0),
                                                  engine_ ? engine_->user_frames : *own_frames_);
    ctx_ = std::make_unique<iommufd::Context>(*process_);
    devs_.resize(devices.size());  // never grows again: the context holds the Devices
    for (size_t i = 0; i < devices.size(); ++i) {
        Attached& a = devs_[i];
        a.sid = uint16_t(pc.devs[devices[i]].requester_id);
        if (!engine_) continue;  // no IOMMU: nothing to attach to
        a.ops = engine_->driver->device(a.sid, sys.endpoint_caps(a.sid));
        passthrough_ ? pass_through(a, devices[i]) : attach(a, devices[i]);
    }
    sys.check_isolation(*this);
}

DeviceMapping::~DeviceMapping() = default;

void DeviceMapping::attach(Attached& a, uint32_t device) {
    a.device = {"dev" + std::to_string(device), a.ops->reserved_regions(), a.ops.get()};
    if (ctx_->ioas_alloc(a.ioas) != iommufd::Errno::Ok || ctx_->bind(a.device, a.dev_id) != iommufd::Errno::Ok ||
        ctx_->attach(a.dev_id, a.ioas) != iommufd::Errno::Ok)
        throw sim::InputError("iommu: the mapping engine could not attach dev" + std::to_string(device));
}

// The group's default domain of type identity, as iommu_setup_default_domain makes it.
void DeviceMapping::pass_through(Attached& a, uint32_t device) {
    if (a.ops->alloc_identity_domain(a.identity) != iommufd::Errno::Ok)
        throw sim::InputError("iommufd.passthrough: the " + arch() + " unit cannot pass dev" +
                              std::to_string(device) + " through (no identity domain)");
    if (a.ops->attach(*a.identity) != iommufd::Errno::Ok)
        throw sim::InputError("iommufd.passthrough: the " + arch() + " driver could not attach dev" +
                              std::to_string(device) + " to an identity domain");
}

const DeviceMapping::Attached* DeviceMapping::find(uint16_t sid) const {
    for (const Attached& a : devs_)
        if (a.sid == sid) return &a;
    return nullptr;
}

iommufd::Reach DeviceMapping::reach(uint16_t sid, uint64_t iova) const {
    const Attached* a = find(sid);
    if (!a) return {};
    if (a->identity || !engine_) return {iommufd::Reach::Identity, iova, true};
    return ctx_->reach(a->dev_id, iova);
}

bool DeviceMapping::unflushed(uint16_t sid, uint64_t iova) const {
    const Attached* a = find(sid);
    return a && engine_ && !a->identity && ctx_->unflushed(a->dev_id, iova);
}

bool DeviceMapping::large_pages(bool on) {
    if (direct()) return true;  // no IOAS: the buffer is used at its physical address
    uint64_t v = on;
    return ctx_->option(iommufd::kOptionHugePages, iommufd::kOptionSet, devs_[0].ioas, v) == iommufd::Errno::Ok;
}

bool DeviceMapping::map(unsigned dev, uint64_t va, uint64_t length, uint64_t iova) {
    constexpr unsigned kFlags = iommufd::kFixedIova | iommufd::kReadable | iommufd::kWriteable;
    return ctx_->ioas_map(devs_[dev].ioas, kFlags, va, length, iova) == iommufd::Errno::Ok;
}

bool DeviceMapping::unmap(unsigned dev, uint64_t iova, uint64_t length) {
    uint64_t unmapped = 0;
    return ctx_->ioas_unmap(devs_[dev].ioas, iova, length, unmapped) == iommufd::Errno::Ok;
}

bool DeviceMapping::physical(uint64_t va, uint64_t length, uint64_t& pa) {
    constexpr uint64_t kPage = 4096;
    const std::optional<uint64_t> first = process_->frame(va);
    if (!first || !length) return false;
    pa = *first + va % kPage;
    for (uint64_t page = va / kPage + 1; page * kPage < va + length; ++page) {
        const std::optional<uint64_t> f = process_->frame(page * kPage);
        if (!f || *f != *first + (page - va / kPage) * kPage) return false;
    }
    return true;
}

}  // namespace workload
