// The FLAT unit's register page (flat_spec.h section 1): CTRL/STATUS, DEVTAB, the
// invalidation register and the fault records.
#include <string>

#include "tests/support/flat/flat_registers.h"
#include "tests/support/flat/flat_unit.h"

namespace flat {

namespace {

// The register at `offset` and its size, or 0 when the offset holds none.
unsigned size_of(uint32_t offset, unsigned records) {
    switch (offset) {
        case reg::CAP: case reg::DEVTAB: case reg::INV: case reg::INV_ADDR: return 8;
        case reg::CTRL: case reg::STATUS: case reg::FSTS: return 4;
        default: break;
    }
    const bool in_records = offset >= reg::FREC && offset < reg::FREC + reg::FREC_STRIDE * records;
    return in_records && offset % 8 == 0 ? 8 : 0;
}

}  // namespace

uint64_t Unit::read(uint32_t offset, unsigned size) const {
    const unsigned records = cap::records(cap_);
    if (size != size_of(offset, records)) return 0;
    switch (offset) {
        case reg::CAP: return cap_;
        case reg::CTRL: return ctrl_;
        case reg::STATUS: return status_;
        case reg::DEVTAB: return devtab_;
        case reg::INV: return inv_;  // GO already clear: invalidation is immediate
        case reg::INV_ADDR: return inv_addr_;
        case reg::FSTS: {
            uint32_t v = overflow_ ? FSTS_OVF : 0;
            for (unsigned i = 0; i < records; ++i)
                if (records_[i].info & BIT63) v |= FSTS_PF;
            return v;
        }
        default: return read_record(offset);
    }
}

void Unit::write(uint32_t offset, uint64_t value, unsigned size) {
    if (size != size_of(offset, cap::records(cap_))) return;
    switch (offset) {
        case reg::CTRL: return write_ctrl(uint32_t(value));
        case reg::DEVTAB: devtab_ = value & ADDR_47_12; return;
        case reg::INV: return write_inv(value);
        case reg::INV_ADDR: inv_addr_ = value & ~uint64_t(0xfff); return;
        case reg::FSTS:
            if (value & FSTS_OVF) overflow_ = false;
            return;
        case reg::CAP: case reg::STATUS: return;
        default: return clear_record(offset, value);
    }
}

// EN 0->1 latches DEVTAB and starts from empty caches; the handshake completes at once.
void Unit::write_ctrl(uint32_t v) {
    const bool was = ctrl_ & CTRL_EN;
    ctrl_ = v & CTRL_EN;
    if (!was && (ctrl_ & CTRL_EN)) {
        devtab_live_ = devtab_;
        device_cache_.invalidate_all();
        iotlb_.invalidate_all();
        status_ = STATUS_ENS;
    } else if (was && !(ctrl_ & CTRL_EN)) {
        status_ = 0;
    }
}

void Unit::write_inv(uint64_t v) {
    if (!(v & inv::GO)) return;
    const unsigned type = inv::type(v);
    const bool valid = (type >= inv::ALL && type <= inv::PAGE) ||
                       (cap::ats(cap_) && (type == inv::ATC_PAGE || type == inv::ATC_ALL));
    inv_ = (v & inv::FIELDS) | (valid ? 0 : inv::ERR);
    if (!valid) {
        ++inv_errors_;
        return;
    }
    invalidate(type, inv::sid(v), inv::did(v), inv_addr_);
}

void Unit::invalidate(unsigned type, uint16_t sid, uint16_t did, uint64_t addr) {
    std::string args;
    const char* kind = "";
    switch (type) {
        case inv::ALL:
            device_cache_.invalidate_all();
            iotlb_.invalidate_all();
            ++inv_all_;
            kind = "all";
            break;
        case inv::DEVICE:
            device_cache_.erase({sid});
            ++inv_device_;
            kind = "device";
            args = "\"sid\":" + std::to_string(sid);
            break;
        case inv::DOMAIN:
            iotlb_.invalidate_if([did](const IotlbKey& k, uint64_t) { return k.did == did; });
            ++inv_domain_;
            kind = "domain";
            args = "\"did\":" + std::to_string(did);
            break;
        case inv::ATC_PAGE:
        case inv::ATC_ALL: {
            iommu::AtsInvalidation m;
            m.sid = sid;
            m.addr = type == inv::ATC_PAGE ? addr : 0;
            m.size = type == inv::ATC_PAGE ? 4096 : 0;
            if (endpoints) endpoints->invalidate(m);
            ++inv_atc_;
            kind = "atc";
            args = "\"sid\":" + std::to_string(sid) + ",\"addr\":" + std::to_string(m.addr) +
                   ",\"size\":" + std::to_string(m.size);
            break;
        }
        default:
            iotlb_.erase({did, addr >> 12});
            ++inv_page_;
            kind = "page";
            args = "\"did\":" + std::to_string(did) + ",\"addr\":" + std::to_string(addr);
            break;
    }
    if (on_invalidate) on_invalidate(kind, args);
}

// Records fill circularly; one whose F is still set drops the fault (FSTS.OVF).
void Unit::record_fault(const iommu::Request& r, uint32_t reason) {
    Record& rec = records_[next_record_ % cap::records(cap_)];
    if (rec.info & BIT63) {
        overflow_ = true;
        return;
    }
    rec.addr = r.iova;
    rec.info = r.sid | uint64_t(reason & 0xff) << 16 | uint64_t(r.write) << 32 | BIT63;
    next_record_ = (next_record_ + 1) % cap::records(cap_);
}

uint64_t Unit::read_record(uint32_t offset) const {
    const Record& rec = records_[(offset - reg::FREC) / reg::FREC_STRIDE];
    return (offset - reg::FREC) % reg::FREC_STRIDE ? rec.info : rec.addr;
}

// Only F of FREC_INFO is writable (write 1 to clear).
void Unit::clear_record(uint32_t offset, uint64_t value) {
    if ((offset - reg::FREC) % reg::FREC_STRIDE == 0) return;
    Record& rec = records_[(offset - reg::FREC) / reg::FREC_STRIDE];
    if (value & BIT63) rec.info &= ~BIT63;
}

}  // namespace flat
