// Where the configuration of a transaction lives: the STE for a StreamID in a linear or
// two-level Stream table (IHI 0070 §3.3, §6.3 SMMU_STRTAB_BASE(_CFG), §5.1 "Level 1
// Stream Table Descriptor"), and the CD for a SubstreamID in a linear or two-level CD
// table (§3.3, §5.2 STE.S1Fmt/S1CDMax/S1DSS, §5.3 "Level 1 Context Descriptor").
// Each lookup names the next 8-byte descriptor to read, the 64-byte entry, or the
// event that ends it; the caller does the memory accesses.
#pragma once

#include <cstdint>

namespace smmuv3 {

struct Caps;
struct Ste;

// SMMU_STRTAB_BASE and SMMU_STRTAB_BASE_CFG as the SMMU uses them.
struct StreamTableConfig {
    uint64_t base = 0;          // STRTAB_BASE.ADDR (51:6)
    bool ra = false;            // read-allocate hint
    bool two_level = false;     // FMT == 0b01 (FMT 0b1x is reserved; treated as linear here)
    unsigned fmt = 0;           // FMT as written
    unsigned log2size = 0;      // effective: min(LOG2SIZE, IDR1.SIDSIZE)
    unsigned split = 6;         // effective SPLIT: 6, 8 or 10
    unsigned split_field = 6;   // SPLIT as written
    bool split_reserved = false;  // SPLIT not 6, 8 or 10: reserved, treated as 6 here
};

StreamTableConfig decode_strtab(uint64_t strtab_base, uint32_t strtab_base_cfg, const Caps& caps);

// Level-1 Stream Table Descriptor (§5.1): SPAN 4:0, L2Ptr 51:6. The level-2 table holds
// 2^(SPAN-1) STEs; SPAN 0 means no table; SPAN 12-31 are reserved and behave as 0.
struct L1Std {
    unsigned span = 0;
    uint64_t l2ptr = 0;
    bool valid() const { return span >= 1 && span <= 11; }
    uint64_t l2_entries() const { return valid() ? uint64_t(1) << (span - 1) : 0; }
};
L1Std decode_l1_std(uint64_t desc);

// The outcome of one lookup step.
enum class Step {
    ReadL1,            // read the 8-byte level-1 descriptor at `addr`, then call the _l2 step
    Entry,             // the 64-byte STE or CD is at `addr`
    BadStreamId,       // C_BAD_STREAMID (recorded only when SMMU_CR2.RECINVSID == 1)
    BadSubstreamId,    // C_BAD_SUBSTREAMID
    StreamDisabled,    // no SubstreamID and S1DSS == terminate: F_STREAM_DISABLED
    BypassStage1,      // no SubstreamID and S1DSS == bypass: stage 1 skipped, no CD
};
struct Lookup {
    Step step = Step::BadStreamId;
    uint64_t addr = 0;
};
const char* step_name(Step s);

// StreamID -> STE (§3.3 linear: base + SID * 64; two-level: the L1 descriptor at
// base + (SID >> SPLIT) * 8, the STE at L2Ptr + (SID & (2^SPLIT - 1)) * 64).
// A StreamID at or beyond 2^log2size is C_BAD_STREAMID.
Lookup locate_ste(const StreamTableConfig& st, uint32_t sid);
// The second step of a two-level lookup, given the L1 descriptor read: C_BAD_STREAMID if
// it is invalid or the StreamID's level-2 index is beyond its SPAN.
Lookup locate_ste_l2(const StreamTableConfig& st, uint32_t sid, uint64_t l1_desc);

// Level-1 Context Descriptor (§5.3): V 0, L2Ptr 51:12.
struct L1Cd {
    bool v = false;
    uint64_t l2ptr = 0;
};
L1Cd decode_l1_cd(uint64_t desc);

// (SubstreamID or none) -> CD, for an STE with stage 1 enabled (§3.3, §5.2):
// S1CDMax == 0: one CD at S1ContextPtr, a transaction with a SubstreamID is
//   C_BAD_SUBSTREAMID.
// S1CDMax != 0: no SubstreamID follows S1DSS (terminate, bypass, or use CD 0 — and then
//   a transaction with SubstreamID 0 is C_BAD_SUBSTREAMID); SubstreamID >= 2^S1CDMax is
//   C_BAD_SUBSTREAMID. S1Fmt linear: S1ContextPtr + SSID * 64; two-level with 4K
//   (SPLIT 6, 64 CDs) or 64K (SPLIT 10, 1024 CDs) leaves: the L1CD at
//   S1ContextPtr + (SSID >> SPLIT) * 8, the CD at L2Ptr + (SSID & (2^SPLIT - 1)) * 64.
Lookup locate_cd(const Ste& ste, bool ssv, uint32_t ssid);
// The second step: an L1CD with V == 0 is C_BAD_SUBSTREAMID.
Lookup locate_cd_l2(const Ste& ste, uint32_t ssid, uint64_t l1_desc);

}  // namespace smmuv3
