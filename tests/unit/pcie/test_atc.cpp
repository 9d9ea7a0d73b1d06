// The device's completion decoder against hand-worked vectors (PCIe Base Spec 6.0
// 10.2.3.2), and the ATC: fills of every size, PASID and Global, invalidation.
#include <catch2/catch.hpp>

#include "models/pcie/atc.h"
#include "models/pcie/atc_entry.h"

using pcie::Atc;
using pcie::AtcEntry;
using pcie::decode_atc_entry;

TEST_CASE("ATC entry: decoded from the spec's size table", "[unit][ats]") {
    const AtcEntry a = decode_atc_entry(0x1234'5003);
    CHECK(a.pa == 0x1234'5000);
    CHECK(a.size == 4096);
    CHECK((a.r && a.w && !a.n && !a.u));
    const AtcEntry b = decode_atc_entry(0x1234'4801);
    CHECK(b.pa == 0x1234'4000);
    CHECK(b.size == 8192);
    CHECK((b.r && !b.w));
    const AtcEntry c = decode_atc_entry(0x400F'FC01);
    CHECK(c.pa == 0x4000'0000);
    CHECK(c.size == (2u << 20));
    CHECK(c.n);
    const AtcEntry d = decode_atc_entry(0x9FFF'F803);
    CHECK(d.pa == 0x8000'0000);
    CHECK(d.size == (1u << 30));
    const AtcEntry e = decode_atc_entry(0x7000 | 0x3c);
    CHECK((e.u && e.priv && e.exe && e.global && !e.r && !e.w));
}

namespace {
AtcEntry entry(uint64_t pa, uint64_t size, bool w = true, bool global = false) {
    AtcEntry e;
    e.pa = pa;
    e.size = size;
    e.r = true;
    e.w = w;
    e.global = global;
    return e;
}
pcie::AtcParams params(uint32_t entries = 16, uint32_t ways = 4) {
    pcie::AtcParams p;
    p.entries = entries;
    p.ways = ways;
    return p;
}
}  // namespace

TEST_CASE("ATC: an entry covers its whole range, whatever its size", "[unit][ats]") {
    Atc atc(params(), 1, "t");
    atc.fill(false, 0, 0x4000'1000, entry(0x9000'0000, 4096));
    atc.fill(false, 0, 0x4020'0000 + 0x3000, entry(0xa000'0000, 2 << 20));
    REQUIRE(atc.lookup(false, 0, 0x4000'1fff));
    CHECK(atc.lookup(false, 0, 0x4000'1fff)->pa == 0x9000'0000);
    CHECK_FALSE(atc.lookup(false, 0, 0x4000'2000));
    const AtcEntry* big = atc.lookup(false, 0, 0x403f'ffc0);
    REQUIRE(big);
    CHECK(big->size == (2u << 20));
    CHECK_FALSE(atc.lookup(false, 0, 0x4040'0000));
}

TEST_CASE("ATC: no access and untranslated-only answers are not cached", "[unit][ats]") {
    Atc atc(params(), 1, "t");
    AtcEntry none;
    atc.fill(false, 0, 0x1000, none);
    AtcEntry u = entry(0x2000, 4096);
    u.u = true;
    atc.fill(false, 0, 0x2000, u);
    CHECK(atc.size() == 0);
}

TEST_CASE("ATC: PASID entries, Global entries shared by PASIDs", "[unit][ats]") {
    Atc atc(params(), 1, "t");
    atc.fill(true, 5, 0x1000, entry(0xa000, 4096));
    atc.fill(true, 5, 0x2000, entry(0xb000, 4096, true, true));
    CHECK(atc.lookup(true, 5, 0x1000));
    CHECK_FALSE(atc.lookup(true, 6, 0x1000));
    CHECK_FALSE(atc.lookup(false, 0, 0x1000));
    CHECK(atc.lookup(true, 6, 0x2000));
    CHECK_FALSE(atc.lookup(false, 0, 0x2000));  // Global applies to PASID requests only
}

TEST_CASE("ATC: invalidation by overlap, PASID, Global and size 0", "[unit][ats]") {
    Atc atc(params(), 1, "t");
    auto fill = [&] {
        atc.invalidate({});
        atc.fill(false, 0, 0x20'0000, entry(0x4000'0000, 2 << 20));  // [2M, 4M)
        atc.fill(true, 7, 0x1000, entry(0xa000, 4096));
        atc.fill(true, 7, 0x5000, entry(0xb000, 4096, true, true));
    };
    iommu::AtsInvalidation inv;
    fill();
    inv.addr = 0x30'0000;  // one 4 KiB page inside the 2 MiB entry: it goes
    inv.size = 4096;
    CHECK(atc.invalidate(inv) == 1);
    CHECK(atc.size() == 2);
    fill();
    inv.addr = 0x40'0000;  // just past it: nothing
    CHECK(atc.invalidate(inv) == 0);
    fill();
    inv = {};
    inv.pasid_valid = true;
    inv.pasid = 7;
    inv.addr = 0;
    inv.size = 0x10000;
    CHECK(atc.invalidate(inv) == 1);  // PASID 7's own entry, not the Global one
    fill();
    inv.global = true;
    CHECK(atc.invalidate(inv) == 2);
    fill();
    inv = {};
    inv.pasid_valid = true;
    inv.pasid = 8;
    CHECK(atc.invalidate(inv) == 0);  // another PASID, all addresses: none of these
    fill();
    inv = {};  // no PASID, size 0: everything
    CHECK(atc.invalidate(inv) == 3);
}

TEST_CASE("ATC: a full set evicts", "[unit][ats]") {
    Atc atc(params(4, 4), 1, "t");
    for (uint64_t i = 0; i < 5; ++i) atc.fill(false, 0, i << 12, entry(0x10'0000 + (i << 12), 4096));
    CHECK(atc.size() == 4);
    CHECK_FALSE(atc.lookup(false, 0, 0));  // LRU: the first went
    CHECK(atc.lookup(false, 0, 4 << 12));
}
