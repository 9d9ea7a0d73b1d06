// The AMD-Vi driver's v1 host tables, decoded by the rig's spec walk: 4K, 2M and 1G
// pages with NextLevel 0 at levels 1-3, NextLevel=7 sizes replicated, table entries,
// the page-size bitmap and aperture, map's refusals, unmap and iova_to_phys.
#include <catch2/catch.hpp>

#include "tests/unit/iommufd/amdvi_driver_rig.h"

using namespace amdvi_rig;

namespace {

constexpr uint64_t FC = uint64_t(1) << 60, IR = uint64_t(1) << 61, IW = uint64_t(1) << 62;
uint64_t next_level(uint64_t e) { return field(e, 9, 3); }

}  // namespace

TEST_CASE("amdvi driver: 4K, 2M and 1G pages are one entry with NextLevel 0 at levels 1, 2 "
          "and 3, with PR, FC and the rights asked", "[iommufd][amdvi-driver]") {
    Attached a;
    struct Case {
        uint64_t iova, pa, size;
        unsigned prot, level;
    };
    const Case cases[] = {
        {0x1000, 0x4000'1000, 0x1000, kRead | kWrite, 1},
        {0x20'0000, 0x8020'0000, 0x20'0000, kRead, 2},
        {0x4000'0000, 0x1'c000'0000, 0x4000'0000, kWrite, 3},
    };
    for (const Case& c : cases) {
        INFO(c.size);
        REQUIRE(a.d->map(c.iova, c.pa, c.size, c.prot) == Errno::Ok);
        const Page p = a.r.walk(c.iova + c.size / 2 + 0x123);
        REQUIRE_FALSE(p.fault);
        CHECK(p.level == c.level);
        CHECK(next_level(p.entry) == 0);
        CHECK(p.copies == 1);
        CHECK(p.size == c.size);
        CHECK(p.pa == c.pa + c.size / 2 + 0x123);
        CHECK((p.entry & (FC | 1)) == (FC | 1));
        CHECK(bool(p.entry & IR) == bool(c.prot & kRead));
        CHECK(bool(p.entry & IW) == bool(c.prot & kWrite));
        CHECK(a.dom().iova_to_phys(c.iova + 5) == c.pa + 5);
    }
    // The DTE: V, TV, Mode 4, the root, IR, IW, the DomainID, no HAD, no guest tables.
    const Dte d = a.r.dte(kDev);
    CHECK(d.v());
    CHECK(d.tv());
    CHECK(d.mode() == 4);
    CHECK(d.root() == a.dom().root());
    CHECK(d.ir());
    CHECK(d.iw());
    CHECK(d.domid() == a.dom().domid());
    CHECK(d.had() == 0);
    CHECK_FALSE(d.gv());
    CHECK_FALSE(d.i());
    // Table entries name the next level (none skipped) with PR, IR and IW.
    const uint64_t top = a.r.mem.read_u64(d.root());
    CHECK(next_level(top) == 3);
    CHECK((top & (1 | IR | IW)) == (1 | IR | IW));
    CHECK_FALSE(top & FC);
}

TEST_CASE("amdvi driver: other power-of-two sizes are NextLevel=7 pages repeated over the "
          "entries they span, the size in the address bits", "[iommufd][amdvi-driver]") {
    Attached a;
    struct Case {
        uint64_t iova, pa, size, address;  // the address field Linux's PAGE_SIZE_PTE gives
        unsigned level, copies;
    };
    const Case cases[] = {
        // 8 KiB: bit 12 clear. 64 KiB: bits 12-14 set, 15 clear. 4 MiB at level 2:
        // bits 12-20 set, 21 clear. 256 GiB at level 3: 256 entries, bits 12-36 set.
        {0x4000, 0x8000'4000, 0x2000, 0x8000'4000, 1, 2},
        {0x1'0000, 0x9001'0000, 0x1'0000, 0x9001'7000, 1, 16},
        {0x40'0000, 0x8040'0000, 0x40'0000, 0x805f'f000, 2, 2},
        {uint64_t(1) << 38, uint64_t(1) << 39, uint64_t(1) << 38, (uint64_t(1) << 39) | 0x1f'ffff'f000, 3, 256},
    };
    for (const Case& c : cases) {
        INFO(c.size);
        REQUIRE(a.d->map(c.iova, c.pa, c.size, kRead | kWrite) == Errno::Ok);
        const Page p = a.r.walk(c.iova + c.size - 8);  // the last entry of the run
        REQUIRE_FALSE(p.fault);
        CHECK(next_level(p.entry) == 7);
        CHECK(p.level == c.level);
        CHECK(p.copies == c.copies);
        CHECK(p.size == c.size);
        CHECK((p.entry & 0x000f'ffff'ffff'f000) == c.address);
        CHECK(p.pa == c.pa + c.size - 8);
        CHECK(a.dom().iova_to_phys(c.iova + 0x1008) == c.pa + 0x1008);
    }
}

TEST_CASE("amdvi driver: page sizes are every power of two with a leaf below the top "
          "level, and the aperture is what Mode covers", "[iommufd][amdvi-driver]") {
    Attached four;
    CHECK(four.d->page_sizes() == 0x7f'ffff'f000);  // 4 KiB .. 256 GiB
    CHECK(four.d->aperture_end() == (uint64_t(1) << 48) - 1);
    drv::DriverParams p = Rig::small();
    p.levels = 5;
    Attached five({}, p, kEfr | hats(1));
    CHECK(five.d->page_sizes() == 0xff7f'ffff'f000);  // 4 KiB .. 128 TiB without 512 GiB
    CHECK(five.d->aperture_end() == (uint64_t(1) << 57) - 1);
    CHECK(five.r.dte(kDev).mode() == 5);
    CHECK(five.d->map(0, 0, uint64_t(1) << 39, kRead) == Errno::Inval);
    p.levels = 6;
    Attached six({}, p, kEfr | hats(2));
    CHECK(six.d->aperture_end() == ~uint64_t(0));
}

TEST_CASE("amdvi driver: map refuses no rights, odd sizes, misalignment, addresses beyond "
          "the aperture or 52 bits, and anything in the way", "[iommufd][amdvi-driver]") {
    Attached a;
    CHECK(a.d->map(0x1000, 0x1000, 0x1000, 0) == Errno::Inval);
    CHECK(a.d->map(0x3000, 0x3000, 0x3000, kRead) == Errno::Inval);
    CHECK(a.d->map(0x1000, 0x1000, 0x2000, kRead) == Errno::Inval);
    CHECK(a.d->map(uint64_t(1) << 48, 0, 0x1000, kRead) == Errno::Fault);
    CHECK(a.d->map(0x1000, uint64_t(1) << 52, 0x1000, kRead) == Errno::Inval);
    REQUIRE(a.d->map(0x20'0000, 0x20'0000, 0x1000, kRead) == Errno::Ok);
    CHECK(a.d->map(0x20'0000, 0x20'0000, 0x1000, kRead) == Errno::Exist);
    CHECK(a.d->map(0x20'0000, 0x20'0000, 0x20'0000, kRead) == Errno::Exist);   // a table in use
    CHECK(a.d->map(0x20'0000, 0x20'0000, 0x2000, kRead) == Errno::Exist);      // one of its entries
    REQUIRE(a.d->map(0x40'0000, 0x40'0000, 0x20'0000, kRead) == Errno::Ok);
    CHECK(a.d->map(0x40'1000, 0x40'1000, 0x1000, kRead) == Errno::Exist);      // inside a page
}

TEST_CASE("amdvi driver: unmap clears every entry of each page in the range and skips holes",
          "[iommufd][amdvi-driver]") {
    Attached a;
    REQUIRE(a.d->map(0x4000, 0x8000'4000, 0x2000, kRead) == Errno::Ok);
    REQUIRE(a.d->map(0x20'0000, 0x8020'0000, 0x20'0000, kRead) == Errno::Ok);
    REQUIRE(a.d->map(0x60'0000, 0x8060'0000, 0x1000, kRead) == Errno::Ok);
    a.d->unmap(0, 0x60'0000);
    for (uint64_t iova : {0x4000, 0x5000, 0x20'0000, 0x3f'f000}) {
        CHECK(a.r.walk(iova).fault);
        CHECK(a.dom().iova_to_phys(iova) == 0);
    }
    // The second entry of the 8 KiB page too (level 1, index 5).
    uint64_t table = a.dom().root();
    for (int level = 4; level > 1; --level) table = a.r.mem.read_u64(table) & 0x000f'ffff'ffff'f000;
    CHECK(a.r.mem.read_u64(table + 4 * 8) == 0);
    CHECK(a.r.mem.read_u64(table + 5 * 8) == 0);
    CHECK(a.dom().iova_to_phys(0x60'0000) == 0x8060'0000);
}

TEST_CASE("amdvi driver: when the unit's walks do not snoop (CONTROL.Coherent does not "
          "stick) every table write is flushed", "[iommufd][amdvi-driver]") {
    Rig nc(kEfr, Rig::small(), false);
    REQUIRE(nc.probed == Errno::Ok);
    CHECK_FALSE(nc.driver->coherent());
    std::unique_ptr<Domain> d;
    REQUIRE(nc.driver->alloc_domain(0, d) == Errno::Ok);
    const unsigned before = nc.unit->flushes;
    REQUIRE(d->map(0x1000, 0x1000, 0x1000, kRead) == Errno::Ok);
    CHECK(nc.unit->flushes - before == 4);  // three table entries and the page
    Rig c;
    REQUIRE(c.driver->alloc_domain(0, d) == Errno::Ok);
    const unsigned coherent_before = c.unit->flushes;
    REQUIRE(d->map(0x1000, 0x1000, 0x1000, kRead) == Errno::Ok);
    CHECK(c.unit->flushes == coherent_before);
}
