// vmsatest: the test-side ENCODER of VMSAv8-64 translation tables, stage 1 and stage 2.
//
// Written from the Arm ARM (DDI0487 D8.2 "Translation granules" and the per-granule
// tables of which input bits each level resolves; D8.3 descriptor formats; D8.4 access
// permissions; D8.5 Access flag and dirty state) and the SMMUv3 spec (IHI0070 5.2 STE
// S2 fields, 5.4 CD fields), not from models/smmuv3: it shares no code with the
// walker, so a misreading on one side shows up as a failing vector (DESIGN.md,
// "Hardware and driver are written separately").
//
// Two layers:
//   * encoders: pure functions from a small struct to one 64-bit descriptor;
//   * TableBuilder: bump-allocates naturally aligned tables in a SparseMemory and
//     writes descriptors through them, creating intermediate tables. Tables live in a
//     "table address space" (an IPA space for a nested stage 1): each entry at address
//     A is stored at memory address A + write_offset.
// Requests the format cannot express throw std::invalid_argument.
#pragma once

#include <cstdint>

#include "models/memory/sparse_memory.h"

namespace vmsatest {

enum class Tg { k4K, k16K, k64K };

uint64_t granule_bytes(Tg tg);
// The lowest input address bit that `level` resolves (Arm ARM D8.2 tables):
//   4K:  L0 39, L1 30, L2 21, L3 12
//   16K: L0 47, L1 36, L2 25, L3 14
//   64K:        L1 42, L2 29, L3 16
unsigned level_lsb(Tg tg, int level);
// The size a block or page at `level` maps: 2^level_lsb.
inline uint64_t leaf_bytes(Tg tg, int level) { return uint64_t(1) << level_lsb(tg, level); }

// Stage 1 table descriptor attributes (D8.3.1, bits 63:59).
struct S1TableAttrs {
    unsigned ap_table = 0;   // APTable[1:0], bits 62:61
    bool uxn_table = false;  // bit 60
    bool pxn_table = false;  // bit 59
};

// Stage 1 block/page attributes (D8.3.2).
struct S1Leaf {
    unsigned ap = 0;         // AP[2:1], bits 7:6: 0b00 EL1 RW, 0b01 RW both, 0b10 EL1 RO, 0b11 RO both
    bool af = true;          // bit 10
    bool dbm = false;        // bit 51
    bool pxn = false;        // bit 53
    bool uxn = false;        // bit 54
    unsigned attr_indx = 0;  // bits 4:2
    unsigned sh = 3;         // bits 9:8, inner shareable
};

// Stage 2 block/page attributes (D8.3.2, stage 2 upper and lower attributes).
struct S2Leaf {
    unsigned s2ap = 3;       // S2AP, bits 7:6: bit 6 read, bit 7 write
    bool af = true;          // bit 10
    bool dbm = false;        // bit 51
    bool xn = false;         // XN, bit 54
    unsigned mem_attr = 0xf; // MemAttr, bits 5:2: 0b1111 Normal write-back; 0b00xx Device
    unsigned sh = 3;
};

// Descriptor bits 1:0: 0b11 table (levels 0-2) or page (level 3), 0b01 block.
uint64_t table_desc(Tg tg, uint64_t next_table, const S1TableAttrs& a = {});
uint64_t s1_leaf(Tg tg, int level, uint64_t oa, const S1Leaf& a = {});
uint64_t s2_leaf(Tg tg, int level, uint64_t oa, const S2Leaf& a = {});

class TableBuilder {
public:
    // Tables are allocated upwards from `pool` (table address space).
    TableBuilder(memory::SparseMemory& mem, Tg tg, uint64_t pool, uint64_t write_offset = 0)
        : mem_(mem), tg_(tg), next_(pool), offset_(write_offset) {}

    // The starting table of a walk with `ia_bits` of input from `start_level`: 2^(ia -
    // lsb) entries, more than one granule when stage 2 concatenates (up to 16 tables).
    uint64_t new_root(int start_level, unsigned ia_bits);
    // Writes `leaf` for `va` at `leaf_level`, creating the tables between; table
    // descriptors it creates carry `attrs`. Returns the leaf descriptor's address.
    uint64_t map(uint64_t root, int start_level, unsigned ia_bits, uint64_t va,
                 int leaf_level, uint64_t leaf, const S1TableAttrs& attrs = {});
    // Address of the entry for `va` at `level` (the tables above must exist).
    uint64_t entry_address(uint64_t root, int start_level, unsigned ia_bits, uint64_t va,
                           int level) const;
    uint64_t peek(uint64_t addr) const { return mem_.read_u64(addr + offset_); }
    void poke(uint64_t addr, uint64_t v) { mem_.write_u64(addr + offset_, v); }
    Tg granule() const { return tg_; }

private:
    uint64_t alloc(uint64_t bytes);
    uint64_t index(int level, int start_level, unsigned ia_bits, uint64_t va) const;

    memory::SparseMemory& mem_;
    Tg tg_;
    uint64_t next_, offset_;
};

}  // namespace vmsatest
