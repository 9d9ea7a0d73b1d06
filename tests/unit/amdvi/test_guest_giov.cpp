// GIoV (48882 §2.2.2.1 DTE bit 54, Linux DTE_FLAG_GIOV): on a GV=1 device a request
// without a PASID goes through the guest tables of PASID 0, as a user, non-execute
// access; its IOTLB entries are PASID 0 guest entries (INVALIDATE_IOMMU_PAGES GN=1
// PASID 0 drops them). Vectors from the spec-derived encoders (tests/support/amdvi).
#include <catch2/catch.hpp>

#include "tests/unit/amdvi/cmd_rig.h"
#include "tests/unit/amdvi/guest_rig.h"

using namespace amdvi_rig;
namespace ev = amdvi::event;
using amdvitest::guest_leaf;
using amdvitest::set_gcr3;

namespace {
DteFields giov() {
    DteFields f;
    f.giov = true;
    return f;
}
}  // namespace

TEST_CASE("amdvi guest: GIoV=1 translates a request without a PASID through PASID 0's guest tables",
          "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const uint64_t on = guest_space(r, g, 1, 7, 0, 0, giov());
    const uint64_t off = guest_space(r, g, 2, 8, 0);  // GIoV=0
    g.map(on, 4, 0x1000, 1, guest_leaf(0x22000000, 1));
    g.map(off, 4, 0x1000, 1, guest_leaf(0x22001000, 1));
    r.enable(amdvi::ctrl::GT_EN);
    const auto res = r.unit->translate(testutil::dma(1, 0x1010, true));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x22000010);
    CHECK(res.write);
    CHECK(r.stat("walk_reads") == 1 + 4);  // the GCR3 entry of PASID 0, four guest levels
    // GIoV=0: the host side answers a request without a PASID (Mode 0: untranslated).
    CHECK(r.unit->translate(testutil::dma(2, 0x1010, false)).pa == 0x1010);
    CHECK(r.unit->translate(preq(2, 0, 0x1010, false)).pa == 0x22001010);  // PASID 0 itself

    // Nested (Mode 3): the guest output is a GPA the host table translates.
    Rig n;
    GuestTables gn{n.mem, kGuestPool, kWindow};
    DteFields f = giov();
    const uint64_t cr3 = gn.new_table();
    set_gcr3(n.mem, n.tables, nested_device(n, 4, 0x44, f), 0, 0, cr3);
    gn.map(cr3, 4, 0x5000, 1, guest_leaf(0x3000000, 1));
    n.enable(amdvi::ctrl::GT_EN);
    const auto nested = n.unit->translate(testutil::dma(4, 0x5678, false));
    REQUIRE_FALSE(nested.fault);
    CHECK(nested.pa == kWindow + 0x3000678);
}

TEST_CASE("amdvi guest: a GIoV request is a user, non-execute access, faulting with GN=1 and PASID 0",
          "[amdvi]") {
    Rig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const uint64_t cr3 = guest_space(r, g, 6, 2, 0, 0, giov());
    GuestPerm sup, nx;
    sup.us = false;
    nx.nx = true;
    g.map(cr3, 4, 0x1000, 1, guest_leaf(0x21000000, 1, sup));
    g.map(cr3, 4, 0x2000, 1, guest_leaf(0x21001000, 1, nx));
    r.enable(amdvi::ctrl::GT_EN);
    iommu::Request q = testutil::dma(6, 0x1000, false);
    q.priv = true;  // no PASID prefix carries it: still a user request
    CHECK(r.unit->translate(q).reason == ev::IO_PAGE_FAULT);
    q = testutil::dma(6, 0x2000, false);
    q.exec = true;  // nor an execute request: NX does not refuse it
    CHECK(r.unit->translate(q).pa == 0x21001000);
    CHECK(r.unit->translate(testutil::dma(6, 0x7000, true)).reason == ev::IO_PAGE_FAULT);  // not mapped
    const auto recs = r.events();
    REQUIRE(recs.size() == 2);
    auto e = guest_record(2, 6, 0, 0x1000);
    e.pr = e.pe = e.us = true;
    CHECK(recs[0] == amdvitest::event(e));
    e = guest_record(2, 6, 0, 0x7000);
    e.us = e.rw = true;
    CHECK(recs[1] == amdvitest::event(e));
}

TEST_CASE("amdvi guest: GIoV translations are PASID 0 guest IOTLB entries (GN=1 PASID 0 drops them)",
          "[amdvi]") {
    CmdRig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const uint64_t cr3 = guest_space(r, g, 1, 5, 0, 0, giov());
    const uint64_t leaf = g.map(cr3, 4, 0x1000, 1, guest_leaf(0x20001000, 1));
    r.start(amdvi::ctrl::GT_EN);
    CHECK(r.unit->translate(testutil::dma(1, 0x1000, false)).pa == 0x20001000);
    CHECK(r.unit->translate(testutil::dma(1, 0x1100, false)).pa == 0x20001100);
    CHECK(r.stat("iotlb.hits") == 1);
    CHECK(r.unit->translate(preq(1, 0, 0x1200, false)).pa == 0x20001200);  // PASID 0 hits it too
    CHECK(r.stat("iotlb.hits") == 2);
    r.mem.write_u64(leaf, guest_leaf(0x21001000, 1));

    r.submit({enc::invalidate_iommu_pages(5, 1, 0x1000, false, true, true)});  // another PASID
    CHECK(r.unit->translate(testutil::dma(1, 0x1000, false)).pa == 0x20001000);
    r.submit({enc::invalidate_iommu_pages(5, 0, 0x1000, false, true, false)});  // GN=0: host pages
    CHECK(r.unit->translate(testutil::dma(1, 0x1000, false)).pa == 0x20001000);
    r.submit({enc::invalidate_iommu_pages(5, 0, 0x1000, false, true, true)});
    CHECK(r.unit->translate(testutil::dma(1, 0x1000, false)).pa == 0x21001000);
}
