// amdvitest: the test-side ENCODER of AMD-Vi structures: device table entries, host
// (v1) page-table entries and tables, and the expected event records.
//
// Written from the AMD IOMMU specification 48882 (§2.2.2.1 Device Table Entry, §2.2.3
// I/O page tables for host translations, Table 14 page size encodings, §2.5 event
// formats), not from models/amdvi: it shares no code with the decoder, so a misreading
// on one side shows up as a failing vector (DESIGN.md, "Hardware and driver are
// written separately").
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "models/memory/sparse_memory.h"

namespace amdvitest {

// §2.2.2.1 Device Table Entry, field by field.
struct DteFields {
    bool v = true, tv = true;
    unsigned had = 0;
    unsigned mode = 0;
    uint64_t root = 0;  // 4 KiB aligned
    bool ppr = false, gprp = false, giov = false, gv = false;
    unsigned glx = 0;
    uint64_t gcr3 = 0;  // 4 KiB aligned
    bool ir = true, iw = true;
    uint16_t domain = 0;
    bool i = false, se = false, sa = false;
    unsigned ioctl = 0;
    bool cache = false, sd = false, ex = false;
    unsigned sysmgt = 0;
    bool mode0_fc = false;
    unsigned gpm = 0;  // GuestPagingMode, DTE 183:182: 0 four levels, 1 five
};
std::array<uint64_t, 4> dte(const DteFields& f);

// Host page-table entries (§2.2.3). A directory entry names the next table and its
// level (NextLevel 1-6); a leaf has NextLevel 0 (the level's own page size) or 7 (a
// larger size encoded in the address).
struct Perm {
    bool ir = true, iw = true;
    bool fc = false, u = false;
    bool a = false, d = false;
};
uint64_t pde(uint64_t next_table, unsigned next_level, const Perm& p = {});
uint64_t pte(uint64_t pa, const Perm& p = {});
// NextLevel=7: a page of 2^size_log2 bytes at `pa` (aligned to it): address bits 12 up
// to size_log2 - 2 set, bit size_log2 - 1 clear.
uint64_t pte_sized(uint64_t pa, unsigned size_log2, const Perm& p = {});

// The input bit where a level's index starts: level 1 at 12, +9 per level.
unsigned level_lsb(unsigned level);

// Builds host page tables in a SparseMemory: 4 KiB tables bump-allocated from `pool`.
class HostTables {
public:
    HostTables(memory::SparseMemory& mem, uint64_t pool) : mem_(mem), next_(pool) {}
    uint64_t new_table();
    // Walks `path` (the levels that have tables, top down, e.g. {4, 3, 2, 1} or {4, 2}
    // to skip level 3) from `root`, creating directory entries where none are present,
    // and writes `leaf` at the last level's index of `iova`, `copies` times in
    // consecutive entries from the one `iova` indexes rounded down to `copies`
    // (NextLevel=7 replication). Returns the address of the entry `iova` indexes.
    uint64_t map(uint64_t root, const std::vector<unsigned>& path, uint64_t iova, uint64_t leaf,
                 unsigned copies = 1, const Perm& dir = {});
    // The entry at `level` of `table` that `iova` indexes.
    static uint64_t slot(uint64_t table, unsigned level, uint64_t iova);

private:
    memory::SparseMemory& mem_;
    uint64_t next_;
};

// §2.5 event record fields, and the two qwords the spec's figures give them.
struct EventFields {
    unsigned code = 0;
    uint16_t device_id = 0;
    uint32_t pasid = 0;      // 20 bits
    uint16_t domain = 0;     // or PASID[15:0] where the event names a PASID
    bool gn = false, nx = false, us = false, i = false, pr = false, rw = false, pe = false, rz = false, tr = false;
    unsigned type = 0;
    uint64_t address = 0;
};
std::array<uint64_t, 2> event(const EventFields& f);

}  // namespace amdvitest
