// Tests of the VT-d test-side encoder (tests/support/vtd_tables.h). Every expected value
// is written out by hand from the bit positions of the Intel VT-d specification, chapter 9
// (noted next to each vector), and table walks are followed in memory with read_u64 and
// hand-computed indexes, so the tests check real bit positions, not round trips.
#include <catch2/catch.hpp>

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "models/memory/sparse_memory.h"
#include "tests/support/vtd_tables.h"

using memory::SparseMemory;
using namespace vtdtest;

namespace {

constexpr uint64_t kAddrMask = ~uint64_t(0xfff);  // bits 63:12
constexpr uint64_t kPagingAddrMask = 0x000f'ffff'ffff'f000;  // bits 51:12

// Reads the entry at `table` + 8 * `index`, checks it is a second-level table pointer
// (R=W=1, nothing else in bits 11:0 or 63:52) and returns the table it points to.
uint64_t follow_sl(const SparseMemory& mem, uint64_t table, uint64_t index) {
    const uint64_t e = mem.read_u64(table + 8 * index);
    INFO("second-level pointer at " << std::hex << table + 8 * index << " = " << e);
    CHECK((e & 0xfff) == 0x3);         // R (bit 0), W (bit 1); X, PS, A, SNP all clear
    CHECK((e & ~kPagingAddrMask) == 0x3);
    return e & kPagingAddrMask;
}

// The same for a first-level pointer: P (0), R/W (1), U/S (2), XD (63) clear.
uint64_t follow_fl(const SparseMemory& mem, uint64_t table, uint64_t index) {
    const uint64_t e = mem.read_u64(table + 8 * index);
    INFO("first-level pointer at " << std::hex << table + 8 * index << " = " << e);
    CHECK((e & ~kPagingAddrMask) == 0x7);
    return e & kPagingAddrMask;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Raw encoders
// ---------------------------------------------------------------------------------------

TEST_CASE("vtd encoder: RTADDR puts TTM at bits 11:10", "[vtd_support]") {
    CHECK(encode_rtaddr(0x1000'0000, Ttm::kLegacy) == 0x1000'0000);
    CHECK(encode_rtaddr(0x1000'0000, Ttm::kScalable) == 0x1000'0400);  // 01 << 10
    CHECK_THROWS_AS(encode_rtaddr(0x1000'0800, Ttm::kLegacy), std::invalid_argument);
}

TEST_CASE("vtd encoder: legacy and scalable-mode root entries", "[vtd_support]") {
    // 9.1: P bit 0, CTP 63:12; upper qword reserved.
    CHECK(encode_root_entry(true, 0x1000'1000) == Entry128{0x1000'1001, 0});
    CHECK(encode_root_entry(false, 0x1000'1000) == Entry128{0x1000'1000, 0});
    // 9.2: LP bit 0 + LCTP 63:12; UP bit 64 + UCTP 127:76, i.e. bit 0 of the upper qword.
    CHECK(encode_sm_root_entry(true, 0x2000, true, 0x3000) == Entry128{0x2001, 0x3001});
    CHECK(encode_sm_root_entry(false, 0, true, 0xfff0'0000'3000) == Entry128{0, 0xfff0'0000'3001});
    CHECK_THROWS_AS(encode_root_entry(true, 0x1008), std::invalid_argument);
}

TEST_CASE("vtd encoder: legacy context entry", "[vtd_support]") {
    ContextSpec s;
    s.present = true;
    s.tt = TranslationType::kPassThrough;
    s.aw = 2;
    s.did = 5;
    s.slptptr = 0x1234'5000;
    // Low: P (bit 0) = 1, TT (3:2) = 2 -> 0x8, SLPTPTR 63:12 -> 0x12345009.
    // High: AW (66:64) = 2, DID (87:72) = 5 -> 5 << 8 = 0x500 -> 0x502.
    CHECK(encode_context_entry(s) == Entry128{0x1234'5009, 0x502});

    s.fpd = true;  // bit 1
    s.tt = TranslationType::kDeviceTlb;
    s.aw = 3;
    s.did = 0xffff;
    CHECK(encode_context_entry(s) == Entry128{0x1234'5007, 0xff'ff03});

    s = ContextSpec{};
    s.present = false;
    s.aw = 1;
    CHECK(encode_context_entry(s) == Entry128{0, 0x1});

    s.aw = 8;  // AW is 3 bits
    CHECK_THROWS_AS(encode_context_entry(s), std::invalid_argument);
    s.aw = 2;
    s.slptptr = 0x1234'5800;
    CHECK_THROWS_AS(encode_context_entry(s), std::invalid_argument);
}

TEST_CASE("vtd encoder: AW codes for 3/4/5-level tables", "[vtd_support]") {
    CHECK(aw_for_levels(3) == 1);  // 39-bit AGAW
    CHECK(aw_for_levels(4) == 2);  // 48-bit
    CHECK(aw_for_levels(5) == 3);  // 57-bit
    CHECK_THROWS_AS(aw_for_levels(2), std::invalid_argument);
    CHECK_THROWS_AS(aw_for_levels(6), std::invalid_argument);
}

TEST_CASE("vtd encoder: scalable-mode context entry", "[vtd_support]") {
    ScalableContextSpec s;
    s.present = true;
    s.dte = true;        // bit 2
    s.paside = true;     // bit 3
    s.pre = true;        // bit 4
    s.pdts = 3;          // 11:9 -> 0x600
    s.pasid_dir = 0xabcd'e000;
    s.rid_pasid = 0x1'2345;  // 83:64
    s.rid_priv = true;       // 84 -> bit 20 of qword 1
    // q0 = 0xabcde000 | 0x600 | 0x10 | 0x8 | 0x4 | 0x1.
    CHECK(encode_sm_context_entry(s) == Entry256{0xabcd'e61d, 0x11'2345, 0, 0});

    ScalableContextSpec f;
    f.fpd = true;  // bit 1
    f.pdts = 7;
    f.pasid_dir = 0x7000;
    CHECK(encode_sm_context_entry(f) == Entry256{0x7e03, 0, 0, 0});

    f.pdts = 8;
    CHECK_THROWS_AS(encode_sm_context_entry(f), std::invalid_argument);
    f.pdts = 0;
    f.rid_pasid = 1u << 20;  // 20-bit field
    CHECK_THROWS_AS(encode_sm_context_entry(f), std::invalid_argument);
}

TEST_CASE("vtd encoder: PASID directory entry", "[vtd_support]") {
    // 9.5: P bit 0, FPD bit 1, PASID-table pointer 63:12.
    CHECK(encode_pasid_dir_entry(true, false, 0x5000) == 0x5001);
    CHECK(encode_pasid_dir_entry(true, true, 0x5000) == 0x5003);
    CHECK(encode_pasid_dir_entry(false, true, 0x12'3456'7000) == 0x12'3456'7002);
}

TEST_CASE("vtd encoder: PASID table entry, every field", "[vtd_support]") {
    PasidSpec s;
    s.present = true;   // 0
    s.fpd = true;       // 1
    s.aw = 2;           // 4:2 -> 0x8
    s.pgtt = Pgtt::kSecondLevel;  // 8:6 -> 0x80
    s.ssade = true;     // 9 -> 0x200
    s.slptptr = 0x777'7000;
    s.did = 0x1234;     // 79:64 -> qword 1 bits 15:0
    s.pwsnp = true;     // 87 -> qword 1 bit 23
    s.pgsnp = true;     // 88 -> qword 1 bit 24
    s.sre = true;       // 128 -> qword 2 bit 0
    s.flpm = 1;         // 131:130 -> qword 2 bits 3:2 -> 0x4
    s.wpe = true;       // 132 -> qword 2 bit 4
    s.eafe = true;      // 135 -> qword 2 bit 7
    s.flptptr = 0x8888'8000;  // 191:140 -> qword 2 bits 63:12
    const Entry512 e = encode_pasid_entry(s);
    CHECK(e[0] == 0x777'728b);   // 0x7777000 | 0x200 | 0x80 | 0x8 | 0x2 | 0x1
    CHECK(e[1] == 0x180'1234);   // 0x1000000 | 0x800000 | 0x1234
    CHECK(e[2] == 0x8888'8095);  // 0x88888000 | 0x80 | 0x10 | 0x4 | 0x1
    for (int i = 3; i < 8; ++i) CHECK(e[i] == 0);
}

TEST_CASE("vtd encoder: PASID table entry PGTT and AW codes", "[vtd_support]") {
    PasidSpec s;
    s.aw = 0;
    s.pgtt = Pgtt::kFirstLevel;
    CHECK(encode_pasid_entry(s)[0] == 0x41);   // 1 << 6 | P
    s.pgtt = Pgtt::kNested;
    CHECK(encode_pasid_entry(s)[0] == 0xc1);   // 3 << 6 | P
    s.pgtt = Pgtt::kPassThrough;
    CHECK(encode_pasid_entry(s)[0] == 0x101);  // 4 << 6 | P
    s.pgtt = Pgtt::kSecondLevel;
    s.aw = 3;                                   // 5-level: 3 << 2
    CHECK(encode_pasid_entry(s)[0] == 0x8d);
    s.flpm = 4;  // two bits
    CHECK_THROWS_AS(encode_pasid_entry(s), std::invalid_argument);
    s.flpm = 0;
    s.aw = 8;
    CHECK_THROWS_AS(encode_pasid_entry(s), std::invalid_argument);
}

TEST_CASE("vtd encoder: second-level paging entry bits", "[vtd_support]") {
    SlEntry e;
    e.addr = 0xabcd'e000;
    e.r = e.w = e.x = true;       // bits 0, 1, 2
    e.a = e.d = e.snp = true;     // bits 8, 9, 11
    e.tm = true;                  // bit 62
    CHECK(encode_sl_entry(e) == 0x4000'0000'abcd'eb07);

    SlEntry large;
    large.addr = 0x20'0000;
    large.r = true;
    large.ps = true;  // bit 7
    CHECK(encode_sl_entry(large) == 0x20'0081);

    SlEntry w_only;
    w_only.addr = 0xf'ffff'ffff'f000;  // the highest address: bits 51:12
    w_only.w = true;
    CHECK(encode_sl_entry(w_only) == 0xf'ffff'ffff'f002);

    SlEntry extra;
    extra.extra = uint64_t(1) << 7 | 0x30;  // raw bits: reserved PS in a PML4E, EMT
    CHECK(encode_sl_entry(extra) == 0xb0);

    SlEntry bad;
    bad.addr = uint64_t(1) << 52;
    CHECK_THROWS_AS(encode_sl_entry(bad), std::invalid_argument);
    bad.addr = 0x1800;
    CHECK_THROWS_AS(encode_sl_entry(bad), std::invalid_argument);
}

TEST_CASE("vtd encoder: first-level paging entry bits", "[vtd_support]") {
    FlEntry e;
    e.addr = 0x1000;
    e.p = e.rw = e.us = e.pwt = e.pcd = e.a = e.d = e.ps = e.g = true;  // bits 8:0
    e.xd = true;                                                        // bit 63
    CHECK(encode_fl_entry(e) == 0x8000'0000'0000'11ff);

    FlEntry ro;
    ro.addr = 0x12'3456'7000;
    ro.us = true;  // P defaults to 1
    CHECK(encode_fl_entry(ro) == 0x12'3456'7005);

    FlEntry np;
    np.p = false;
    np.rw = true;
    CHECK(encode_fl_entry(np) == 0x2);
}

// ---------------------------------------------------------------------------------------
// TableBuilder: allocation
// ---------------------------------------------------------------------------------------

TEST_CASE("vtd builder: bump allocator hands out zeroed pages from the base", "[vtd_support]") {
    SparseMemory mem;
    mem.write_u64(0x1000'0008, 0xdead'beef);  // garbage where the first table will go
    mem.write_u64(0x1000'1ff8, 0xdead'beef);
    TableBuilder b(mem);
    CHECK(b.new_table() == 0x1000'0000);
    CHECK(mem.read_u64(0x1000'0008) == 0);
    CHECK(b.alloc_pages(2) == 0x1000'1000);
    CHECK(mem.read_u64(0x1000'1ff8) == 0);
    CHECK(b.next_free() == 0x1000'3000);
    CHECK(b.pages_allocated() == 3);

    TableBuilder small(mem, 0x4000'0000, 0x4000'2000);  // room for two pages
    small.new_table();
    small.new_table();
    CHECK_THROWS_AS(small.new_table(), std::length_error);
    CHECK_THROWS_AS(TableBuilder(mem, 0x4000'0800), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------
// TableBuilder: legacy mode
// ---------------------------------------------------------------------------------------

TEST_CASE("vtd builder: legacy root -> context entry placement", "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem, 0x2000'0000);
    ContextSpec s;
    s.tt = TranslationType::kPassThrough;
    s.aw = 2;
    s.did = 5;
    s.slptptr = 0x1234'5000;
    const uint64_t rtaddr = b.set_legacy_context(0x12, 0x34, s);
    CHECK((rtaddr & 0xc00) == 0);  // TTM = 00
    const uint64_t root = rtaddr & kAddrMask;
    CHECK(root == 0x2000'0000);

    // Root entry for bus 0x12 at root + 0x12 * 16: P=1, CTP = the context table.
    const uint64_t re_lo = mem.read_u64(root + 0x12 * 16);
    CHECK(mem.read_u64(root + 0x12 * 16 + 8) == 0);
    CHECK((re_lo & 0xfff) == 0x1);
    const uint64_t ctx_table = re_lo & kAddrMask;
    CHECK(ctx_table != root);

    // Context entry for devfn 0x34 at ctx_table + 0x34 * 16.
    CHECK(mem.read_u64(ctx_table + 0x34 * 16) == 0x1234'5009);
    CHECK(mem.read_u64(ctx_table + 0x34 * 16 + 8) == 0x502);
    CHECK(b.context_entry_addr(Ttm::kLegacy, 0x12, 0x34) == ctx_table + 0x34 * 16);
    CHECK(b.root_entry_addr(Ttm::kLegacy, 0x12) == root + 0x12 * 16);

    // A second device on the same bus reuses the context table and the root entry.
    const uint64_t before = b.next_free();
    ContextSpec t;
    t.slptptr = 0x5000;
    t.did = 7;
    CHECK(b.set_legacy_context(0x12, 0xff, t) == rtaddr);
    CHECK(b.next_free() == before);
    CHECK(mem.read_u64(ctx_table + 0xff * 16) == 0x5001);
    CHECK(mem.read_u64(ctx_table + 0xff * 16 + 8) == 0x702);

    // Other buses have no root entry.
    CHECK(mem.read_u64(root + 0x13 * 16) == 0);
    CHECK_THROWS_AS(b.context_entry_addr(Ttm::kLegacy, 0x13, 0), std::logic_error);
    CHECK_THROWS_AS(b.root_entry_addr(Ttm::kScalable, 0x12), std::logic_error);
}

TEST_CASE("vtd builder: entry addresses let a test clear P or set a reserved bit",
          "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    ContextSpec s;
    s.slptptr = b.new_table();
    b.set_legacy_context(0, 8, s);
    const uint64_t ce = b.context_entry_addr(Ttm::kLegacy, 0, 8);
    CHECK((mem.read_u64(ce) & 1) == 1);
    mem.write_u64(ce, mem.read_u64(ce) & ~uint64_t(1));           // clear P
    mem.write_u64(ce + 8, mem.read_u64(ce + 8) | uint64_t(1) << 7);  // reserved bit 71
    CHECK(mem.read_u64(ce) == s.slptptr);
    CHECK(mem.read_u64(ce + 8) == 0x82);
}

// ---------------------------------------------------------------------------------------
// TableBuilder: second-level tables
// ---------------------------------------------------------------------------------------

TEST_CASE("vtd builder: 4-level second-level 4 KiB mapping, walked by hand", "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    const uint64_t root = b.new_table();
    const uint64_t iova = 0x1234'5000;
    const WalkPath path = b.map_second_level(root, 4, iova, 0xabcd'e000, PageSize::k4K);

    // Indexes: bits 47:39 = 0, 38:30 = 0, 29:21 = 0x91, 20:12 = 0x145.
    CHECK(((iova >> 39) & 0x1ff) == 0);
    CHECK(((iova >> 30) & 0x1ff) == 0);
    CHECK(((iova >> 21) & 0x1ff) == 0x91);
    CHECK(((iova >> 12) & 0x1ff) == 0x145);
    const uint64_t pdpt = follow_sl(mem, root, 0);
    const uint64_t pd = follow_sl(mem, pdpt, 0);
    const uint64_t pt = follow_sl(mem, pd, 0x91);
    // Leaf: address | W | R; PS (bit 7) clear in a PTE.
    CHECK(mem.read_u64(pt + 8 * 0x145) == 0xabcd'e003);

    REQUIRE(path.entries.size() == 4);
    CHECK(path.entries[0] == root);
    CHECK(path.entries[1] == pdpt);
    CHECK(path.entries[2] == pd + 8 * 0x91);
    CHECK(path.leaf() == pt + 8 * 0x145);
    CHECK(b.pages_allocated() == 4);  // root + PDPT + PD + PT
}

TEST_CASE("vtd builder: every level's index comes from its own address bits", "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    // iova = 0x1a5 << 39 | 0x0c3 << 30 | 0x1f0 << 21 | 0x011 << 12.
    const uint64_t iova = 0xd2b0'fe01'1000;
    const uint64_t root = b.new_table();
    SlLeaf leaf;
    leaf.w = false;  // read-only
    leaf.snp = true;
    leaf.tm = true;
    b.map_second_level(root, 4, iova, 0x7'6543'2000, PageSize::k4K, leaf);
    const uint64_t pdpt = follow_sl(mem, root, 0x1a5);
    const uint64_t pd = follow_sl(mem, pdpt, 0x0c3);
    const uint64_t pt = follow_sl(mem, pd, 0x1f0);
    // R (0), SNP (11), TM (62).
    CHECK(mem.read_u64(pt + 8 * 0x011) == 0x4000'0007'6543'2801);
    CHECK(mem.read_u64(root) == 0);  // nothing at the other indexes
    CHECK(mem.read_u64(pt + 8 * 0x010) == 0);
}

TEST_CASE("vtd builder: 3-level and 5-level second-level tables", "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);

    SECTION("3 levels: bits 38:30 index the root") {
        const uint64_t root = b.new_table();
        b.map_second_level(root, 3, 0x30'fe01'1000, 0x5000);  // 0xc3 / 0x1f0 / 0x011
        const uint64_t pd = follow_sl(mem, root, 0x0c3);
        const uint64_t pt = follow_sl(mem, pd, 0x1f0);
        CHECK(mem.read_u64(pt + 8 * 0x011) == 0x5003);
        CHECK_THROWS_AS(b.map_second_level(root, 3, uint64_t(1) << 39, 0x5000),
                        std::invalid_argument);
    }
    SECTION("5 levels: bits 56:48 index the root") {
        const uint64_t root = b.new_table();
        // 0x0ab << 48 | 0x1a5 << 39 | 0x0c3 << 30 | 0x1f0 << 21 | 0x011 << 12.
        const WalkPath path = b.map_second_level(root, 5, 0xab'd2b0'fe01'1000, 0x6000);
        const uint64_t pml4 = follow_sl(mem, root, 0x0ab);
        const uint64_t pdpt = follow_sl(mem, pml4, 0x1a5);
        const uint64_t pd = follow_sl(mem, pdpt, 0x0c3);
        const uint64_t pt = follow_sl(mem, pd, 0x1f0);
        CHECK(mem.read_u64(pt + 8 * 0x011) == 0x6003);
        CHECK(path.entries.size() == 5);
        CHECK(path.entries[0] == root + 8 * 0x0ab);
        CHECK_THROWS_AS(b.map_second_level(root, 5, uint64_t(1) << 57, 0x5000),
                        std::invalid_argument);
    }
}

TEST_CASE("vtd builder: 2 MiB and 1 GiB second-level leaves set PS", "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    const uint64_t root = b.new_table();

    // 2 MiB at iova 0x4060_0000: bits 47:39 = 0, 38:30 = 1, 29:21 = 0x203 & 0x1ff = 3.
    const WalkPath p2m = b.map_second_level(root, 4, 0x4060'0000, 0x8000'0000, PageSize::k2M);
    const uint64_t pdpt = follow_sl(mem, root, 0);
    const uint64_t pd = follow_sl(mem, pdpt, 1);
    CHECK(mem.read_u64(pd + 8 * 3) == 0x8000'0083);  // PS (7) | W | R
    CHECK(p2m.entries.size() == 3);
    CHECK(p2m.leaf() == pd + 8 * 3);

    // 1 GiB at iova 0x80_c000_0000: bits 47:39 = 1, 38:30 = 0x203 & 0x1ff = 3.
    SlLeaf leaf;
    leaf.a = leaf.d = true;
    const WalkPath p1g =
        b.map_second_level(root, 4, 0x80'c000'0000, 0x1'4000'0000, PageSize::k1G, leaf);
    const uint64_t pdpt1 = follow_sl(mem, root, 1);
    CHECK(mem.read_u64(pdpt1 + 8 * 3) == 0x1'4000'0383);  // D (9) | A (8) | PS | W | R
    CHECK(p1g.entries.size() == 2);

    CHECK_THROWS_AS(b.map_second_level(root, 4, 0x4070'0000, 0x8000'0000, PageSize::k2M),
                    std::invalid_argument);  // iova not 2 MiB aligned
    CHECK_THROWS_AS(b.map_second_level(root, 4, 0x4000'0000, 0x8010'0000, PageSize::k2M),
                    std::invalid_argument);  // pa not 2 MiB aligned
}

TEST_CASE("vtd builder: intermediate tables are shared, conflicts are refused",
          "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    const uint64_t root = b.new_table();
    const WalkPath a = b.map_second_level(root, 4, 0x1000, 0x10'0000);
    const uint64_t pages = b.pages_allocated();
    const WalkPath c = b.map_second_level(root, 4, 0x2000, 0x20'0000);
    CHECK(b.pages_allocated() == pages);  // same PT
    CHECK((c.leaf() & kAddrMask) == (a.leaf() & kAddrMask));
    CHECK(c.leaf() == a.leaf() + 8);

    // Remapping a leaf overwrites it.
    SlLeaf ro;
    ro.w = false;
    b.map_second_level(root, 4, 0x1000, 0x30'0000, PageSize::k4K, ro);
    CHECK(mem.read_u64(a.leaf()) == 0x30'0001);

    // A 2 MiB leaf where the PD entry points to a table: refused.
    CHECK_THROWS_AS(b.map_second_level(root, 4, 0, 0x40'0000, PageSize::k2M), std::logic_error);
    // A 4 KiB page inside an existing 2 MiB page: refused.
    b.map_second_level(root, 4, 0x60'0000, 0x80'0000, PageSize::k2M);
    CHECK_THROWS_AS(b.map_second_level(root, 4, 0x60'1000, 0x5000), std::logic_error);
}

// ---------------------------------------------------------------------------------------
// TableBuilder: first-level tables
// ---------------------------------------------------------------------------------------

TEST_CASE("vtd builder: 4-level first-level mapping, upper canonical half", "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    const uint64_t root = b.new_table();
    const uint64_t va = 0xffff'8000'1234'5000;
    FlLeaf leaf;
    leaf.us = false;  // supervisor page
    leaf.xd = true;
    leaf.g = true;
    b.map_first_level(root, 4, va, 0xabcd'e000, PageSize::k4K, leaf);
    // Indexes: bits 47:39 = 0x100, 38:30 = 0, 29:21 = 0x91, 20:12 = 0x145.
    const uint64_t pdpt = follow_fl(mem, root, 0x100);
    const uint64_t pd = follow_fl(mem, pdpt, 0);
    const uint64_t pt = follow_fl(mem, pd, 0x91);
    // XD (63) | G (8) | R/W (1) | P (0).
    CHECK(mem.read_u64(pt + 8 * 0x145) == 0x8000'0000'abcd'e103);

    CHECK_THROWS_AS(b.map_first_level(root, 4, 0x0000'8000'0000'0000, 0x1000),
                    std::invalid_argument);  // not canonical for 4 levels
    CHECK_THROWS_AS(b.map_first_level(root, 3, 0x1000, 0x1000), std::invalid_argument);
}

TEST_CASE("vtd builder: 5-level first-level mapping and large pages", "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    const uint64_t root = b.new_table();

    // 5 levels: bits 56:48 = 0xab index the root; canonical because bit 56 is 0.
    b.map_first_level(root, 5, 0xab'd2b0'fe01'1000, 0x9000);
    const uint64_t pml4 = follow_fl(mem, root, 0x0ab);
    const uint64_t pdpt = follow_fl(mem, pml4, 0x1a5);
    const uint64_t pd = follow_fl(mem, pdpt, 0x0c3);
    const uint64_t pt = follow_fl(mem, pd, 0x1f0);
    CHECK(mem.read_u64(pt + 8 * 0x011) == 0x9007);  // U/S | R/W | P

    // 2 MiB at 0x4060_0000: PML5 0, PML4 0, PDPT 1, PD 3, PS (7) set.
    FlLeaf ro;
    ro.rw = false;
    b.map_first_level(root, 5, 0x4060'0000, 0x8000'0000, PageSize::k2M, ro);
    const uint64_t pml4b = follow_fl(mem, root, 0);
    const uint64_t pdptb = follow_fl(mem, pml4b, 0);
    const uint64_t pdb = follow_fl(mem, pdptb, 1);
    CHECK(mem.read_u64(pdb + 8 * 3) == 0x8000'0085);  // PS | U/S | P

    // 1 GiB at 0x80_c000_0000: PML5 0, PML4 1, PDPT 3.
    b.map_first_level(root, 5, 0x80'c000'0000, 0x1'4000'0000, PageSize::k1G);
    const uint64_t pdptc = follow_fl(mem, pml4b, 1);
    CHECK(mem.read_u64(pdptc + 8 * 3) == 0x1'4000'0087);
}

// ---------------------------------------------------------------------------------------
// TableBuilder: scalable mode
// ---------------------------------------------------------------------------------------

TEST_CASE("vtd builder: scalable-mode root -> context -> PASID entry, walked by hand",
          "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem, 0x3000'0000);
    ScalableContextSpec cs;
    cs.pdts = 1;  // 2^8 = 256 directory entries
    cs.rid_pasid = 0x2345;
    cs.dte = true;
    const uint64_t rt1 = b.set_scalable_context(0x03, 0x85, cs);
    CHECK(((rt1 >> 10) & 3) == 1);  // TTM = 01

    PasidSpec ps;
    ps.pgtt = Pgtt::kSecondLevel;
    ps.aw = 2;
    ps.slptptr = 0x4444'4000;
    ps.did = 0x42;
    const uint64_t rtaddr = b.set_pasid_entry(0x03, 0x85, 0x2345, ps);
    CHECK(rtaddr == rt1);
    const uint64_t root = rtaddr & kAddrMask;

    // devfn 0x85 >= 0x80: the upper half (UP bit 64, UCTP 127:76) of root entry 3.
    CHECK(mem.read_u64(root + 3 * 16) == 0);  // lower half untouched
    const uint64_t upper = mem.read_u64(root + 3 * 16 + 8);
    CHECK((upper & 0xfff) == 1);
    const uint64_t ctx_table = upper & kAddrMask;

    // 32-byte context entry at index 0x85 - 0x80 = 5.
    const uint64_t ce = ctx_table + 5 * 32;
    CHECK(b.context_entry_addr(Ttm::kScalable, 0x03, 0x85) == ce);
    const uint64_t q0 = mem.read_u64(ce);
    CHECK((q0 & 0xfff) == 0x205);  // PDTS=1 (11:9) | DTE (2) | P (0)
    CHECK(mem.read_u64(ce + 8) == 0x2345);  // RID_PASID
    CHECK(mem.read_u64(ce + 16) == 0);
    CHECK(mem.read_u64(ce + 24) == 0);
    const uint64_t dir = q0 & kAddrMask;
    CHECK(dir == b.pasid_dir(0x03, 0x85));

    // PASID 0x2345: directory index 0x2345 >> 6 = 0x8d, table index 0x2345 & 0x3f = 5.
    const uint64_t de = mem.read_u64(dir + 8 * 0x8d);
    CHECK((de & 0xfff) == 1);  // P, FPD clear
    const uint64_t pasid_table = de & kAddrMask;
    const uint64_t pe = pasid_table + 64 * 5;
    CHECK(b.pasid_dir_entry_addr(0x03, 0x85, 0x2345) == dir + 8 * 0x8d);
    CHECK(b.pasid_entry_addr(0x03, 0x85, 0x2345) == pe);
    CHECK(mem.read_u64(pe) == 0x4444'4089);  // SLPTPTR | PGTT 2 << 6 | AW 2 << 2 | P
    CHECK(mem.read_u64(pe + 8) == 0x42);      // DID
    for (int i = 2; i < 8; ++i) CHECK(mem.read_u64(pe + 8 * i) == 0);

    // A neighbour in the same 64-PASID block shares the PASID table.
    const uint64_t pages = b.pages_allocated();
    b.set_pasid_entry(0x03, 0x85, 0x2340, ps);
    CHECK(b.pages_allocated() == pages);
    CHECK(mem.read_u64(pasid_table) == 0x4444'4089);

    // Directory index 0x4000 >> 6 = 256 is past a PDTS=1 directory.
    CHECK_THROWS_AS(b.set_pasid_entry(0x03, 0x85, 0x4000, ps), std::invalid_argument);
    CHECK_THROWS_AS(b.set_pasid_entry(0x03, 0x86, 0, ps), std::logic_error);  // no context
}

TEST_CASE("vtd builder: scalable-mode lower half and directory size from PDTS",
          "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    ScalableContextSpec cs;
    cs.pdts = 7;  // 2^14 entries x 8 B = 128 KiB = 32 pages
    b.set_scalable_context(0, 0x10, cs);
    // Root table + lower context table + 32 directory pages.
    CHECK(b.pages_allocated() == 34);
    const uint64_t root = b.root_entry_addr(Ttm::kScalable, 0);
    const uint64_t lower = mem.read_u64(root);
    CHECK((lower & 0xfff) == 1);
    CHECK(mem.read_u64(root + 8) == 0);  // no upper table yet
    const uint64_t ce = (lower & kAddrMask) + 0x10 * 32;
    CHECK((mem.read_u64(ce) & 0xfff) == 0xe01);  // PDTS 7 << 9 | P

    // The largest PASID: directory index 0x3fff, in the directory's last page.
    PasidSpec ps;
    ps.pgtt = Pgtt::kFirstLevel;
    ps.flptptr = 0x9000;
    ps.sre = true;
    b.set_pasid_entry(0, 0x10, 0xf'ffff, ps);
    const uint64_t dir = mem.read_u64(ce) & kAddrMask;
    const uint64_t de = mem.read_u64(dir + 8 * 0x3fff);
    CHECK((de & 1) == 1);
    const uint64_t pe = (de & kAddrMask) + 64 * 0x3f;
    CHECK(mem.read_u64(pe) == 0x49);          // PGTT 1 << 6 | AW 2 << 2 | P
    CHECK(mem.read_u64(pe + 16) == 0x9001);   // FLPTPTR | SRE
    CHECK_THROWS_AS(b.set_pasid_entry(0, 0x10, 0x10'0000, ps), std::invalid_argument);

    // Re-setting the context with the same PDTS keeps the directory and its tables.
    cs.pre = true;
    b.set_scalable_context(0, 0x10, cs);
    CHECK((mem.read_u64(ce) & kAddrMask) == dir);
    CHECK((mem.read_u64(ce) & 0xfff) == 0xe11);  // + PRE (4)
}

TEST_CASE("vtd builder: an explicit PASID directory pointer is used as given", "[vtd_support]") {
    SparseMemory mem;
    TableBuilder b(mem);
    const uint64_t dir = b.new_table();
    ScalableContextSpec cs;
    cs.pasid_dir = dir;
    cs.pdts = 0;  // 128 entries
    b.set_scalable_context(1, 0xff, cs);
    const uint64_t ce = b.context_entry_addr(Ttm::kScalable, 1, 0xff);
    CHECK(ce == (mem.read_u64(b.root_entry_addr(Ttm::kScalable, 1) + 8) & kAddrMask) + 0x7f * 32);
    CHECK(mem.read_u64(ce) == (dir | 1));
    PasidSpec ps;
    ps.pgtt = Pgtt::kPassThrough;
    ps.did = 3;
    b.set_pasid_entry(1, 0xff, 0x7f, ps);  // directory index 1, table index 0x3f
    const uint64_t de = mem.read_u64(dir + 8);
    CHECK(mem.read_u64((de & kAddrMask) + 64 * 0x3f) == 0x109);  // PGTT 4 | AW 2 | P
    CHECK_THROWS_AS(b.set_pasid_entry(1, 0xff, 128 << 6, ps), std::invalid_argument);
}
