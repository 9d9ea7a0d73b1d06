// AmdviUnit's guest (GCR3) translation (48882 §2.2.6): the GCR3 table at one and two
// levels, x86 guest pages of 4 KiB, 2 MiB and 1 GiB, 4 and 5 levels, guest-only and
// nested over the host table, permissions (R/W, U/S, NX), A/D updates, and the events
// of each fault field by field, against the spec-derived encoder's records.
#include <catch2/catch.hpp>

#include "tests/unit/amdvi/guest_rig.h"

using namespace amdvi_rig;
namespace ev = amdvi::event;
using amdvitest::guest_leaf;
using amdvitest::set_gcr3;

namespace {
constexpr uint64_t kA = 1 << 5, kD = 1 << 6;
}

TEST_CASE("amdvi guest: one- and two-level GCR3 tables find each PASID's guest CR3", "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    DteFields f1, f2;
    const uint64_t t1 = guest_device(r, 1, 7, 0, f1);
    const uint64_t t2 = guest_device(r, 2, 8, 1, f2);
    const uint64_t gva = 0x7f00'1234'5000;
    struct Space {
        uint16_t dev;
        uint64_t table;
        unsigned glx;
        uint32_t pasid;
        uint64_t pa;
    };
    const Space spaces[] = {{1, t1, 0, 5, 0x10000000}, {1, t1, 0, 0x1ff, 0x10001000}, {2, t2, 1, 0xabcd, 0x10002000}};
    for (const Space& s : spaces) {
        const uint64_t cr3 = g.new_table();
        g.map(cr3, 4, gva, 1, guest_leaf(s.pa, 1));
        set_gcr3(r.mem, r.tables, s.table, s.glx, s.pasid, cr3);
    }
    r.enable(amdvi::ctrl::GT_EN);
    for (const Space& s : spaces) {
        const uint64_t before = r.stat("walk_reads");
        const auto res = r.unit->translate(preq(s.dev, s.pasid, gva + 0x10, false));
        REQUIRE_FALSE(res.fault);
        CHECK(res.pa == s.pa + 0x10);
        CHECK(res.page_size == 4096);
        CHECK(r.stat("walk_reads") - before == s.glx + 1 + 4);  // GCR3 levels, four guest levels
    }
    // One level indexes PASID[8:0]: 0x205 has no entry there.
    CHECK(r.unit->translate(preq(1, 0x205, gva, false)).reason == ev::IO_PAGE_FAULT);
    const auto recs = r.events();
    REQUIRE(recs.size() == 1);
    auto e = guest_record(2, 1, 0x205, gva);
    e.us = true;
    CHECK(recs[0] == amdvitest::event(e));
}

TEST_CASE("amdvi guest: 4 KiB, 2 MiB and 1 GiB guest pages, guest-only (Mode 0: GPA = SPA)", "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const uint64_t cr3 = guest_space(r, g, 3, 9, 1);
    g.map(cr3, 4, 0x1000, 1, guest_leaf(0x30005000, 1));
    g.map(cr3, 4, 0x200000, 2, guest_leaf(0x30200000, 2));
    g.map(cr3, 4, 0x80000000, 3, guest_leaf(0x40000000, 3));
    r.enable(amdvi::ctrl::GT_EN);
    struct Case {
        uint64_t gva, pa, size, reads;
    };
    const Case cases[] = {{0x1234, 0x30005234, 4096, 5},
                          {0x2abcde, 0x302abcde, 2 << 20, 4},
                          {0x92345678, 0x52345678, 1 << 30, 3}};
    for (const Case& c : cases) {
        const uint64_t before = r.stat("walk_reads");
        const auto res = r.unit->translate(preq(3, 1, c.gva, true));
        REQUIRE_FALSE(res.fault);
        CHECK(res.pa == c.pa);
        CHECK(res.page_size == c.size);
        CHECK(res.write);
        CHECK(r.stat("walk_reads") - before == c.reads);
    }
}

