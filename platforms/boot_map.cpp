#include "platforms/boot_map.h"

#include <stdexcept>

#include "models/iommu/host_memory.h"
#include "models/sim/error.h"
#include "platforms/machine.h"

namespace platform {
namespace {

using iommufd::Errno;

std::string where(const sim::Config& cfg, const std::string& section, const char* key) {
    return sim::ParamReader(cfg, section).where(key);
}

}  // namespace

BootMap::BootMap(const ArchConfig& a, iommufd::Machine& m, const BootMapParams& p,
                 const std::vector<pcie::GeneratorParams>& devs, const CapsOf& caps, bool passthrough)
    : pages_(p.table_base, kTableBytes), driver_(a.arch->driver->make(m, pages_, *a.driver)), passthrough_(passthrough) {
    if (driver_->probe() != Errno::Ok) throw std::runtime_error("boot map: " + driver_->probe_failure().reason);
    if (passthrough_) {
        pass_through(devs, caps);
        return;
    }
    const uint64_t ps = p.page_size;
    for (const pcie::GeneratorParams& dev : devs) {
        const uint16_t rid = uint16_t(dev.requester_id);
        auto [it, fresh] = domains_.try_emplace(rid);
        if (fresh) {
            devices_.push_back(driver_->device(rid, caps(rid)));
            if (devices_.back()->alloc_domain(0, it->second) != Errno::Ok ||
                (p.snoop && !it->second->enforce_cache_coherency()))
                throw std::runtime_error("boot map: no domain for requester " + std::to_string(rid));
        }
        const uint64_t end = (dev.base + dev.window + ps - 1) & ~(ps - 1);
        windows_.push_back({rid, dev.base & ~(ps - 1), end});
        for (uint64_t va = dev.base & ~(ps - 1); va < end; va += ps)
            if (it->second->map(va, va, ps, iommufd::kRead | iommufd::kWrite) != Errno::Ok)
                throw std::runtime_error("boot map: cannot map " + std::to_string(va));
        if (fresh && devices_.back()->attach(*it->second) != Errno::Ok)
            throw std::runtime_error("boot map: cannot attach requester " + std::to_string(rid));
    }
}

// Every requester on an identity domain, as iommu_setup_default_domain makes it
// under iommu.passthrough=1.
void BootMap::pass_through(const std::vector<pcie::GeneratorParams>& devs, const CapsOf& caps) {
    for (const pcie::GeneratorParams& dev : devs) {
        const uint16_t rid = uint16_t(dev.requester_id);
        auto [it, fresh] = domains_.try_emplace(rid);
        if (!fresh) continue;
        devices_.push_back(driver_->device(rid, caps(rid)));
        if (devices_.back()->alloc_identity_domain(it->second) != Errno::Ok ||
            devices_.back()->attach(*it->second) != Errno::Ok)
            throw std::runtime_error("boot map: cannot pass requester " + std::to_string(rid) + " through");
    }
}

BootMap::~BootMap() = default;

iommufd::Reach BootMap::reach(uint16_t sid, uint64_t iova) const {
    if (passthrough_) return domains_.count(sid) ? iommufd::Reach{iommufd::Reach::Identity, iova, true} : iommufd::Reach{};
    for (const Window& w : windows_)
        if (w.sid == sid && iova >= w.start && iova < w.end) return {iommufd::Reach::Live, iova, true};
    return {};
}

void BootMap::check(const ArchConfig& a, const BootMapParams& p, const sim::Config& cfg, bool passthrough) {
    memory::SparseMemory scratch;
    iommu::StoreMemory host(scratch);
    const std::unique_ptr<iommu::Unit> unit = a.arch->hardware->make(*a.unit, host);
    StoreMachine machine(*unit, scratch);
    iommufd::FrameAllocator pages(p.table_base, kTableBytes);
    const std::unique_ptr<iommufd::Driver> driver = a.arch->driver->make(machine, pages, *a.driver);
    if (driver->probe() != Errno::Ok) {
        const iommufd::ProbeFailure f = driver->probe_failure();
        const size_t dot = f.unit_key.rfind('.');
        const std::string at = !f.key.empty() ? where(cfg, a.arch->driver_section(), f.key.c_str())
                               : dot != std::string::npos
                                   ? where(cfg, f.unit_key.substr(0, dot), f.unit_key.c_str() + dot + 1)
                                   : where(cfg, "iommu", "arch");
        throw sim::InputError(at + ": " + f.reason);
    }
    const std::unique_ptr<iommufd::DeviceOps> dev = driver->device(0, {});
    std::unique_ptr<iommufd::Domain> domain;
    if (passthrough && dev->alloc_identity_domain(domain) != Errno::Ok)
        throw sim::InputError(where(cfg, "iommufd", "passthrough") + ": the " + a.arch->name +
                              " unit cannot pass devices through (no identity domain)");
    if (p.map == "none") return;
    if (dev->alloc_domain(0, domain) != Errno::Ok)
        throw sim::InputError(where(cfg, "iommu", "arch") + ": the driver cannot allocate a domain");
    if (!(domain->page_sizes() & p.page_size))
        throw sim::InputError(where(cfg, "iommu.map", "page_size") + ": " + std::to_string(p.page_size) +
                              " is not a page size of the unit (" + a.arch->name + ")");
    if (p.snoop && !dev->can_enforce_cache_coherency())
        throw sim::InputError(where(cfg, "iommu.map", "snoop") +
                              ": the unit cannot force snooping (" + a.arch->name + ")");
}

}  // namespace platform
