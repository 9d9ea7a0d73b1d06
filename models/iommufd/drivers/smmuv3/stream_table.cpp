// The stream table and each device's STE and CD (IHI 0070 3.3, 5.1, 5.2, 5.4), as
// Linux's arm_smmu_init_strtab, arm_smmu_init_l2_strtab and arm_smmu_write_entry do it.
#include <algorithm>

#include "models/iommufd/drivers/smmuv3/encoding.h"
#include "models/iommufd/drivers/smmuv3/smmu_domain.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

using namespace enc;

namespace {
constexpr uint64_t kAbortSte = 1 | kCfgAbort << 1;  // V, Config abort: DMA aborts without events
Cmd cfgi_ste(uint16_t sid) { return {kOpCfgiSte | uint64_t(sid) << 32, 1}; }
// An STE uses dwords beyond 0 when valid and bypassing or translating.
bool ste_uses_rest(uint64_t dw0) { return (dw0 & 1) && (enc::bits(dw0, 1, 3) & 4); }
}  // namespace

// Every STE an abort STE, as Linux's arm_smmu_init_initial_stes with disable_bypass.
void Driver::init_abort_stes(uint64_t table, uint64_t count) {
    for (uint64_t i = 0; i < count; ++i) write_entry(table + i * 64, kAbortSte);
}

// Linear when two-level tables are absent or one level-2 table would hold every
// StreamID (SIDSIZE <= SPLIT); else two-level with SPLIT 8 and at most 2^17 level-1
// descriptors (STRTAB_L1_SZ_SHIFT 20), level-2 tables made as devices appear.
Errno Driver::init_strtab() {
    two_level_ = idr0_st_level(idr_[0]) == 1 && sid_bits_ > kSplit;
    if (two_level_) {
        const unsigned l1_bits = std::min(sid_bits_ - kSplit, 17u);
        l1_entries_ = uint64_t(1) << l1_bits;
        strtab_ = alloc(l1_entries_ * 8);
        strtab_cfg_ = (l1_bits + kSplit) | kSplit << 6 | 1u << 16;  // LOG2SIZE, SPLIT, FMT 2-level
        return strtab_ ? Errno::Ok : Errno::NoMem;
    }
    if (sid_bits_ > 16)
        return fail("", "a linear stream table of 2^" + std::to_string(sid_bits_) +
                            " STEs is too large; two-level tables are needed (IDR0.ST_LEVEL)", "smmuv3.st_level");
    strtab_ = alloc(uint64_t(64) << sid_bits_);
    if (!strtab_) return Errno::NoMem;
    strtab_cfg_ = sid_bits_;  // FMT linear, LOG2SIZE
    init_abort_stes(strtab_, uint64_t(1) << sid_bits_);
    return Errno::Ok;
}

// The STE of `sid`, making its level-2 table (256 abort STEs; L1 SPAN = SPLIT + 1) on
// first use; 0 for a StreamID beyond SIDSIZE or when memory runs out.
uint64_t Driver::ste_address(uint16_t sid) {
    if (sid_bits_ < 16 && (sid >> sid_bits_)) return 0;
    if (!two_level_) return strtab_ + uint64_t(sid) * 64;
    const uint64_t l1 = strtab_ + uint64_t(sid >> kSplit) * 8;
    uint64_t desc = m_.read64(l1);
    if (!(desc & 31)) {
        const uint64_t l2 = alloc(uint64_t(64) << kSplit);
        if (!l2) return 0;
        init_abort_stes(l2, uint64_t(1) << kSplit);
        desc = l2 | (kSplit + 1);
        write_entry(l1, desc);
    }
    return (desc & kAddr51_6) + uint64_t(sid & ((1u << kSplit) - 1)) * 64;
}

