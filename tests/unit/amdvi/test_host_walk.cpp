// Host (v1) table walks through AmdviUnit (§2.2.3), over tables the spec-derived
// encoder builds: every Mode, level skipping, leaves above level 1, NextLevel=7 page
// sizes, IR/IW over the DTE and every level, reserved bits, the Mode's address width,
// and accessed/dirty updates.
#include <catch2/catch.hpp>

#include "tests/unit/amdvi/rig.h"

using namespace amdvi_rig;
namespace ev = amdvi::event;

namespace {

// An input address with non-zero index bits at every level a `mode` table resolves.
uint64_t iova_for(unsigned mode) {
    uint64_t v = 0x123;  // page offset
    for (unsigned l = 1; l <= mode && l <= 5; ++l) v |= uint64_t(l + 1) << amdvitest::level_lsb(l);
    if (mode == 6) v |= uint64_t(0x55) << 57;
    return v;
}

}  // namespace

TEST_CASE("amdvi walk: Modes 1 to 6 translate through that many levels", "[amdvi]") {
    for (unsigned mode = 1; mode <= 6; ++mode) {
        Rig r;
        const uint64_t root = r.translated_device(3, mode, 7);
        const uint64_t iova = iova_for(mode);
        r.tables.map(root, Rig::full_path(mode), iova, amdvitest::pte(0x7654000));
        r.enable();
        const auto res = r.access(3, iova);
        INFO("mode " << mode << ": " << r.unit->fault_text(res.reason));
        REQUIRE_FALSE(res.fault);
        CHECK(res.pa == 0x7654123);
        CHECK(res.page_size == 4096);
        CHECK(r.stat("walk_reads") == mode);
        CHECK(r.stat("dte_reads") == 4);
    }
}

// The input bits above 12 + 9 * Mode must be zero.
TEST_CASE("amdvi walk: an address above what the Mode covers is an IO_PAGE_FAULT", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(1, 3, 1);
    r.tables.map(root, Rig::full_path(3), 0x1000, amdvitest::pte(0x5000));
    r.enable();
    CHECK_FALSE(r.access(1, 0x1000).fault);
    const auto res = r.access(1, (uint64_t(1) << 39) | 0x1000);
    CHECK(res.fault);
    CHECK(res.reason == ev::IO_PAGE_FAULT);
    CHECK(r.stat("walk_reads") == 3);  // the second walk read nothing
    const auto recs = r.events();
    REQUIRE(recs.size() == 1);
    auto f = record(2, 1, 1, (uint64_t(1) << 39) | 0x1000);
    CHECK(recs[0] == amdvitest::event(f));
}

// NextLevel < level - 1 skips levels; the input bits they would index must be 0.
TEST_CASE("amdvi walk: level skipping, and non-zero skipped bits fault", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(2, 4, 9);
    const uint64_t iova = (uint64_t(5) << 39) | (uint64_t(3) << 21) | (uint64_t(4) << 12) | 0x10;
    r.tables.map(root, {4, 2, 1}, iova, amdvitest::pte(0x40000000));  // level 3 skipped
    r.enable();
    auto res = r.access(2, iova);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x40000010);
    CHECK(r.stat("walk_reads") == 3);
    res = r.access(2, iova | (uint64_t(1) << 30), true);  // bit 30 is level 3's
    CHECK(res.fault);
    CHECK(res.reason == ev::IO_PAGE_FAULT);
    const auto recs = r.events();
    REQUIRE(recs.size() == 1);
    auto f = record(2, 2, 9, iova | (uint64_t(1) << 30));
    f.pr = true;  // the directory entry was present
    f.rw = true;
    CHECK(recs[0] == amdvitest::event(f));

    // Skipping from 6 straight to 1: bits 56:21 must be zero.
    Rig s;
    const uint64_t root6 = s.translated_device(2, 6, 1);
    s.tables.map(root6, {6, 1}, (uint64_t(1) << 57) | 0x3000, amdvitest::pte(0x9000));
    s.enable();
    CHECK(s.access(2, (uint64_t(1) << 57) | 0x3000).pa == 0x9000);
    CHECK(s.access(2, (uint64_t(1) << 57) | (uint64_t(1) << 40) | 0x3000).fault);
}

