// amdvitest: the test-side ENCODER of AMD-Vi guest translation structures: the GCR3
// table (48882 §2.2.6: GLX + 1 levels of 512 entries indexed by 9-bit PASID slices,
// valid bit 0, pointer 51:12) and x86 long-mode guest page tables (AMD64 APM vol. 2
// §5.3: P 0, R/W 1, U/S 2, A 5, D 6, PS 7, address 51:12, NX 63). Written from those
// texts, apart from models/amdvi/guest_walk.cpp.
#pragma once

#include <cstdint>

#include "models/memory/sparse_memory.h"
#include "tests/support/amdvi/amdvi_tables.h"

namespace amdvitest {

// A guest entry's flags.
struct GuestPerm {
    bool rw = true, us = true, nx = false;
    bool a = false, d = false;
};
// A directory entry (PML5E, PML4E, PDPE, PDE) naming the next table's GPA.
uint64_t guest_pde(uint64_t next_gpa, const GuestPerm& p = {});
// A leaf at `level` (1: 4 KiB PTE; 2: 2 MiB PDE with PS; 3: 1 GiB PDPE with PS).
uint64_t guest_leaf(uint64_t gpa, unsigned level, const GuestPerm& p = {});
// A GCR3 table entry: valid, pointing at `ptr`.
uint64_t gcr3_entry(uint64_t ptr);

// Guest tables whose pages live at SPA = GPA + `offset` (the host tables of a nested
// test map that window; a guest-only test uses offset 0). Tables are bump-allocated
// from the GPA `pool`.
class GuestTables {
public:
    GuestTables(memory::SparseMemory& mem, uint64_t pool_gpa, uint64_t offset)
        : mem_(mem), next_(pool_gpa), offset_(offset) {}
    uint64_t new_table();  // its GPA
    uint64_t spa(uint64_t gpa) const { return gpa + offset_; }
    // Writes `leaf` at `leaf_level` for `gva` under the `levels`-level table at
    // `cr3` (a GPA), adding directory entries (with `dir`) where none are present.
    // Returns the SPA of the leaf entry.
    uint64_t map(uint64_t cr3, unsigned levels, uint64_t gva, unsigned leaf_level, uint64_t leaf,
                 const GuestPerm& dir = {});
    // The SPA of the entry at `level` for `gva` along the walk from `cr3`.
    uint64_t entry_at(uint64_t cr3, unsigned levels, uint64_t gva, unsigned level) const;

private:
    memory::SparseMemory& mem_;
    uint64_t next_;
    uint64_t offset_;
};

// Points `pasid`'s GCR3 entry at `cr3` in the (GLX+1)-level GCR3 table at `root`
// (SPA), adding lower GCR3 tables from `alloc` (SPA) where missing. Returns the SPA of
// the last-level entry.
uint64_t set_gcr3(memory::SparseMemory& mem, HostTables& alloc, uint64_t root, unsigned glx, uint32_t pasid,
                  uint64_t cr3);

}  // namespace amdvitest