// Writes a 64-byte STE or CD so that the unit never uses half an entry (Linux's
// arm_smmu_write_entry, simplified): when only dword 0 changes, or the live entry
// ignores dwords 1-7, those go first and dword 0 (with V) last; when the new entry
// ignores them, dword 0 goes first; when both use changing dwords, V is cleared first
// (break-before-make). Each step is made visible with `cfgi` and CMD_SYNC.
void Driver::write_structure(uint64_t pa, const uint64_t (&want)[8], bool old_uses_rest, bool new_uses_rest,
                             const Cmd& cfgi) {
    bool rest_differs = false;
    for (unsigned i = 1; i < 8; ++i) rest_differs |= m_.read64(pa + 8 * i) != want[i];
    const auto write_rest = [&] {
        for (unsigned i = 1; i < 8; ++i)
            if (m_.read64(pa + 8 * i) != want[i]) write_entry(pa + 8 * i, want[i]);
    };
    const auto write_first = [&] {
        if (m_.read64(pa) != want[0]) write_entry(pa, want[0]);
    };
    if (!rest_differs) {
        if (m_.read64(pa) == want[0]) return;
        write_first();
    } else if (!old_uses_rest) {
        write_rest();
        issue({cfgi});
        write_first();
    } else if (!new_uses_rest) {
        write_first();
        issue({cfgi});
        write_rest();
    } else {
        write_entry(pa, 0);
        issue({cfgi});
        write_rest();
        write_first();
    }
    issue({cfgi});
}

void Driver::write_ste(uint16_t sid, uint64_t ste, const uint64_t (&want)[8]) {
    write_structure(ste, want, ste_uses_rest(m_.read64(ste)), ste_uses_rest(want[0]), cfgi_ste(sid));
}

// Identity: a bypass STE with SHCFG "incoming". Stage 2: the domain's STE
// (arm_smmu_make_s2_domain_ste), S2S for a stall-enabled device. Stage 1: cd_table.cpp. Either paging STE has EATS
// 0b01 for a device that gets ATS (ats.cpp), which is turned off before and on after.
Errno Driver::attach(Domain& dom, uint16_t sid) {
    drain_events();
    const uint64_t ste = ste_address(sid);
    if (!ste) return sid_bits_ < 16 && (sid >> sid_bits_) ? Errno::Inval : Errno::NoMem;
    uint64_t s[8] = {};
    auto* d = dynamic_cast<SmmuDomain*>(&dom);
    if (!dynamic_cast<IdentityDomain*>(&dom) && (!d || &d->driver() != this)) return Errno::Inval;
    const bool ats = d && ats_supported(sid);
    ats_prepare(sid, ats);
    Errno e = Errno::Ok;
    if (!d) {
        s[0] = 1 | uint64_t(kCfgBypass) << 1;
        s[1] = kShcfgIncoming << 44;
        write_ste(sid, ste, s);
    } else if (d->stage() == SmmuDomain::Stage::S1) {
        e = attach_s1(*d, sid, ste, ats);
    } else {
        d->s2_ste(s);
        if (ats) s[1] |= kSteEatsTrans;
        // arm_smmu_make_s2_domain_ste with stall_enabled; never beside EATS, which
        // S2S makes ILLEGAL (IHI 0070 5.2; a PCIe device with ATS does not stall).
        if (stall_enabled(sid) && !ats) s[2] |= kSteS2S;
        write_ste(sid, ste, s);
    }
    if (e == Errno::Ok) ats_commit(sid, d, ats);
    return e;
}

// Blocked: an abort STE (arm_smmu_make_abort_ste), dword 0 first; ATS off around it.
Errno Driver::detach(uint16_t sid) {
    drain_events();
    const uint64_t ste = ste_address(sid);
    if (!ste) return Errno::NoEnt;
    ats_prepare(sid, false);
    const uint64_t s[8] = {kAbortSte};
    write_ste(sid, ste, s);
    ats_commit(sid, nullptr, false);
    return Errno::Ok;
}

}  // namespace iommufd::smmuv3
