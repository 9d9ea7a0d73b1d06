// Pointing a DeviceID at a domain through its device table entry (spec §2.2.2.1), as
// Linux's set_dte_entry, update_dte256, attach_device and the blocked domain do it.
#include "models/iommufd/drivers/amdvi/amdvi_domain.h"
#include "models/iommufd/drivers/amdvi/amdvi_driver.h"
#include "models/iommufd/drivers/amdvi/encoding.h"

namespace iommufd::amdvi {

using namespace enc;

// update_dte256 and amd_iommu_update_dte: the unit reads the 256-bit entry at once, the
// CPU writes it in halves, so V goes last when the live entry is not valid (upper half,
// then lower) and first when the new one is not (lower, then upper); between two valid
// entries without guest tables the upper half goes first too. Within the lower half qword 0,
// holding V, is written last or first accordingly. Then INVALIDATE_DEVTAB_ENTRY (with
// the IOTLB for an ATS device) and COMPLETION_WAIT.
void Driver::update_dte(uint16_t devid, const uint64_t (&dte)[4]) {
    const uint64_t at = dte_address(devid);
    const auto upper = [&] {
        write_entry(at + 16, dte[2]);
        write_entry(at + 24, dte[3]);
    };
    if ((m_.read64(at) & kDteV) && !(dte[0] & kDteV)) {
        write_entry(at, dte[0]);
        write_entry(at + 8, dte[1]);
        upper();
    } else {
        upper();
        write_entry(at + 8, dte[1]);
        write_entry(at, dte[0]);
    }
    flush_dte(devid);
    completion_wait();
}

// The device leaves its DomainID's users (after the flushes that still count it, as
// Linux's pdom_detach_iommu comes last) and joins `domid`'s (0: none).
void Driver::set_domain(uint16_t devid, uint16_t domid, const Domain* d) {
    DeviceState& dev = devices_[devid];
    if (dev.domid) {
        DomainUse& old = use_[dev.domid];
        --old.devices;
        old.ats.erase(devid);
    }
    dev.domid = domid;
    dev.domain = d;
    if (!domid) return;
    DomainUse& now = use_[domid];
    ++now.devices;
    if (dev.ats) now.ats.insert(devid);
}

// amd_iommu_make_clear_dte: V alone, so the unit walks nothing and lets nothing through.
void Driver::blocked_dte(uint16_t devid) {
    const uint64_t dte[4] = {kDteV, 0, 0, 0};
    update_dte(devid, dte);
}

// attach_device and set_dte_entry. A paging domain: V, TV, Mode, the root, IR, IW and
// the DomainID (amd_iommu_set_dte_v1; HAD stays clear without dirty tracking); the
// identity domain: V, TV, IR, IW, Mode 0 (set_dte_passthrough). ATS goes on at the
// device before the DTE with I=1 is written, as Linux's pdev_enable_cap_ats precedes
// dev_update_dte; a device with PRI on a unit with a PPR log also gets DTE.PPR. The
// new DTE replaces the old without a blocked one between; the old DomainID's
// translations are then flushed (set_dte_entry's old_domid flush).
Errno Driver::attach(Domain& dom, uint16_t devid) {
    auto* paging = dynamic_cast<AmdviDomain*>(&dom);
    auto* identity = dynamic_cast<IdentityDomain*>(&dom);
    if (paging ? &paging->driver() != this : !identity || &identity->driver() != this) return Errno::Inval;
    if (devid > params_.last_devid) return Errno::Inval;
    DeviceState& dev = devices_[devid];
    if (dev.domain == &dom) return Errno::Ok;
    const bool ats = ats_supported(devid);
    if (dev.ats != ats) set_endpoint(devid, ats);
    const uint16_t domid = paging ? paging->domid() : identity->domid();
    uint64_t dte[4] = {kDteV | kDteTv | kDteIr | kDteIw, domid | (ats ? kDteIotlb : 0), 0, 0};
    if (paging) dte[0] |= dte_mode(paging->mode()) | (paging->root() & kAddr51_12);
    if (pri_used(dev)) dte[0] |= kDtePpr;
    const uint16_t old = dev.domid;
    update_dte(devid, dte);
    set_domain(devid, domid, &dom);
    if (old && old != domid) {
        queue({uint64_t(old) << 32 | cmd_op(kOpInvIommuPages), kInvAllPagesAddress | kInvPde | kInvS});
        completion_wait();
    }
    return Errno::Ok;
}

// blocked_domain_attach_device: detach_device (ATS off at the device, the blocked DTE
// flushed, then the old domain's every page and its ATS devices' IOTLBs, waited for),
// then the blocked DTE written and flushed once more, as Linux does.
Errno Driver::detach(uint16_t devid) {
    DeviceState& dev = devices_[devid];
    if (!dev.domid) return Errno::NoEnt;
    const uint16_t old = dev.domid;
    if (dev.ats) set_endpoint(devid, false);
    blocked_dte(devid);
    flush_domain(old);
    set_domain(devid, 0, nullptr);
    blocked_dte(devid);
    return Errno::Ok;
}

}  // namespace iommufd::amdvi
