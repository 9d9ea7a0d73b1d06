// AmdviUnit's caches and memory attributes: DTE cache, IOTLB by DomainID, PDE cache,
// and FC forcing snooping whatever the request's No Snoop (§2.2.3 FC).
#include <catch2/catch.hpp>

#include "tests/unit/amdvi/rig.h"

using namespace amdvi_rig;

TEST_CASE("amdvi unit: FC forces snooping, No Snoop is honoured without it", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(1, 3, 1);
    Perm fc;
    fc.fc = true;
    r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000, fc));
    r.tables.map(root, {3, 2, 1}, 0x2000, amdvitest::pte(0x9000));
    r.enable();
    iommu::Request req = testutil::dma(1, 0x1000, true);
    req.no_snoop = true;
    for (int pass = 0; pass < 2; ++pass) {  // walked, then an IOTLB hit
        req.iova = 0x1000;
        auto res = r.unit->translate(req);
        REQUIRE_FALSE(res.fault);
        CHECK(res.snoop);
        CHECK(res.force_snoop);
        req.iova = 0x2000;
        res = r.unit->translate(req);
        REQUIRE_FALSE(res.fault);
        CHECK_FALSE(res.snoop);
        CHECK_FALSE(res.force_snoop);
    }
    CHECK(r.stat("iotlb.hits") == 2);
    req.no_snoop = false;
    CHECK(r.unit->translate(req).snoop);
}

// The second access to a page hits the IOTLB (no reads); another page under the same
// level-2 directory starts from the PDE cache (one read); the DTE is read once.
TEST_CASE("amdvi unit: IOTLB, DTE cache and PDE cache hits save reads", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(1, 4, 3);
    r.tables.map(root, {4, 3, 2, 1}, 0x1000, amdvitest::pte(0x8000));
    r.tables.map(root, {4, 3, 2, 1}, 0x5000, amdvitest::pte(0xa000));
    r.enable();
    CHECK(r.access(1, 0x1000).pa == 0x8000);
    CHECK(r.stat("walk_reads") == 4);
    iommu::Result hit;
    CHECK(r.unit->lookup(testutil::dma(1, 0x1ff8, false), hit));
    CHECK(hit.pa == 0x8ff8);
    CHECK(r.stat("iotlb.hits") == 1);
    CHECK(r.access(1, 0x5000).pa == 0xa000);
    CHECK(r.stat("walk_reads") == 5);  // from the level-2 directory entry
    CHECK(r.stat("pde_cache.hits") == 1);
    CHECK(r.stat("dte_reads") == 4);
    CHECK(r.stat("dte_cache.hits") >= 1);
    // Another device in the same domain shares the IOTLB entries (tagged by DomainID).
    DteFields f;
    f.mode = 4;
    f.root = root;
    f.domain = 3;
    r.put_dte(2, f);
    CHECK(r.access(2, 0x1000).pa == 0x8000);
    CHECK(r.stat("walk_reads") == 5);
}

// A walk's fault is not cached: fixing the table takes effect on the next request.
TEST_CASE("amdvi unit: faults are not cached, a write after a read walks for permission", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(1, 3, 1);
    Perm ro;
    ro.iw = false;
    const uint64_t at = r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000, ro));
    r.enable();
    CHECK_FALSE(r.access(1, 0x1000).fault);
    CHECK(r.access(1, 0x1000, true).fault);
    r.mem.write_u64(at, amdvitest::pte(0x8000));
    CHECK_FALSE(r.access(1, 0x1000, true).fault);
}

// A request merged into another's walk of the same page gets its own address and its
// own event record.
TEST_CASE("amdvi unit: merged requests get their own address and event", "[amdvi]") {
    Rig r;
    const uint64_t root = r.translated_device(1, 3, 6);
    r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000));
    r.enable();
    r.unit->reserve_walks(1);
    iommu::Request a = testutil::dma(1, 0x1010, false), b = testutil::dma(1, 0x1020, false);
    iommu::Walk& w = r.unit->begin_walk(0, a);
    iommu::run_walk(w, r.host);
    REQUIRE(w.outcome());  // what the pipeline announces before the end
    CHECK(w.outcome()->pa == 0x8010);
    const auto ra = r.unit->end_walk(0);
    CHECK(ra.pa == 0x8010);
    CHECK(r.unit->merged(b, ra).pa == 0x8020);
    a.iova = 0x3010;
    b.iova = 0x3020;
    iommu::run_walk(r.unit->begin_walk(0, a), r.host);
    const auto fa = r.unit->end_walk(0);
    CHECK(fa.fault);
    CHECK(r.unit->merged(b, fa).fault);
    const auto recs = r.events();
    REQUIRE(recs.size() == 2);
    CHECK(recs[0][1] == 0x3010);
    CHECK(recs[1][1] == 0x3020);
    CHECK(recs[1][0] == recs[0][0]);
}
