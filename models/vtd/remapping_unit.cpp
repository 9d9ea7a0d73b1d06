#include "models/vtd/remapping_unit.h"

#include "models/vtd/legacy_walker.h"
#include "models/vtd/regs.h"

namespace vtd {
namespace {

constexpr uint32_t kVersion = 0x10;   // VER_REG: major 1, minor 0
constexpr uint64_t kBit63 = uint64_t(1) << 63;

// Fault recording register, upper qword (spec 11.4.14): SID 15:0, PP 31, FR 39:32,
// PV 59:40, T 62 (1: read request), F 63 (fault, write 1 to clear).
uint64_t fault_hi(const iommu::Request& r, uint32_t reason) {
    uint64_t hi = r.sid | (uint64_t(reason & 0xff) << 32) | kBit63;
    if (r.pasid_valid) hi |= (uint64_t(1) << 31) | (uint64_t(r.pasid & 0xfffff) << 40);
    if (!r.write) hi |= uint64_t(1) << 62;
    return hi;
}

}  // namespace

RemappingUnit::RemappingUnit(const Capabilities& caps) : caps_(caps) {}

std::optional<std::pair<uint32_t, unsigned>> RemappingUnit::offset_of(const std::string& name,
                                                                      const Capabilities& c) {
    static const std::map<std::string, std::pair<uint32_t, unsigned>> fixed = {
        {"VER_REG", {reg::VER, 4}},       {"CAP_REG", {reg::CAP, 8}},
        {"ECAP_REG", {reg::ECAP, 8}},     {"GCMD_REG", {reg::GCMD, 4}},
        {"GSTS_REG", {reg::GSTS, 4}},     {"RTADDR_REG", {reg::RTADDR, 8}},
        {"CCMD_REG", {reg::CCMD, 8}},     {"FSTS_REG", {reg::FSTS, 4}},
        {"FECTL_REG", {reg::FECTL, 4}},   {"FEDATA_REG", {reg::FEDATA, 4}},
        {"FEADDR_REG", {reg::FEADDR, 4}}, {"FEUADDR_REG", {reg::FEUADDR, 4}},
        {"IQH_REG", {reg::IQH, 8}},       {"IQT_REG", {reg::IQT, 8}},
        {"IQA_REG", {reg::IQA, 8}},       {"ICS_REG", {reg::ICS, 4}},
        {"PQH_REG", {reg::PQH, 8}},       {"PQT_REG", {reg::PQT, 8}},
        {"PQA_REG", {reg::PQA, 8}},       {"PRS_REG", {reg::PRS, 4}}};
    if (auto it = fixed.find(name); it != fixed.end()) return it->second;
    if (name == "IVA_REG") return std::make_pair(c.iro * 16, 8u);
    if (name == "IOTLB_REG") return std::make_pair(c.iro * 16 + 8, 8u);
    return std::nullopt;
}

uint32_t RemappingUnit::fault_reg(uint32_t offset) const {
    const uint32_t base = caps_.fro * 16;
    if (offset < base || offset >= base + caps_.nfr * 16) return ~0u;
    return (offset - base) / 16;
}

uint32_t RemappingUnit::fsts() const {
    bool pending = false;
    for (const auto& r : records_) pending |= (r.second.hi & kBit63) != 0;
    return fsts_rw1c_ | (pending ? fsts::PPF | (first_pending_ << fsts::FRI_SHIFT) : 0);
}

uint64_t RemappingUnit::read(uint32_t offset, unsigned size) const {
    const uint32_t base = offset & ~7u;
    uint64_t v = 0;
    if (const uint32_t i = fault_reg(base); i != ~0u) {
        auto it = records_.find(i);
        if (it != records_.end()) v = (base - caps_.fro * 16) % 16 ? it->second.hi : it->second.lo;
    } else if (base == reg::VER) {
        v = kVersion;
    } else if (base == reg::CAP) {
        v = caps_.cap();
    } else if (base == reg::ECAP) {
        v = caps_.ecap();
    } else if (base == reg::GCMD) {
        v = uint64_t(gsts_) << 32;  // GCMD reads as 0, GSTS above it
    } else if (base == reg::RTADDR) {
        v = rtaddr_;
    } else if (base == 0x30) {
        v = uint64_t(fsts()) << 32;
    } else if (base == reg::FECTL) {
        v = fectl_ | (stored_.count(reg::FEDATA) ? stored_.at(reg::FEDATA) << 32 : 0);
    } else {
        auto lo = stored_.find(base), hi = stored_.find(base + 4);
        v = (lo != stored_.end() ? lo->second : 0) | (hi != stored_.end() ? hi->second << 32 : 0);
    }
    if (size == 8) return v;
    return (offset & 4) ? v >> 32 : v & 0xffffffffu;
}

void RemappingUnit::write(uint32_t offset, uint64_t value, unsigned size) {
    if (size == 4) value &= 0xffffffffu;
    if (const uint32_t i = fault_reg(offset & ~7u); i != ~0u) {
        // Only F (bit 127) is writable: write 1 to clear.
        const bool upper = (offset - caps_.fro * 16) % 16 >= 8;
        const uint64_t f = size == 8 ? value & kBit63 : (offset & 4 ? value << 32 : 0) & kBit63;
        if (upper && f) records_[i].hi &= ~kBit63;
        return;
    }
    switch (offset) {
        case reg::GCMD: return write_gcmd(uint32_t(value));
        case reg::RTADDR: rtaddr_ = size == 8 ? value : (rtaddr_ & ~0xffffffffull) | value; return;
        case reg::RTADDR + 4: rtaddr_ = (rtaddr_ & 0xffffffffu) | (value << 32); return;
        case reg::FSTS: return write_fsts(uint32_t(value));
        case reg::FECTL: fectl_ = (fectl_ & ~fectl::IM) | (uint32_t(value) & fectl::IM); return;
        case reg::VER: case reg::CAP: case reg::CAP + 4: case reg::ECAP: case reg::ECAP + 4:
        case reg::GSTS: case reg::IQH: case reg::PQT:
            return;  // read-only
        case reg::CCMD:  // ICC (63) completes at once; CAIG 60:59 reports CIRG 62:61
            stored_[reg::CCMD] = (value & ~kBit63 & ~(uint64_t(3) << 59)) | (((value >> 61) & 3) << 59);
            return;
        default: break;
    }
    if (offset == caps_.iro * 16 + 8) {  // IOTLB_REG: IVT (63) completes; IAIG 58:57 = IIRG 61:60
        stored_[offset] = (value & ~kBit63 & ~(uint64_t(3) << 57)) | (((value >> 60) & 3) << 57);
        return;
    }
    stored_[offset] = value;  // stored-only registers
}

// GCMD (spec 11.4.4): one command per write; software writes GSTS's enables back with
// the bit it changes. SRTP latches RTADDR; TE, QIE, IRE and CFI are reflected in GSTS.
void RemappingUnit::write_gcmd(uint32_t v) {
    constexpr uint32_t mirrored = gcmd::TE | gcmd::QIE | gcmd::IRE | gcmd::CFI;
    uint32_t allowed = mirrored;
    if (!caps_.qi) allowed &= ~gcmd::QIE;
    gsts_ = (gsts_ & ~mirrored) | (v & allowed);
    if (v & gcmd::SRTP) {
        root_ = rtaddr_;
        gsts_ |= gcmd::SRTP;  // RTPS
    }
    if (v & gcmd::SIRTP) gsts_ |= gcmd::SIRTP;  // IRTPS
}

// FSTS: PFO and the invalidation-queue error bits are write-1-to-clear.
void RemappingUnit::write_fsts(uint32_t v) {
    fsts_rw1c_ &= ~(v & (fsts::PFO | fsts::IQE | fsts::ICE | fsts::ITE | fsts::PRO));
}

// Primary fault logging (spec 7.2.1): records fill circularly; a record whose F is
// still set, or an overflow not yet cleared, drops the fault and sets PFO.
void RemappingUnit::record_fault(const iommu::Request& r, uint32_t reason) {
    if (fsts_rw1c_ & fsts::PFO) return;
    FaultRecord& rec = records_[next_record_];
    if (rec.hi & kBit63) {
        fsts_rw1c_ |= fsts::PFO;
        return;
    }
    if (!(fsts() & fsts::PPF)) first_pending_ = next_record_;
    rec.lo = r.iova & ~uint64_t(0xfff);
    rec.hi = fault_hi(r, reason);
    next_record_ = (next_record_ + 1) % caps_.nfr;
    fectl_ |= fectl::IP;
}

iommu::Result RemappingUnit::translate(const iommu::Request& r, const TableReader& read_table) {
    if (!translation_enabled()) {
        iommu::Result pass;
        pass.pa = r.iova;
        pass.page_size = 4096;
        pass.read = pass.write = true;
        pass.snoop = !r.no_snoop;
        return pass;
    }
    LegacyWalker walk(caps_, root_ & kRtaddrAddrMask);
    walk.start(r);
    while (!walk.done()) {
        bool ok = true;
        const uint64_t v = read_table(walk.read_address(), ok);
        walk.supply(v, ok);
    }
    const iommu::Result& res = walk.result();
    if (res.fault && res.record) record_fault(r, res.reason);
    return res;
}

}  // namespace vtd
