// VMSAv8-64 descriptor fields the walk decodes (Arm ARM DDI0487 D8.3 "Translation
// table descriptor formats", D8.4 "Memory access control"; SMMU-specific use in IHI0070
// 3.13 "Translation table entries and Access/Dirty flags").
//
//   bits 1:0   0bx0 invalid; 0b01 block (levels that allow one), reserved at level 3;
//              0b11 table (levels 0-2) or page (level 3)
//   table:     next-level table address [47:grain] (64 KiB: + [51:48] in 15:12),
//              stage 1 only: PXNTable 59, UXNTable (XNTable) 60, APTable 62:61
//   block/page stage 1: AP[1] 6 (unprivileged access), AP[2] 7 (read-only), AF 10,
//              DBM 51, PXN 53, UXN 54
//              stage 2: MemAttr 5:2, S2AP 7:6 (bit 6 read, bit 7 write), AF 10,
//              DBM 51, XN 54 (XN[1]; FEAT_XNX's XN[0] at bit 53 is not modelled)
#pragma once

#include <cstdint>

namespace smmuv3::desc {

constexpr uint64_t bit(unsigned n) { return uint64_t(1) << n; }

constexpr uint64_t kValid = bit(0);
constexpr uint64_t kTableOrPage = bit(1);
constexpr uint64_t kAp1 = bit(6);     // stage 1: unprivileged (EL0) access
constexpr uint64_t kAp2 = bit(7);     // stage 1: read-only
constexpr uint64_t kS2apR = bit(6);   // stage 2: read
constexpr uint64_t kS2apW = bit(7);   // stage 2: write
constexpr uint64_t kAf = bit(10);
constexpr uint64_t kDbm = bit(51);
constexpr uint64_t kPxn = bit(53);
constexpr uint64_t kUxn = bit(54);    // stage 2: XN
constexpr uint64_t kPxnTable = bit(59);
constexpr uint64_t kUxnTable = bit(60);
constexpr uint64_t kApTableNoEl0 = bit(61);   // APTable[0]
constexpr uint64_t kApTableNoWrite = bit(62); // APTable[1]

// Stage 2 MemAttr[3:2] == 0b00 is Device memory (D8.6 "Stage 2 memory type").
inline bool s2_device(uint64_t d) { return ((d >> 4) & 3) == 0; }

// The output (or next-table) address of a descriptor, granule-aligned. With the 64 KiB
// granule, bits 15:12 hold OA[51:48] (FEAT_LPA); the caller's output-size check turns
// them into an Address size fault when the effective PS is below 52.
inline uint64_t address(uint64_t d, unsigned grain) {
    const uint64_t low = d & (((uint64_t(1) << 48) - 1) & ~((uint64_t(1) << grain) - 1));
    return grain == 16 ? low | (((d >> 12) & 0xf) << 48) : low;
}

}  // namespace smmuv3::desc