// Nested: the guest CR3, every next-table address and the final GPA go through the
// host table (one 1 GiB host leaf: one host read each).
TEST_CASE("amdvi guest: nested over the host table, every guest pointer and the final GPA translated",
          "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, kWindow};
    DteFields f;
    const uint64_t cr3 = g.new_table();
    set_gcr3(r.mem, r.tables, nested_device(r, 4, 0x44, f), 0, 9, cr3);
    g.map(cr3, 4, 0x5000, 1, guest_leaf(0x3000000, 1));
    // A 2 MiB guest page over GPAs the host maps with 4 KiB pages, above the window.
    g.map(cr3, 4, 0x40000000, 2, guest_leaf(0x40000000, 2));
    r.tables.map(f.root, {3, 2, 1}, 0x40001000, amdvitest::pte(0x9000000));
    // A guest page at a GPA the host table does not map.
    g.map(cr3, 4, 0x7000, 1, guest_leaf(0x80000000, 1));
    r.enable(amdvi::ctrl::GT_EN);

    auto res = r.unit->translate(preq(4, 9, 0x5678, true));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == kWindow + 0x3000678);
    CHECK(res.page_size == 4096);
    CHECK(r.stat("walk_reads") == 1 + 4 * 2 + 1);
    CHECK(r.stat("walk_writes") == 4);  // A on four guest levels, D with it in the leaf
    res = r.unit->translate(preq(4, 9, 0x40001abc, false));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x9000abc);
    CHECK(res.page_size == 4096);  // the smaller of the guest's 2 MiB and the host's 4 KiB

    // The host table faults on the final GPA: a host fault (GN=0, DomainID) at the GPA.
    res = r.unit->translate(preq(4, 9, 0x7010, false));
    CHECK(res.reason == ev::IO_PAGE_FAULT);
    const auto recs = r.events();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0] == amdvitest::event(record(2, 4, 0x44, 0x80000010)));
}

TEST_CASE("amdvi guest: a write to a read-only guest page is IO_PAGE_FAULT with GN=1, PR=1, PE=1", "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const uint64_t cr3 = guest_space(r, g, 5, 3, 0xa123, 1);
    GuestPerm ro;
    ro.rw = false;
    g.map(cr3, 4, 0x9000, 1, guest_leaf(0x20000000, 1, ro));
    r.enable(amdvi::ctrl::GT_EN);
    const auto read = r.unit->translate(preq(5, 0xa123, 0x9008, false));
    REQUIRE_FALSE(read.fault);
    CHECK_FALSE(read.write);
    const auto res = r.unit->translate(preq(5, 0xa123, 0x9008, true));
    CHECK(res.reason == ev::IO_PAGE_FAULT);
    CHECK(res.record);
    const auto recs = r.events();
    REQUIRE(recs.size() == 1);
    auto e = guest_record(2, 5, 0xa123, 0x9008);
    e.pr = e.pe = e.rw = e.us = true;
    CHECK(recs[0] == amdvitest::event(e));
}

// U/S=0 at any level refuses user requests (USSup); NX=1 refuses execute (NXSup).
TEST_CASE("amdvi guest: U/S refuses user requests, NX refuses execute", "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const uint64_t cr3 = guest_space(r, g, 6, 2, 4);
    GuestPerm sup, nx;
    sup.us = false;
    nx.nx = true;
    g.map(cr3, 4, 0x1000, 1, guest_leaf(0x21000000, 1, sup));
    g.map(cr3, 4, 0x2000, 1, guest_leaf(0x21001000, 1, nx));
    g.map(cr3, 4, uint64_t(1) << 39, 1, guest_leaf(0x21002000, 1), sup);  // U/S=0 above a U/S=1 leaf
    r.enable(amdvi::ctrl::GT_EN);
    CHECK_FALSE(r.unit->translate(preq(6, 4, 0x1000, false, true)).fault);  // privileged
    CHECK(r.unit->translate(preq(6, 4, 0x1000, false)).fault);              // user
    CHECK(r.unit->translate(preq(6, 4, uint64_t(1) << 39, false)).fault);
    CHECK_FALSE(r.unit->translate(preq(6, 4, 0x2000, false, true)).fault);
    CHECK(r.unit->translate(preq(6, 4, 0x2000, false, true, true)).fault);  // execute
    CHECK_FALSE(r.unit->translate(preq(6, 4, 0x1000, false, true, true)).fault);
    const auto recs = r.events();
    REQUIRE(recs.size() == 3);
    auto e = guest_record(2, 6, 4, 0x1000);
    e.pr = e.pe = e.us = true;
    CHECK(recs[0] == amdvitest::event(e));
    e.address = uint64_t(1) << 39;
    CHECK(recs[1] == amdvitest::event(e));
    e = guest_record(2, 6, 4, 0x2000);
    e.pr = e.pe = e.nx = true;
    CHECK(recs[2] == amdvitest::event(e));
}