// NextLevel=0 at levels 2 and 3: 2 MiB and 1 GiB pages.
TEST_CASE("amdvi walk: leaves at levels 2 and 3", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(4, 4, 4);
    r.tables.map(root, {4, 3, 2}, 0x40200000, amdvitest::pte(0x80200000));
    r.tables.map(root, {4, 3}, 0x80000000, amdvitest::pte(0xc0000000));
    r.enable();
    auto res = r.access(4, 0x40200000 + 0x12345);
    REQUIRE_FALSE(res.fault);
    CHECK(res.page_size == (uint64_t(1) << 21));
    CHECK(res.pa == 0x80200000 + 0x12345);
    res = r.access(4, 0x80000000 + 0x3456789);
    REQUIRE_FALSE(res.fault);
    CHECK(res.page_size == (uint64_t(1) << 30));
    CHECK(res.pa == 0xc0000000 + 0x3456789);
}

// NextLevel=7 (Table 14): every power of two from 8 KiB to 512 MiB at levels 1 and 2,
// 1 GiB as level 3's own size and 2 GiB at level 3; the entry the input indexes is
// one of the replicas, not necessarily the first.
TEST_CASE("amdvi walk: NextLevel=7 page sizes from 8 KiB to 2 GiB", "[amdvi]") {
    const unsigned sizes[] = {13, 14, 15, 16, 17, 18, 19, 20, 22, 23, 24, 25, 26, 27, 28, 29, 31};
    for (unsigned log2 : sizes) {
        Rig r;
        const uint64_t root = r.translated_device(5, 4, 5);
        const unsigned level = log2 < 21 ? 1 : log2 < 30 ? 2 : 3;
        const uint64_t size = uint64_t(1) << log2;
        const uint64_t iova = uint64_t(1) << 32;  // aligned to every size here
        const uint64_t pa = size * 3;
        const unsigned copies = unsigned(size >> amdvitest::level_lsb(level));
        r.tables.map(root, Rig::full_path(4, level), iova, amdvitest::pte_sized(pa, log2), copies);
        r.enable();
        const uint64_t offset = size - 8;  // in the last replica
        const auto res = r.access(5, iova + offset);
        INFO("size 2^" << log2 << ": " << r.unit->fault_text(res.reason));
        REQUIRE_FALSE(res.fault);
        CHECK(res.page_size == size);
        CHECK(res.pa == pa + offset);
    }
    Rig r;
    const uint64_t root = r.translated_device(5, 4, 5);
    r.tables.map(root, {4, 3}, uint64_t(1) << 30, amdvitest::pte(uint64_t(3) << 30));
    r.enable();
    CHECK(r.access(5, (uint64_t(1) << 30) + 0x3ffff000).page_size == (uint64_t(1) << 30));
}

// A NextLevel=7 size not above the level's own, or not below the next level's, is an
// invalid encoding (IO_PAGE_FAULT, PR=1).
TEST_CASE("amdvi walk: NextLevel=7 sizes outside the level's range fault", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(6, 4, 6);
    r.tables.map(root, {4, 3, 2}, 0x200000, amdvitest::pte_sized(0x400000, 14));  // 16 KiB at level 2
    r.tables.map(root, {4, 3, 2, 1}, 0x10000000, amdvitest::pte_sized(0x200000, 21), 512);  // 2 MiB at level 1
    r.enable();
    CHECK(r.access(6, 0x200000).reason == ev::IO_PAGE_FAULT);
    CHECK(r.access(6, 0x10000000).reason == ev::IO_PAGE_FAULT);
    const auto recs = r.events();
    REQUIRE(recs.size() == 2);
    CHECK(((recs[0][0] >> 52) & 1) == 1);  // PR
}

