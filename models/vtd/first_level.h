// The x86 first-level paging entry as VT-d scalable mode uses it (VT-d spec 3.6
// "First-Level Translation", 9.7 "First-Level Paging Entries"; the layout is the x86
// 4-level / 5-level paging format of the Intel SDM vol. 3, 4.5). Decoder side only: the
// driver in iommufd/drivers encodes these entries from the specification on its own.
//
// Bit positions checked against Linux drivers/iommu/intel/iommu.h (DMA_FL_PTE_PRESENT,
// DMA_FL_PTE_US, DMA_FL_PTE_ACCESS, DMA_FL_PTE_DIRTY, DMA_FL_PTE_XD) and QEMU
// hw/i386/intel_iommu_internal.h (VTD_FL_P, VTD_FL_RW, VTD_FL_US, VTD_FL_A, VTD_FL_D and
// the VTD_FPTE_*_RSVD_MASK reserved-bit masks).
#pragma once

#include <cstdint>

namespace vtd::fl {

constexpr uint64_t P = uint64_t(1) << 0;    // present
constexpr uint64_t RW = uint64_t(1) << 1;   // writable
constexpr uint64_t US = uint64_t(1) << 2;   // user (1) or supervisor-only (0)
constexpr uint64_t PWT = uint64_t(1) << 3;
constexpr uint64_t PCD = uint64_t(1) << 4;
constexpr uint64_t A = uint64_t(1) << 5;    // accessed
constexpr uint64_t D = uint64_t(1) << 6;    // dirty (leaf)
constexpr uint64_t PS = uint64_t(1) << 7;   // page size: a leaf at the PDPE or PDE
constexpr uint64_t XD = uint64_t(1) << 63;  // execute disable (with PASID-entry NXE)

// What the reserved-bit check depends on besides the entry.
struct Format {
    unsigned haw = 46;     // host address width: address bits HAW..51 are reserved
    bool pdpe_1g = false;  // CAP.FL1GP: PS in a PDPE maps a 1 GiB page
};

inline uint64_t bit_range(unsigned hi, unsigned lo) {
    return ((~uint64_t(0)) >> (63 - hi)) & ~((uint64_t(1) << lo) - 1);
}

// A leaf: a PTE (level 1), or a PDE / PDPE (levels 2 and 3) with PS set.
inline bool is_leaf(uint64_t v, unsigned level) {
    return level == 1 || ((level == 2 || level == 3) && (v & PS));
}

// Bits of a present entry at `level` (1 = PTE ... 5 = PML5E) that must be zero. Bits
// 62:52 are ignored, and so is XD unless the PASID entry enables no-execute.
// Large pages keep the PAT bit at 12, so only bits 20:13 (2 MiB) or 29:13 (1 GiB) of
// the address field are reserved.
inline uint64_t reserved_bits(uint64_t v, unsigned level, const Format& f) {
    uint64_t rsvd = f.haw < 52 ? bit_range(51, f.haw) : 0;
    if (level >= 4) rsvd |= PS;  // no PS in PML4E / PML5E
    if (level == 3 && (v & PS)) rsvd |= f.pdpe_1g ? bit_range(29, 13) : PS;
    if (level == 2 && (v & PS)) rsvd |= bit_range(20, 13);
    return v & rsvd;
}

}  // namespace vtd::fl
