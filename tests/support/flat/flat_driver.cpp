#include "tests/support/flat/flat_driver.h"

#include "models/iommufd/requester_ops.h"

#include "models/sim/params.h"
#include "tests/support/flat/flat_domain.h"
#include "tests/support/flat/flat_driver_encoding.h"

namespace flat_driver {

using namespace enc;
using iommufd::Errno;

void DriverParams::bind(sim::ParamBinder& b) {
    b.f64("mmio_ns", mmio_ns, "ns", "driver CPU time per register access", 0, 1e6);
    b.f64("table_write_ns", table_write_ns, "ns", "driver CPU time per table entry written", 0, 1e6);
    b.f64("invalidation_ns", invalidation_ns, "ns", "driver CPU time per invalidation request", 0, 1e6);
    b.f64("wait_ns", wait_ns, "ns", "driver CPU time waiting for an invalidation to complete", 0, 1e9);
}

Driver::Driver(iommufd::Machine& m, iommufd::FrameAllocator& pages, const DriverParams& p)
    : m_(m), pages_(pages), p_(p) {}

iommufd::DriverCost Driver::spent() const {
    return {cpu_ns_, queue_ns_, table_writes_.value(), descriptors_.value(), waits_.value()};
}

unsigned Driver::iova_bits() const { return cap_iova_bits(cap_); }

// Without CAP.COH the unit's table reads miss the CPU caches: write the line back.
void Driver::write_entry(uint64_t pa, uint64_t value) {
    m_.write64(pa, value);
    if (!cap_coh(cap_)) m_.flush(pa, 8);
    ++table_writes_;
    cpu_ns_ += p_.table_write_ns;
}

Errno Driver::fail(Errno e, std::string reason) {
    failure_ = {"", std::move(reason), ""};
    return e;
}

Errno Driver::probe() {
    cap_ = mmio_.read(kCap, 8);
    const unsigned bits = iova_bits();
    if (bits < 13 || bits > 40)
        return fail(Errno::OpNotSupp, "CAP.IOVA_BITS is " + std::to_string(bits) +
                                          "; the driver handles 13..40");
    const auto table = pages_.allocate(kDevtabBytes, 4096);
    if (!table) return fail(Errno::NoMem, "no memory for the 512 KiB device table");
    devtab_ = *table;
    mmio_.write(kDevtab, devtab_, 8);
    mmio_.write(kCtrl, kCtrlEn, 4);
    for (int i = 0; i < 16; ++i)
        if (mmio_.read(kStatus, 4) & kStatusEns) return Errno::Ok;
    return fail(Errno::OpNotSupp, "STATUS.ENS did not follow CTRL.EN");
}

Errno Driver::alloc_domain(uint32_t hwpt_flags, std::unique_ptr<iommufd::Domain>& out) {
    if (hwpt_flags) return Errno::OpNotSupp;
    if (next_did_ > 0xffff) return Errno::NoSpc;
    const uint64_t entries = uint64_t(1) << (iova_bits() - 12);
    const auto table = pages_.allocate(entries * 8, 4096);
    if (!table) return Errno::NoMem;
    out = std::make_unique<Domain>(*this, uint16_t(next_did_++), *table, entries);
    return Errno::Ok;
}

bool Driver::ats_for(uint16_t sid) const {
    const auto it = caps_.find(sid);
    return cap_ats(cap_) && it != caps_.end() && it->second.ats;
}

// ATS off at the device, then its ATC emptied (Linux: pci_disable_ats, then the
// ATC of the old domain invalidated).
void Driver::ats_off(uint16_t sid) {
    if (!ats_attached_.erase(sid)) return;
    const iommufd::EndpointCaps& c = caps_[sid];
    if (c.enable_ats) c.enable_ats(false);
    invalidate(kInvAtcAll | inv_sid(sid));
}

// One atomic entry write replaces the device's domain; then its cached entry goes.
// An ATS-capable device gets EATS and its ATS enabled once the entry is live.
Errno Driver::attach(iommufd::Domain& dom, uint16_t sid) {
    auto* d = dynamic_cast<Domain*>(&dom);
    if (!d) return Errno::Inval;
    const bool ats = ats_for(sid);
    ats_off(sid);
    write_entry(devtab_ + 8 * uint64_t(sid),
                kDteValid | kDteTranslate | (ats ? kDteEats : 0) | d->table() | dte_did(d->did()));
    invalidate(kInvDevice | inv_sid(sid));
    if (!ats) return Errno::Ok;
    ats_attached_[sid] = d->did();
    if (caps_[sid].enable_ats) caps_[sid].enable_ats(true);
    return Errno::Ok;
}

void Driver::detach(uint16_t sid) {
    ats_off(sid);
    write_entry(devtab_ + 8 * uint64_t(sid), kDteValid);  // blocked
    invalidate(kInvDevice | inv_sid(sid));
}

void Driver::invalidate_atcs(uint16_t did, uint64_t iova, uint64_t size) {
    const uint64_t pages = size ? ((iova + size - 1) >> 12) - (iova >> 12) + 1 : 0;
    for (const auto& [sid, d] : ats_attached_) {
        if (d != did) continue;
        if (!pages || pages > 16) {
            invalidate(kInvAtcAll | inv_sid(sid));
            continue;
        }
        for (uint64_t p = 0; p < pages; ++p) invalidate(kInvAtcPage | inv_sid(sid), ((iova >> 12) + p) << 12);
    }
}

iommufd::HwInfo Driver::hw_info() const {
    iommufd::HwInfo h;
    h.type = 200;  // made up for FLAT (flat_spec.h section 6)
    h.data = {{"cap", cap_}};
    return h;
}

// Register-based: INV_ADDR (PAGE only), INV with GO, then poll GO. All of it is queue
// time, as Linux would spend it holding the invalidation lock.
void Driver::invalidate(uint64_t inv, uint64_t addr) {
    const double before = cpu_ns_;
    ++descriptors_;
    cpu_ns_ += p_.invalidation_ns;
    if ((inv & 7) == kInvPage || (inv & 7) == kInvAtcPage) mmio_.write(kInvAddr, addr, 8);
    mmio_.write(kInv, inv | kInvGo, 8);
    for (int i = 0; i < 64 && (mmio_.read(kInv, 8) & kInvGo); ++i) {
    }
    ++waits_;
    cpu_ns_ += p_.wait_ns;
    queue_ns_ += cpu_ns_ - before;
}

bool Driver::can_enforce_cache_coherency() const { return cap_sc(cap_); }

std::unique_ptr<iommufd::DeviceOps> Driver::device(uint16_t sid, const iommufd::EndpointCaps& caps) {
    caps_[sid] = caps;
    return std::make_unique<iommufd::RequesterOps<Driver>>(*this, sid);
}

}  // namespace flat_driver
