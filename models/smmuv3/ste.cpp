#include "models/smmuv3/ste.h"

#include <algorithm>

#include "models/smmuv3/bits.h"
#include "models/smmuv3/capabilities.h"
#include "models/smmuv3/granule.h"

namespace smmuv3 {

// Field positions: §5.2, Table "STE fields" (Linux STRTAB_STE_*, gem5 StreamTableEntry).
Ste decode_ste(const uint64_t dw[8]) {
    Ste s;
    s.v = bit(dw[0], 0);
    s.config = unsigned(bits(dw[0], 3, 1));
    s.s1fmt = unsigned(bits(dw[0], 5, 4));
    s.s1_context_ptr = bits(dw[0], 51, 6) << 6;
    s.s1cdmax = unsigned(bits(dw[0], 63, 59));

    s.s1dss = unsigned(bits(dw[1], 1, 0));
    s.s1cir = unsigned(bits(dw[1], 3, 2));
    s.s1cor = unsigned(bits(dw[1], 5, 4));
    s.s1csh = unsigned(bits(dw[1], 7, 6));
    s.s1stalld = bit(dw[1], 27);
    s.eats = unsigned(bits(dw[1], 29, 28));
    s.strw = unsigned(bits(dw[1], 31, 30));
    s.memattr = unsigned(bits(dw[1], 35, 32));
    s.mtcfg = bit(dw[1], 36);
    s.alloccfg = unsigned(bits(dw[1], 40, 37));
    s.shcfg = unsigned(bits(dw[1], 45, 44));
    s.nscfg = unsigned(bits(dw[1], 47, 46));
    s.privcfg = unsigned(bits(dw[1], 49, 48));
    s.instcfg = unsigned(bits(dw[1], 51, 50));

    s.s2vmid = uint16_t(bits(dw[2], 15, 0));
    s.s2t0sz = unsigned(bits(dw[2], 37, 32));
    s.s2sl0 = unsigned(bits(dw[2], 39, 38));
    s.s2ir0 = unsigned(bits(dw[2], 41, 40));
    s.s2or0 = unsigned(bits(dw[2], 43, 42));
    s.s2sh0 = unsigned(bits(dw[2], 45, 44));
    s.s2tg = unsigned(bits(dw[2], 47, 46));
    s.s2ps = unsigned(bits(dw[2], 50, 48));
    s.s2aa64 = bit(dw[2], 51);
    s.s2endi = bit(dw[2], 52);
    s.s2affd = bit(dw[2], 53);
    s.s2ptw = bit(dw[2], 54);
    s.s2hd = bit(dw[2], 55);
    s.s2ha = bit(dw[2], 56);
    s.s2s = bit(dw[2], 57);
    s.s2r = bit(dw[2], 58);

    s.s2ttb = bits(dw[3], 51, 4) << 4;
    return s;
}

unsigned s2_effective_ps_bits(const Ste& ste, const Caps& caps) {
    return std::min(address_size_bits(ste.s2ps), caps.oas_bits());
}

// §5.2 STE.EATS, IGNORED without IDR0.ATS (and for abort/bypass Configs, which never
// get here): 0b11 selects DPT checks, which this SMMU (no IDR3.DPT) does not have —
// the model keeps v3.2's reading, Reserved and ILLEGAL. Full and split-stage ATS are
// ILLEGAL with a stalling stage 2; split-stage also needs Config 0b111 and an SMMU
// whose IDR0.NS1ATS is 0 (NS1ATS == 1 means split-stage is not supported).
static std::optional<SteIllegal> check_eats(const Ste& s, const Caps& caps) {
    if (!caps.ats || s.eats == eats::ABORT) return std::nullopt;
    if (s.eats == 3) return SteIllegal::EatsReserved;
    if (s.stage2() && s.s2s) return SteIllegal::EatsWithStage2Stall;
    if (s.eats == eats::SPLIT && (s.config != ste_config::NESTED || caps.ns1ats)) return SteIllegal::EatsSplitInvalid;
    return std::nullopt;
}

// The ILLEGAL conditions of §5.2, checked in the order the fields appear. Fields that
// the STE's Config does not use are IGNORED (stage-1 fields when stage 1 is off, and
// stage-2 fields when stage 2 is off), so they cannot make it ILLEGAL.
std::optional<SteIllegal> check_ste(const Ste& s, const Caps& caps) {
    if (!s.v) return SteIllegal::NotValid;
    if (s.abort() || s.bypass()) return std::nullopt;
    if (s.stage1() && !caps.s1p) return SteIllegal::Stage1Unsupported;
    if (s.stage2() && !caps.s2p) return SteIllegal::Stage2Unsupported;
    if (s.stage1()) {
        if (s.s1cdmax != 0) {
            if (s.s1fmt == 3) return SteIllegal::S1FmtReserved;
            if (s.s1cdmax > caps.ssidsize) return SteIllegal::S1CDMaxTooBig;
            if (s.s1fmt != s1fmt::LINEAR && !caps.cd2l) return SteIllegal::TwoLevelCdUnsupported;
        }
        if (s.s1stalld && caps.stall_model != 0) return SteIllegal::S1StalldNotAllowed;
        if (s.strw == 1 || s.strw == 3 || (s.strw == strw::EL2 && !caps.hyp)) return SteIllegal::StrwReserved;
    }
    if (const auto e = check_eats(s, caps)) return e;
    if (s.stage2()) {
        if (!s.s2aa64 && (caps.ttf & 1) == 0) return SteIllegal::S2Aarch32;
        const unsigned g = tg0_log2_granule(s.s2tg);
        if (g == 0 || !caps.granule_supported(g)) return SteIllegal::S2GranuleUnsupported;
        const unsigned ps = s2_effective_ps_bits(s, caps);
        if (s.s2t0sz < txsz_min(g, ps == 52) || s.s2t0sz > txsz_max(g, caps)) return SteIllegal::S2T0szOutOfRange;
        const int level = s2_start_level(s.s2sl0, g);
        if (!s2_start_level_allowed(s.s2sl0, g, caps.oas_bits()) || !s2_start_level_consistent(level, g, s.s2t0sz))
            return SteIllegal::S2Sl0Inconsistent;
        if ((s.s2endi && caps.ttendian == 2) || (!s.s2endi && caps.ttendian == 3)) return SteIllegal::S2EndiUnsupported;
        if ((s.s2s && caps.stall_model == 1) || (!s.s2s && caps.stall_model == 2)) return SteIllegal::S2StallInconsistent;
        if (ps < 64 && (s.s2ttb >> ps) != 0) return SteIllegal::S2TtbBeyondPs;
    }
    return std::nullopt;
}

const char* ste_illegal_name(SteIllegal why) {
    switch (why) {
        case SteIllegal::NotValid: return "not-valid";
        case SteIllegal::Stage1Unsupported: return "stage1-unsupported";
        case SteIllegal::Stage2Unsupported: return "stage2-unsupported";
        case SteIllegal::S1FmtReserved: return "s1fmt-reserved";
        case SteIllegal::S1CDMaxTooBig: return "s1cdmax-beyond-ssidsize";
        case SteIllegal::TwoLevelCdUnsupported: return "two-level-cd-unsupported";
        case SteIllegal::S1StalldNotAllowed: return "s1stalld-not-allowed";
        case SteIllegal::EatsReserved: return "eats-reserved";
        case SteIllegal::EatsWithStage2Stall: return "eats-with-s2-stall";
        case SteIllegal::EatsSplitInvalid: return "eats-split-invalid";
        case SteIllegal::StrwReserved: return "strw-reserved";
        case SteIllegal::S2Aarch32: return "s2-aarch32";
        case SteIllegal::S2GranuleUnsupported: return "s2tg-unsupported";
        case SteIllegal::S2T0szOutOfRange: return "s2t0sz-out-of-range";
        case SteIllegal::S2Sl0Inconsistent: return "s2sl0-inconsistent";
        case SteIllegal::S2EndiUnsupported: return "s2endi-unsupported";
        case SteIllegal::S2StallInconsistent: return "s2s-inconsistent";
        case SteIllegal::S2TtbBeyondPs: return "s2ttb-beyond-s2ps";
    }
    return "?";
}

}  // namespace smmuv3
