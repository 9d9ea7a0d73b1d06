#include "models/smmuv3/cd.h"

#include <algorithm>

#include "models/smmuv3/bits.h"
#include "models/smmuv3/capabilities.h"
#include "models/smmuv3/granule.h"

namespace smmuv3 {

// Field positions: §5.4, Table "CD fields" (Linux CTXDESC_CD_*, gem5 ContextDescriptor).
Cd decode_cd(const uint64_t dw[8]) {
    Cd c;
    c.t0sz = unsigned(bits(dw[0], 5, 0));
    c.tg0 = unsigned(bits(dw[0], 7, 6));
    c.irgn0 = unsigned(bits(dw[0], 9, 8));
    c.orgn0 = unsigned(bits(dw[0], 11, 10));
    c.sh0 = unsigned(bits(dw[0], 13, 12));
    c.epd0 = bit(dw[0], 14);
    c.endi = bit(dw[0], 15);
    c.t1sz = unsigned(bits(dw[0], 21, 16));
    c.tg1 = unsigned(bits(dw[0], 23, 22));
    c.epd1 = bit(dw[0], 30);
    c.v = bit(dw[0], 31);
    c.ips = unsigned(bits(dw[0], 34, 32));
    c.affd = bit(dw[0], 35);
    c.wxn = bit(dw[0], 36);
    c.uwxn = bit(dw[0], 37);
    c.tbi0 = bit(dw[0], 38);
    c.tbi1 = bit(dw[0], 39);
    c.pan = bit(dw[0], 40);
    c.aa64 = bit(dw[0], 41);
    c.hd = bit(dw[0], 42);
    c.ha = bit(dw[0], 43);
    c.s = bit(dw[0], 44);
    c.r = bit(dw[0], 45);
    c.a = bit(dw[0], 46);
    c.aset = bit(dw[0], 47);
    c.asid = uint16_t(bits(dw[0], 63, 48));
    c.ttb0 = bits(dw[1], 51, 4) << 4;
    c.ttb1 = bits(dw[2], 51, 4) << 4;
    c.mair = dw[3];
    c.amair = dw[4];
    return c;
}

unsigned cd_effective_ips_bits(const Cd& cd, const Caps& caps) {
    return std::min(address_size_bits(cd.ips), caps.oas_bits());
}

// The ILLEGAL conditions of §5.4. TTB0's fields are checked only when walks through it
// are enabled (EPD0 == 0); the model translates through TTB0 only (no TTB1 region).
std::optional<CdIllegal> check_cd(const Cd& c, const Caps& caps) {
    if (!c.v) return CdIllegal::NotValid;
    if (!c.aa64 && (caps.ttf & 1) == 0) return CdIllegal::Aarch32;
    if (!c.epd0) {
        const unsigned g = tg0_log2_granule(c.tg0);
        if (g == 0 || !caps.granule_supported(g)) return CdIllegal::Tg0Unsupported;
        if (c.t0sz < txsz_min(g, caps.vax == 1) || c.t0sz > txsz_max(g, caps)) return CdIllegal::T0szOutOfRange;
    }
    if ((c.endi && caps.ttendian == 2) || (!c.endi && caps.ttendian == 3)) return CdIllegal::EndiUnsupported;
    if ((c.s && caps.stall_model == 1) || (!c.s && caps.stall_model == 2)) return CdIllegal::StallInconsistent;
    if (!c.a && caps.term_model) return CdIllegal::AbortRequired;
    if (!c.epd0) {
        const unsigned ips = cd_effective_ips_bits(c, caps);
        if (ips < 64 && (c.ttb0 >> ips) != 0) return CdIllegal::Ttb0BeyondIps;
    }
    return std::nullopt;
}

const char* cd_illegal_name(CdIllegal why) {
    switch (why) {
        case CdIllegal::NotValid: return "not-valid";
        case CdIllegal::Aarch32: return "aarch32";
        case CdIllegal::T0szOutOfRange: return "t0sz-out-of-range";
        case CdIllegal::Tg0Unsupported: return "tg0-unsupported";
        case CdIllegal::EndiUnsupported: return "endi-unsupported";
        case CdIllegal::StallInconsistent: return "s-inconsistent";
        case CdIllegal::AbortRequired: return "a-required";
        case CdIllegal::Ttb0BeyondIps: return "ttb0-beyond-ips";
    }
    return "?";
}

}  // namespace smmuv3
