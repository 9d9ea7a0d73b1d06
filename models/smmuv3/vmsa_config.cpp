#include "models/smmuv3/vmsa_config.h"

#include "models/smmuv3/capabilities.h"
#include "models/smmuv3/granule.h"

namespace smmuv3 {

// The encodings and ranges live in granule.h / capabilities.h, shared with the STE
// and CD checks; this file only maps them onto the walker's types.
bool decode_tg0(unsigned field, Granule& out) {
    const unsigned g = tg0_log2_granule(field);
    if (g == 0) return false;
    out = Granule(g);
    return true;
}

unsigned decode_ps(unsigned field) { return address_size_bits(field); }

const char* describe(ConfigError e) {
    switch (e) {
    case ConfigError::None: return "valid";
    case ConfigError::TxszRange: return "TxSZ outside the valid range for the granule";
    case ConfigError::TtbRange: return "table base beyond the effective output size";
    case ConfigError::Sl0Reserved: return "S2SL0 reserved for the granule or PA size";
    case ConfigError::Sl0Inconsistent: return "S2T0SZ inconsistent with the S2SL0 level";
    }
    return "?";
}

namespace {

unsigned grain(Granule g) { return unsigned(g); }

// IHI0070 5.4 T0SZ (and 5.2 S2T0SZ, same ranges for an AArch64 stage 2): 16..39,
// or up to 48 / 47 (64 KiB) with SMMU_IDR3.STT.
bool txsz_in_range(unsigned tsz, Granule g, bool stt) {
    return tsz >= txsz_min(grain(g), false) && tsz <= txsz_max(grain(g), stt);
}

bool beyond(uint64_t addr, unsigned bits) { return bits < 64 && (addr >> bits) != 0; }

}  // namespace

ConfigError check(const Stage1Config& c, bool stt) {
    if (c.epd0) return ConfigError::None;  // T0SZ, TG0, TTB0 are IGNORED
    if (!txsz_in_range(c.t0sz, c.tg0, stt)) return ConfigError::TxszRange;
    if (beyond(c.ttb0, c.ips_bits)) return ConfigError::TtbRange;
    return ConfigError::None;
}

// Stage 2 starting level (Arm ARM D8.2, VTCR_EL2.SL0 without FEAT_LPA2/FEAT_TTST):
//   4 KiB:  SL0 0 -> level 2, 1 -> level 1, 2 -> level 0 (needs PAMax >= 44), 3 reserved
//   16 KiB: SL0 0 -> level 3, 1 -> level 2, 2 -> level 1 (needs PAMax >= 42), 3 reserved
//   64 KiB: SL0 0 -> level 3, 1 -> level 2, 2 -> level 1 (needs PAMax >= 44), 3 reserved
// (AArch64.S2InvalidSL). The IPA size must then fit the start level: at least one bit
// more than the levels below it resolve, and at most a full stride plus 4 bits, i.e.
// up to 16 concatenated start tables (AArch64.S2InconsistentSL; D8.2 "Concatenating
// translation tables at the initial level of stage 2"). An S2T0SZ wider than the
// effective S2PS is CONSTRAINED UNPREDICTABLE in the Arm ARM; it is not rejected here.
ConfigError check(const Stage2Config& c, unsigned pa_max_bits, bool stt) {
    if (!txsz_in_range(c.t0sz, c.tg, stt)) return ConfigError::TxszRange;
    if (!s2_start_level_allowed(c.sl0, grain(c.tg), pa_max_bits)) return ConfigError::Sl0Reserved;
    if (!s2_start_level_consistent(s2_start_level(c.sl0, grain(c.tg)), grain(c.tg), c.t0sz))
        return ConfigError::Sl0Inconsistent;
    if (beyond(c.ttb, c.ps_bits)) return ConfigError::TtbRange;
    return ConfigError::None;
}

// Stage 1 starting level (Arm ARM D8.2 "Translation table walk": the walk starts at
// the level that leaves at most one stride of input bits for it): with n = grain and
// s = n - 3, levels = ceil((IA - n) / s), start = 4 - levels. For example 4 KiB:
// IA 48 -> level 0, 39 -> 1, 30 -> 2; 64 KiB: IA 48 -> level 1, 42 -> 2.
Geometry geometry(const Stage1Config& c) {
    Geometry g;
    g.grain = uint8_t(grain(c.tg0));
    g.stride = uint8_t(g.grain - 3);
    g.ia = uint8_t(64 - c.t0sz);
    const unsigned levels = (g.ia - g.grain + g.stride - 1) / g.stride;
    g.start = uint8_t(4 - levels);
    g.oa = uint8_t(c.ips_bits);
    return g;
}

Geometry geometry(const Stage2Config& c) {
    Geometry g;
    g.grain = uint8_t(grain(c.tg));
    g.stride = uint8_t(g.grain - 3);
    g.ia = uint8_t(64 - c.t0sz);
    const int start = s2_start_level(c.sl0 > 2 ? 2 : c.sl0, g.grain);  // check() rejected 3
    g.start = uint8_t(start);
    g.oa = uint8_t(c.ps_bits);
    return g;
}

}  // namespace smmuv3
