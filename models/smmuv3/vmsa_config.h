// What an SMMUv3 context hands the VMSAv8-64 walk: one stage's table base, input size,
// granule, output size and hardware-update controls, decoded from the CD (stage 1,
// SMMUv3 IHI0070 5.4) or the STE (stage 2, 5.2), and the checks that make a
// combination ILLEGAL (the caller records C_BAD_CD / C_BAD_STE for them).
//
// Supported: AArch64 (VMSAv8-64) tables, TTB0 only (TTB1 / upper VA ranges are not
// modelled), input sizes up to 48 bits (T0SZ >= 16: no 52-bit VA, no FEAT_LPA2 / DS),
// output sizes up to 52 bits with the 64 KiB granule (FEAT_LPA: OA[51:48] in
// descriptor bits 15:12), 48 bits with 4 KiB and 16 KiB.
#pragma once

#include <cstdint>

namespace smmuv3 {

// Translation granule; the value is log2 of its size (Arm ARM D8.2 "Translation
// granule"): each table is one granule of 8-byte descriptors, so a level resolves
// log2(size) - 3 bits.
enum class Granule : uint8_t { k4K = 12, k16K = 14, k64K = 16 };

// CD.TG0 and STE.S2TG share TCR_ELx.TG0's encoding (IHI0070 5.4 TG0, 5.2 S2TG):
// 0b00 4KB, 0b01 64KB, 0b10 16KB, 0b11 reserved (false: ILLEGAL).
bool decode_tg0(unsigned field, Granule& out);

// CD.IPS / STE.S2PS (IHI0070 5.4 IPS): 0 32, 1 36, 2 40, 3 42, 4 44, 5 48, 6 52 bits;
// 7 behaves as 0b110 in SMMUv3.1-3.3 (this model). The caller caps the result at
// SMMU_IDR5.OAS: eff_IPS = MIN(CD.IPS, OAS).
unsigned decode_ps(unsigned field);

// Stage 1, from a CD (IHI0070 5.4).
struct Stage1Config {
    uint64_t ttb0 = 0;        // CD.TTB0, a PA (an IPA when stage 2 also translates)
    unsigned t0sz = 16;       // CD.T0SZ: input size 64 - T0SZ bits
    Granule tg0 = Granule::k4K;
    unsigned ips_bits = 48;   // effective IPS, already capped at SMMU_IDR5.OAS
    bool epd0 = false;        // CD.EPD0: a TTB0 miss is a Translation fault, no walk
    bool affd = false;        // CD.AFFD: AF=0 never faults (considered 1) unless HA
    bool ha = false;          // CD.HA: hardware sets AF
    bool hd = false;          // CD.HD: hardware dirty state (only with HA)
    bool had0 = false;        // CD.HAD0: APTable/PXNTable/UXNTable ignored
    uint64_t mair = 0;        // CD.MAIR0/1: the attribute bytes a leaf's AttrIndx selects
};

// Stage 2, from an STE (IHI0070 5.2, dword 2-3).
struct Stage2Config {
    uint64_t ttb = 0;         // STE.S2TTB, a PA
    unsigned t0sz = 24;       // STE.S2T0SZ: IPA size 64 - S2T0SZ bits
    unsigned sl0 = 1;         // STE.S2SL0: starting level, per granule
    Granule tg = Granule::k4K;
    unsigned ps_bits = 48;    // effective S2PS, already capped at SMMU_IDR5.OAS
    bool affd = false;        // STE.S2AFFD
    bool ha = false;          // STE.S2HA
    bool hd = false;          // STE.S2HD (only with S2HA)
    bool ptw = false;         // STE.S2PTW: stage 1 walks to stage 2 Device memory fault
};

enum class ConfigError : uint8_t {
    None,
    TxszRange,        // T0SZ / S2T0SZ outside the valid range for the granule
    TtbRange,         // table base outside the effective output size
    Sl0Reserved,      // S2SL0 value reserved for the granule, or level 0 without PA size
    Sl0Inconsistent,  // S2T0SZ cannot be resolved from the S2SL0 start level
};
const char* describe(ConfigError e);

// IHI0070 5.4 T0SZ: valid 16..39, or up to 48 (4K, 16K) / 47 (64K) with
// SMMU_IDR3.STT; SMMUv3.1 treats an out-of-range value as ILLEGAL. TTB0 beyond the
// effective IPS is ILLEGAL (5.4 TTB0). EPD0 makes the other fields IGNORED.
ConfigError check(const Stage1Config& c, bool stt = false);
// Arm ARM DDI0487 D8.2 (stage 2 starting level and concatenation; pseudocode
// AArch64.S2InvalidSL / AArch64.S2InconsistentSL), with pa_max_bits the SMMU's OAS
// (PAMax): see vmsa_config.cpp.
ConfigError check(const Stage2Config& c, unsigned pa_max_bits, bool stt = false);

// The shape of one stage's walk, derived from a checked configuration.
struct Geometry {
    uint8_t grain = 12;   // log2 granule size: bits an offset within a page
    uint8_t stride = 9;   // bits one table level resolves (grain - 3)
    uint8_t start = 0;    // starting level (0..3)
    uint8_t ia = 48;      // input address bits
    uint8_t oa = 48;      // output address bits (effective PS / IPS)
    // Lowest input bit level `l` resolves.
    unsigned shift(unsigned l) const { return grain + stride * (3 - l); }
    // Bits resolved at level l: at the start level all that remain (more than a stride
    // when stage 2 concatenates start tables), a stride below it.
    unsigned bits(unsigned l) const { return l == start ? ia - shift(l) : stride; }
    // Bytes of the starting table (all concatenated tables together).
    uint64_t start_bytes() const { return uint64_t(8) << bits(start); }
};

Geometry geometry(const Stage1Config& c);
Geometry geometry(const Stage2Config& c);

}  // namespace smmuv3