TEST_CASE("amdvi guest: a non-present entry (PR=0) and reserved bits (RZ=1) fault with GN=1", "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const uint64_t cr3 = guest_space(r, g, 7, 2, 3);
    g.map(cr3, 4, 0x1000, 1, guest_leaf(0x22000000, 1));
    // PS in a PML4E, and a 2 MiB leaf with address bit 13 set.
    r.mem.write_u64(g.spa(cr3) + 8 * 2, amdvitest::guest_pde(g.new_table()) | 1 << 7);
    g.map(cr3, 4, 0x600000, 2, guest_leaf(0x22400000, 2) | 1 << 13);
    r.enable(amdvi::ctrl::GT_EN);
    CHECK(r.unit->translate(preq(7, 3, 0x3000, true)).fault);  // PT entry absent
    CHECK(r.unit->translate(preq(7, 3, uint64_t(2) << 39, false)).fault);
    CHECK(r.unit->translate(preq(7, 3, 0x600000, false)).fault);
    const auto recs = r.events();
    REQUIRE(recs.size() == 3);
    auto e = guest_record(2, 7, 3, 0x3000);
    e.rw = e.us = true;
    CHECK(recs[0] == amdvitest::event(e));
    e = guest_record(2, 7, 3, uint64_t(2) << 39);
    e.us = e.pr = e.rz = true;
    CHECK(recs[1] == amdvitest::event(e));
    e.address = 0x600000;
    CHECK(recs[2] == amdvitest::event(e));
}

TEST_CASE("amdvi guest: hardware sets A in every entry walked and D in a write's leaf", "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const uint64_t cr3 = guest_space(r, g, 8, 2, 2);
    g.map(cr3, 4, 0x3000, 1, guest_leaf(0x23000000, 1));
    r.enable(amdvi::ctrl::GT_EN);
    REQUIRE_FALSE(r.unit->translate(preq(8, 2, 0x3000, false)).fault);
    for (unsigned level = 4; level >= 1; --level) CHECK(r.mem.read_u64(g.entry_at(cr3, 4, 0x3000, level)) & kA);
    const uint64_t leaf = g.entry_at(cr3, 4, 0x3000, 1);
    CHECK_FALSE(r.mem.read_u64(leaf) & kD);
    CHECK(r.stat("walk_writes") == 4);
    // The IOTLB entry the read filled does not let a write skip setting D.
    REQUIRE_FALSE(r.unit->translate(preq(8, 2, 0x3000, true)).fault);
    CHECK(r.mem.read_u64(leaf) == (guest_leaf(0x23000000, 1) | kA | kD));
    CHECK(r.stat("walk_writes") == 5);
    const uint64_t reads = r.stat("walk_reads");
    REQUIRE_FALSE(r.unit->translate(preq(8, 2, 0x3008, true)).fault);  // now a hit
    CHECK(r.stat("walk_reads") == reads);
}

TEST_CASE("amdvi guest: an invalid GCR3 entry and a PASID above PASmax fault with GN=1, PR=0", "[amdvi]") {
    Rig r;
    r.straps.efr.pas_max = 7;  // PASIDs 0-0xff
    r.rebuild();
    GuestTables g{r.mem, kGuestPool, 0};
    DteFields f;
    const uint64_t t = guest_device(r, 9, 2, 1, f);
    const uint64_t cr3 = g.new_table();
    set_gcr3(r.mem, r.tables, t, 1, 0x80, cr3);
    g.map(cr3, 4, 0x1000, 1, guest_leaf(0x24000000, 1));
    r.enable(amdvi::ctrl::GT_EN);
    CHECK_FALSE(r.unit->translate(preq(9, 0x80, 0x1000, false)).fault);
    const uint32_t bad[] = {0x81, 0x100};  // V=0 in the level-0 GCR3 table; above PASmax
    for (uint32_t pasid : bad) CHECK(r.unit->translate(preq(9, pasid, 0x1000, true)).reason == ev::IO_PAGE_FAULT);
    const auto recs = r.events();
    REQUIRE(recs.size() == 2);
    for (unsigned i = 0; i < 2; ++i) {
        auto e = guest_record(2, 9, bad[i], 0x1000);
        e.rw = e.us = true;
        CHECK(recs[i] == amdvitest::event(e));
    }
}

