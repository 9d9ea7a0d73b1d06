// VMSAv8-64 translation-table geometry the STE and CD checks and the walker's
// configuration checks (vmsa_config.h) need, in one place: the granule a TGx
// field selects, the TxSZ range, and whether a stage-2 start level (S2SL0) fits the
// input size (IHI 0070 §5.2 STE.S2T0SZ/S2SL0/S2TG, §5.4 CD.T0SZ/TG0; Arm ARM D8
// "VMSAv8-64 translation table format", pseudocode AArch64.S2InconsistentSL).
#pragma once

namespace smmuv3 {

struct Caps;

// CD.TG0 and STE.S2TG share the TCR_ELx.TG0 encoding: 0 4K, 1 64K, 2 16K, 3 reserved.
// Returns log2 of the granule, or 0 for the reserved encoding.
unsigned tg0_log2_granule(unsigned tg);

// The TxSZ range (§5.4 CD.T0SZ, §5.2 STE.S2T0SZ): minimum 16 (12 with a 52-bit input
// and the 64K granule), maximum 39 (48 for 4K/16K, 47 for 64K with IDR3.STT).
unsigned txsz_min(unsigned log2_granule, bool input52);
unsigned txsz_max(unsigned log2_granule, bool stt);
unsigned txsz_max(unsigned log2_granule, const Caps& caps);

// The stage-2 start level S2SL0 selects for a granule (4K: 0 level 2, 1 level 1, 2
// level 0; 16K and 64K: 0 level 3, 1 level 2, 2 level 1); -1 for a reserved encoding.
int s2_start_level(unsigned sl0, unsigned log2_granule);

// Whether S2SL0 is allowed at all for the granule and the SMMU's PAMax (IDR5.OAS):
// 0b11 is reserved; 0b10 needs PAMax >= 44 (4K, 64K) or >= 42 (16K) (Arm ARM
// AArch64.S2InvalidSL, without FEAT_LPA2/FEAT_TTST).
bool s2_start_level_allowed(unsigned sl0, unsigned log2_granule, unsigned pa_max_bits);

// Whether an input of (64 - t0sz) bits can be translated from `level`: at least one
// index bit at the start level, at most a full level plus 16 concatenated tables.
bool s2_start_level_consistent(int level, unsigned log2_granule, unsigned t0sz);

}  // namespace smmuv3
