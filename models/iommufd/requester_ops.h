// The DeviceOps of one requester ID over a driver that attaches devices by it (a
// context entry, a device-table entry, an STE): domains come from the driver, attach
// and detach name the requester, and destroying the ops detaches the device, as
// Linux's release_device does. `D` provides alloc_domain(flags, out),
// alloc_identity_domain(out),
// attach(domain, sid), detach(sid), can_enforce_cache_coherency(), hw_info() and
// reserved_regions(sid).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "models/iommufd/domain.h"

namespace iommufd {

template <class D>
class RequesterOps : public DeviceOps {
public:
    RequesterOps(D& driver, uint16_t sid) : d_(driver), sid_(sid) {}
    ~RequesterOps() override { detach(); }
    Errno alloc_domain(uint32_t flags, std::unique_ptr<Domain>& out) override {
        return d_.alloc_domain(flags, out);
    }
    Errno alloc_identity_domain(std::unique_ptr<Domain>& out) override { return d_.alloc_identity_domain(out); }
    Errno attach(Domain& dom) override {
        const Errno e = d_.attach(dom, sid_);
        attached_ |= e == Errno::Ok;
        return e;
    }
    void detach() override {
        if (attached_) d_.detach(sid_);
        attached_ = false;
    }
    bool can_enforce_cache_coherency() const override { return d_.can_enforce_cache_coherency(); }
    HwInfo hw_info() const override { return d_.hw_info(); }
    std::vector<IovaRange> reserved_regions() const override { return d_.reserved_regions(sid_); }

private:
    D& d_;
    uint16_t sid_;
    bool attached_ = false;
};

}  // namespace iommufd
