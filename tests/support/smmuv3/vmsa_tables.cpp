#include "tests/support/smmuv3/vmsa_tables.h"

#include <stdexcept>

namespace vmsatest {

namespace {

constexpr uint64_t B(unsigned n) { return uint64_t(1) << n; }

// Places an output or next-level address in a descriptor (D8.3): bits 47:n hold
// OA[47:n]; with the 64 KiB granule, bits 15:12 hold OA[51:48] (FEAT_LPA). A 4K or
// 16K descriptor cannot hold an address of 48 bits or more.
uint64_t place_address(Tg tg, uint64_t addr, uint64_t align) {
    if (addr % align) throw std::invalid_argument("vmsatest: address not aligned");
    if (tg == Tg::k64K) {
        if (addr >> 52) throw std::invalid_argument("vmsatest: address beyond 52 bits");
        return (addr & (B(48) - 1)) | ((addr >> 48) << 12);
    }
    if (addr >> 48) throw std::invalid_argument("vmsatest: address beyond 48 bits");
    return addr;
}

void check_leaf_level(Tg tg, int level) {
    if (level < 0 || level > 3 || (tg == Tg::k64K && level == 0))
        throw std::invalid_argument("vmsatest: no such level");
}

}  // namespace

uint64_t granule_bytes(Tg tg) {
    switch (tg) {
    case Tg::k4K: return B(12);
    case Tg::k16K: return B(14);
    case Tg::k64K: return B(16);
    }
    return 0;
}

unsigned level_lsb(Tg tg, int level) {
    static constexpr unsigned k4[4] = {39, 30, 21, 12};
    static constexpr unsigned k16[4] = {47, 36, 25, 14};
    static constexpr unsigned k64[4] = {55, 42, 29, 16};  // level 0 unused
    if (level < 0 || level > 3) throw std::invalid_argument("vmsatest: no such level");
    switch (tg) {
    case Tg::k4K: return k4[level];
    case Tg::k16K: return k16[level];
    case Tg::k64K: return k64[level];
    }
    return 0;
}

uint64_t table_desc(Tg tg, uint64_t next_table, const S1TableAttrs& a) {
    if (a.ap_table > 3) throw std::invalid_argument("vmsatest: APTable is 2 bits");
    return place_address(tg, next_table, granule_bytes(tg)) | 0b11 |
           uint64_t(a.ap_table) << 61 | (a.uxn_table ? B(60) : 0) | (a.pxn_table ? B(59) : 0);
}

uint64_t s1_leaf(Tg tg, int level, uint64_t oa, const S1Leaf& a) {
    check_leaf_level(tg, level);
    if (a.ap > 3 || a.attr_indx > 7 || a.sh > 3)
        throw std::invalid_argument("vmsatest: stage 1 attribute too wide");
    return place_address(tg, oa, leaf_bytes(tg, level)) | (level == 3 ? 0b11 : 0b01) |
           uint64_t(a.attr_indx) << 2 | uint64_t(a.ap) << 6 | uint64_t(a.sh) << 8 |
           (a.af ? B(10) : 0) | (a.dbm ? B(51) : 0) | (a.pxn ? B(53) : 0) |
           (a.uxn ? B(54) : 0);
}

uint64_t s2_leaf(Tg tg, int level, uint64_t oa, const S2Leaf& a) {
    check_leaf_level(tg, level);
    if (a.s2ap > 3 || a.mem_attr > 15 || a.sh > 3)
        throw std::invalid_argument("vmsatest: stage 2 attribute too wide");
    return place_address(tg, oa, leaf_bytes(tg, level)) | (level == 3 ? 0b11 : 0b01) |
           uint64_t(a.mem_attr) << 2 | uint64_t(a.s2ap) << 6 | uint64_t(a.sh) << 8 |
           (a.af ? B(10) : 0) | (a.dbm ? B(51) : 0) | (a.xn ? B(54) : 0);
}

uint64_t TableBuilder::alloc(uint64_t bytes) {
    if (bytes < 8) bytes = 8;
    next_ = (next_ + bytes - 1) & ~(bytes - 1);  // naturally aligned
    const uint64_t at = next_;
    next_ += bytes;
    return at;
}

uint64_t TableBuilder::new_root(int start_level, unsigned ia_bits) {
    const unsigned lsb = level_lsb(tg_, start_level);
    if (ia_bits <= lsb) throw std::invalid_argument("vmsatest: start level resolves nothing");
    return alloc(uint64_t(8) << (ia_bits - lsb));
}

uint64_t TableBuilder::index(int level, int start_level, unsigned ia_bits, uint64_t va) const {
    const unsigned lsb = level_lsb(tg_, level);
    const uint64_t entries =
        level == start_level ? B(ia_bits - lsb) : granule_bytes(tg_) / 8;
    return (va >> lsb) & (entries - 1);
}

uint64_t TableBuilder::entry_address(uint64_t root, int start_level, unsigned ia_bits,
                                     uint64_t va, int level) const {
    uint64_t table = root;
    for (int l = start_level; l < level; ++l) {
        const uint64_t e = peek(table + 8 * index(l, start_level, ia_bits, va));
        if ((e & 3) != 3) throw std::logic_error("vmsatest: no table on the way");
        uint64_t next = e & (B(48) - 1) & ~(granule_bytes(tg_) - 1);
        if (tg_ == Tg::k64K) next |= ((e >> 12) & 0xf) << 48;
        table = next;
    }
    return table + 8 * index(level, start_level, ia_bits, va);
}

uint64_t TableBuilder::map(uint64_t root, int start_level, unsigned ia_bits, uint64_t va,
                           int leaf_level, uint64_t leaf, const S1TableAttrs& attrs) {
    if (va >> ia_bits) throw std::invalid_argument("vmsatest: va beyond the input size");
    uint64_t table = root;
    for (int l = start_level; l < leaf_level; ++l) {
        const uint64_t at = table + 8 * index(l, start_level, ia_bits, va);
        uint64_t e = peek(at);
        if ((e & 1) == 0) {
            e = table_desc(tg_, alloc(granule_bytes(tg_)), attrs);
            poke(at, e);
        } else if ((e & 3) != 3) {
            throw std::logic_error("vmsatest: a block is in the way");
        }
        uint64_t next = e & (B(48) - 1) & ~(granule_bytes(tg_) - 1);
        if (tg_ == Tg::k64K) next |= ((e >> 12) & 0xf) << 48;
        table = next;
    }
    const uint64_t at = table + 8 * index(leaf_level, start_level, ia_bits, va);
    poke(at, leaf);
    return at;
}

}  // namespace vmsatest
