#include "tests/support/amdvi/amdvi_guest_tables.h"

#include <stdexcept>

namespace amdvitest {
namespace {

constexpr uint64_t kFrame = 0x000ffffffffff000ull;  // bits 51:12

uint64_t flags(const GuestPerm& p) {
    return 1 | uint64_t(p.rw) << 1 | uint64_t(p.us) << 2 | uint64_t(p.a) << 5 | uint64_t(p.nx) << 63;
}

// Level L (1 = PT .. 5 = PML5) indexes GVA bits [12 + 9L - 1 : 12 + 9(L - 1)].
unsigned index(uint64_t gva, unsigned level) { return unsigned(gva >> (3 + 9 * level)) & 511; }

}  // namespace

uint64_t guest_pde(uint64_t next_gpa, const GuestPerm& p) { return flags(p) | (next_gpa & kFrame); }

uint64_t guest_leaf(uint64_t gpa, unsigned level, const GuestPerm& p) {
    if (level < 1 || level > 3) throw std::invalid_argument("guest_leaf: levels 1-3");
    const uint64_t size = uint64_t(1) << (3 + 9 * level);
    if (gpa & (size - 1)) throw std::invalid_argument("guest_leaf: gpa not aligned to the page");
    return flags(p) | uint64_t(p.d) << 6 | uint64_t(level > 1) << 7 | (gpa & kFrame);
}

uint64_t gcr3_entry(uint64_t ptr) { return (ptr & kFrame) | 1; }

uint64_t GuestTables::new_table() {
    const uint64_t t = next_;
    next_ += 4096;
    for (unsigned i = 0; i < 512; ++i) mem_.write_u64(spa(t) + 8 * i, 0);
    return t;
}

uint64_t GuestTables::map(uint64_t cr3, unsigned levels, uint64_t gva, unsigned leaf_level, uint64_t leaf,
                          const GuestPerm& dir) {
    uint64_t table = cr3;
    for (unsigned level = levels; level > leaf_level; --level) {
        const uint64_t at = spa(table) + 8 * index(gva, level);
        uint64_t e = mem_.read_u64(at);
        if (!(e & 1)) {
            e = guest_pde(new_table(), dir);
            mem_.write_u64(at, e);
        }
        table = e & kFrame;
    }
    const uint64_t at = spa(table) + 8 * index(gva, leaf_level);
    mem_.write_u64(at, leaf);
    return at;
}

uint64_t GuestTables::entry_at(uint64_t cr3, unsigned levels, uint64_t gva, unsigned level) const {
    uint64_t table = cr3;
    for (unsigned l = levels; l > level; --l) table = mem_.read_u64(spa(table) + 8 * index(gva, l)) & kFrame;
    return spa(table) + 8 * index(gva, level);
}

uint64_t set_gcr3(memory::SparseMemory& mem, HostTables& alloc, uint64_t root, unsigned glx, uint32_t pasid,
                  uint64_t cr3) {
    uint64_t table = root;
    for (unsigned level = glx; level > 0; --level) {
        const uint64_t at = table + 8 * ((pasid >> (9 * level)) & 511);
        uint64_t e = mem.read_u64(at);
        if (!(e & 1)) {
            e = gcr3_entry(alloc.new_table());
            mem.write_u64(at, e);
        }
        table = e & kFrame;
    }
    const uint64_t at = table + 8 * (pasid & 511);
    mem.write_u64(at, gcr3_entry(cr3));
    return at;
}

}  // namespace amdvitest
