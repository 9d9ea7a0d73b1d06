// The Stream Table Entry (IHI 0070 §5.2 "Stream Table Entry"): 64 bytes, eight
// little-endian doublewords, one per StreamID. decode_ste extracts the fields;
// check_ste says whether the SMMU must treat the STE as ILLEGAL (C_BAD_STE, §5.2 and
// §7.3) given its capabilities.
#pragma once

#include <cstdint>
#include <optional>

namespace smmuv3 {

struct Caps;

// STE.Config (§5.2): bit 2 set = translate or bypass; bit 0 stage 1, bit 1 stage 2.
// 0b0xx abort (no event), 0b100 bypass, 0b101 S1, 0b110 S2, 0b111 S1 then S2.
namespace ste_config {
constexpr unsigned ABORT = 0, BYPASS = 4, S1_TRANS = 5, S2_TRANS = 6, NESTED = 7;
}
// STE.S1Fmt (§5.2): CD table format.
namespace s1fmt {
constexpr unsigned LINEAR = 0, TWO_LEVEL_4K = 1, TWO_LEVEL_64K = 2;  // 3 reserved
}
// STE.S1DSS (§5.2): what a transaction without a SubstreamID does when S1CDMax != 0.
namespace s1dss {
constexpr unsigned TERMINATE = 0, BYPASS = 1, SSID0 = 2;  // terminate raises F_STREAM_DISABLED
}
// STE.EATS (§5.2): ATS translation requests. STE.STRW: the translation regime.
namespace eats {
constexpr unsigned ABORT = 0, FULL = 1, SPLIT = 2;
}
namespace strw {
constexpr unsigned NSEL1 = 0, EL2 = 2;  // EL2-E2H is also 0b10, chosen by CR2.E2H
}

struct Ste {
    // Doubleword 0
    bool v = false;              // 0
    unsigned config = 0;         // 3:1
    unsigned s1fmt = 0;          // 5:4
    uint64_t s1_context_ptr = 0; // 51:6, the address (low 6 bits zero)
    unsigned s1cdmax = 0;        // 63:59: 2^S1CDMax CDs; 0 = one CD, no substreams
    // Doubleword 1
    unsigned s1dss = 0;          // 1:0
    unsigned s1cir = 0, s1cor = 0, s1csh = 0;  // 3:2, 5:4, 7:6: CD table fetch attributes
    bool s1stalld = false;       // 27
    unsigned eats = 0;           // 29:28
    unsigned strw = 0;           // 31:30
    unsigned memattr = 0;        // 35:32
    bool mtcfg = false;          // 36: 1 = replace the incoming memory type with MemAttr
    unsigned alloccfg = 0;       // 40:37
    unsigned shcfg = 0;          // 45:44: 0 non-shareable, 1 use incoming, 2 outer, 3 inner
    unsigned nscfg = 0;          // 47:46
    unsigned privcfg = 0;        // 49:48
    unsigned instcfg = 0;        // 51:50
    // Doubleword 2
    uint16_t s2vmid = 0;         // 15:0
    unsigned s2t0sz = 0;         // 37:32
    unsigned s2sl0 = 0;          // 39:38
    unsigned s2ir0 = 0, s2or0 = 0, s2sh0 = 0;  // 41:40, 43:42, 45:44
    unsigned s2tg = 0;           // 47:46: 0 4K, 1 64K, 2 16K
    unsigned s2ps = 0;           // 50:48
    bool s2aa64 = false;         // 51
    bool s2endi = false;         // 52
    bool s2affd = false;         // 53: access flag faults disabled
    bool s2ptw = false;          // 54: protected table walk
    bool s2hd = false;           // 55
    bool s2ha = false;           // 56
    bool s2s = false;            // 57: stall on stage-2 fault
    bool s2r = false;            // 58: record stage-2 faults
    // Doubleword 3
    uint64_t s2ttb = 0;          // 51:4, the address (low 4 bits zero)

    bool abort() const { return (config & 4) == 0; }
    bool bypass() const { return config == ste_config::BYPASS; }
    bool stage1() const { return (config & 5) == 5; }
    bool stage2() const { return (config & 6) == 6; }
};

Ste decode_ste(const uint64_t dw[8]);

// Why an STE is ILLEGAL (§5.2, the conditions listed with each field). Each one makes a
// transaction that uses the STE record C_BAD_STE.
enum class SteIllegal {
    NotValid,               // V == 0
    Stage1Unsupported,      // Config enables stage 1, IDR0.S1P == 0
    Stage2Unsupported,      // Config enables stage 2, IDR0.S2P == 0
    S1FmtReserved,          // S1Fmt == 3 (with S1CDMax != 0)
    S1CDMaxTooBig,          // S1CDMax > IDR1.SSIDSIZE
    TwoLevelCdUnsupported,  // S1Fmt != linear with S1CDMax != 0, IDR0.CD2L == 0
    S1StalldNotAllowed,     // S1STALLD == 1 with IDR0.STALL_MODEL != 0b00
    EatsReserved,           // EATS == 0b11 (DPT checks: not implemented, reserved here)
    EatsWithStage2Stall,    // EATS 0b01/0b10 with Config 0b11x and S2S == 1 (SMMUv3.1+)
    EatsSplitInvalid,       // EATS 0b10 with Config != 0b111 or IDR0.NS1ATS == 1
    StrwReserved,           // STRW 0b01, 0b11, or EL2 without IDR0.HYP (with stage 1)
    S2Aarch32,              // S2AA64 == 0 and IDR0.TTF has no AArch32
    S2GranuleUnsupported,   // S2TG reserved, or a granule IDR5 does not list
    S2T0szOutOfRange,       // S2T0SZ outside the range for the granule
    S2Sl0Inconsistent,      // S2SL0 reserved, or inconsistent with S2T0SZ and S2TG
    S2EndiUnsupported,      // S2ENDI selects an endianness IDR0.TTENDIAN lacks
    S2StallInconsistent,    // S2S == 1 with STALL_MODEL 0b01, or 0 with 0b10
    S2TtbBeyondPs,          // S2TTB has bits above the effective S2PS (min(S2PS, OAS))
};

std::optional<SteIllegal> check_ste(const Ste& ste, const Caps& caps);
const char* ste_illegal_name(SteIllegal why);

// The effective stage-2 output size: min(S2PS, IDR5.OAS) in bits (§5.2 STE.S2PS).
unsigned s2_effective_ps_bits(const Ste& ste, const Caps& caps);

}  // namespace smmuv3