TEST_CASE("amdvi guest: the IOTLB keeps guest translations by PASID and privilege", "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const auto [a, b] = two_spaces(r, g, 10, 2);
    GuestPerm sup;
    sup.us = false;
    g.map(a, 4, 0x1000, 1, guest_leaf(0x25000000, 1, sup));
    g.map(b, 4, 0x1000, 1, guest_leaf(0x25001000, 1, sup));
    r.enable(amdvi::ctrl::GT_EN);
    CHECK(r.unit->translate(preq(10, 1, 0x1000, false, true)).pa == 0x25000000);
    CHECK(r.unit->translate(preq(10, 1, 0x1100, false, true)).pa == 0x25000100);
    CHECK(r.stat("iotlb.hits") == 1);
    CHECK(r.unit->translate(preq(10, 2, 0x1000, false, true)).pa == 0x25001000);  // another PASID
    CHECK(r.stat("iotlb.hits") == 1);
    CHECK(r.unit->translate(preq(10, 1, 0x1000, false)).fault);  // a user request walks and faults
    CHECK(r.stat("iotlb.hits") == 1);
    // Without a PASID the DTE's host side answers (Mode 0: untranslated).
    CHECK(r.unit->translate(testutil::dma(10, 0x1000, false)).pa == 0x1000);
}

// GuestPagingMode 1 walks five levels (57-bit GVAs) where EFR.GATS allows it; a GVA
// that is not canonical for the levels faults; GPM beyond GATS is an illegal DTE.
TEST_CASE("amdvi guest: five-level guest tables with GuestPagingMode 1 and GATS 1", "[amdvi]") {
    Rig r;
    r.straps.efr.gats = 1;
    r.rebuild();
    GuestTables g{r.mem, kGuestPool, 0};
    DteFields f5, f4;
    f5.gpm = 1;
    const uint64_t gva = (uint64_t(1) << 48) | 0x1000;
    const uint64_t cr3 = g.new_table();
    set_gcr3(r.mem, r.tables, guest_device(r, 11, 2, 0, f5), 0, 1, cr3);
    set_gcr3(r.mem, r.tables, guest_device(r, 12, 3, 0, f4), 0, 1, cr3);  // its own DomainID
    g.map(cr3, 5, gva, 1, guest_leaf(0x26000000, 1));
    r.enable(amdvi::ctrl::GT_EN);
    const auto res = r.unit->translate(preq(11, 1, gva, false));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x26000000);
    CHECK(r.stat("walk_reads") == 1 + 5);
    CHECK(r.unit->translate(preq(12, 1, gva, false)).reason == ev::IO_PAGE_FAULT);  // 48-bit: not canonical

    Rig r4;  // GATS 0: four levels only
    r4.put_dte(11, f5);
    r4.enable(amdvi::ctrl::GT_EN);
    CHECK(r4.unit->translate(preq(11, 1, gva, false)).reason == ev::ILLEGAL_DEV_TABLE_ENTRY);
}

// GV=1 needs CONTROL.GTEn; GV=0 ignores a request's PASID.
TEST_CASE("amdvi guest: GTEn=0 refuses PASID requests on GV=1, GV=0 translates them as host requests",
          "[amdvi]") {
    Rig r;
    DteFields gv;
    guest_device(r, 1, 2, 0, gv);
    const uint64_t root = r.translated_device(2, 3, 4);
    r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000));
    r.enable();
    CHECK(r.unit->translate(preq(1, 1, 0x1000, false)).reason == ev::INVALID_DEVICE_REQUEST);
    CHECK(r.unit->translate(preq(2, 1, 0x1000, false)).pa == 0x8000);
}