// IR/IW are ANDed over the DTE, the directory entries and the leaf; a denied access
// is an IO_PAGE_FAULT with PR=1 and PE=1.
TEST_CASE("amdvi walk: IR/IW combinations over the DTE and every level", "[amdvi]") {
    Rig r;
    r.enable();
    uint16_t dev = 0;
    for (unsigned combo = 0; combo < 64; ++combo, ++dev) {
        const bool dte_r = combo & 1, dte_w = combo & 2, pde_r = combo & 4, pde_w = combo & 8;
        const bool pte_r = combo & 16, pte_w = combo & 32;
        DteFields f;
        f.ir = dte_r;
        f.iw = dte_w;
        const uint64_t root = r.translated_device(dev, 3, uint16_t(100 + dev), f);
        Perm dir;
        dir.ir = pde_r;
        dir.iw = pde_w;
        Perm leaf;
        leaf.ir = pte_r;
        leaf.iw = pte_w;
        r.tables.map(root, {3, 2, 1}, 0x5000, amdvitest::pte(0x9000, leaf), 1, dir);
        for (bool write : {false, true}) {
            const bool allowed = write ? (dte_w && pde_w && pte_w) : (dte_r && pde_r && pte_r);
            const auto res = r.access(dev, 0x5008, write);
            INFO("combo " << combo << (write ? " write" : " read"));
            CHECK(res.fault == !allowed);
            if (allowed) {
                CHECK(res.pa == 0x9008);
                CHECK(res.read == (dte_r && pde_r && pte_r));
                CHECK(res.write == (dte_w && pde_w && pte_w));
                continue;
            }
            const auto recs = r.events();
            REQUIRE(recs.size() == 1);
            auto e = record(2, dev, uint16_t(100 + dev), 0x5008);
            e.pr = e.pe = true;
            e.rw = write;
            CHECK(recs[0] == amdvitest::event(e));
        }
    }
}

// Not present: PR=0. Reserved bits (PTE 58:52, PDE 60:52): RZ=1.
TEST_CASE("amdvi walk: not-present and reserved-bit entries", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(1, 3, 2);
    r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x2000) | (uint64_t(1) << 52));
    const uint64_t pde_at = r.tables.map(root, {3, 2, 1}, 0x40000000, amdvitest::pte(0x2000));
    (void)pde_at;
    // The level-3 entry for 0x80000000 is a directory with bit 60 set (reserved in a PDE).
    const uint64_t t2 = r.tables.new_table();
    r.mem.write_u64(amdvitest::HostTables::slot(root, 3, 0x80000000), amdvitest::pde(t2, 2) | (uint64_t(1) << 60));
    r.enable();
    CHECK(r.access(1, 0x1000).fault);
    CHECK(r.access(1, 0x80000000).fault);
    CHECK(r.access(1, 0x3000).fault);  // level 1 entry absent
    const auto recs = r.events();
    REQUIRE(recs.size() == 3);
    auto e = record(2, 1, 2, 0x1000);
    e.pr = e.rz = true;
    CHECK(recs[0] == amdvitest::event(e));
    e.address = 0x80000000;
    CHECK(recs[1] == amdvitest::event(e));
    e.pr = e.rz = false;
    e.address = 0x3000;
    CHECK(recs[2] == amdvitest::event(e));
}

// DTE.HAD (with EFR.HASup/HDSup): 01b sets Accessed in every entry used, 11b also
// Dirty in the leaf on a write; 00b writes nothing.
TEST_CASE("amdvi walk: accessed and dirty updates follow DTE.HAD", "[amdvi]") {
    Rig r;
    DteFields f;
    f.had = 3;
    const uint64_t root = r.translated_device(1, 2, 1, f);
    const uint64_t leaf_at = r.tables.map(root, {2, 1}, 0x1000, amdvitest::pte(0x8000));
    const uint64_t top_at = amdvitest::HostTables::slot(root, 2, 0x1000);
    f.had = 0;
    const uint64_t root0 = r.translated_device(2, 2, 2, f);
    const uint64_t leaf0 = r.tables.map(root0, {2, 1}, 0x1000, amdvitest::pte(0x8000));
    r.enable();
    REQUIRE_FALSE(r.access(1, 0x1000).fault);
    CHECK((r.mem.read_u64(top_at) >> 5 & 1) == 1);
    CHECK((r.mem.read_u64(leaf_at) >> 5 & 1) == 1);
    CHECK((r.mem.read_u64(leaf_at) >> 6 & 1) == 0);
    CHECK(r.stat("walk_writes") == 2);
    REQUIRE_FALSE(r.access(1, 0x1000, true).fault);  // the IOTLB entry was a read's: walk
    CHECK((r.mem.read_u64(leaf_at) >> 6 & 1) == 1);
    CHECK(r.stat("walk_writes") == 3);
    REQUIRE_FALSE(r.access(2, 0x1000, true).fault);
    CHECK(r.mem.read_u64(leaf0) == amdvitest::pte(0x8000));
}
