// INVALIDATE_IOMMU_PAGES (48882 §2.4.3) over guest translations: GN=1 drops the pages
// of one PASID of the domain, GN=0 the domain's host pages and the nested guest
// pages built over its host table.
#include <catch2/catch.hpp>

#include "tests/unit/amdvi/cmd_rig.h"
#include "tests/unit/amdvi/guest_rig.h"

using namespace amdvi_rig;
using amdvitest::guest_leaf;
using amdvitest::set_gcr3;

TEST_CASE("amdvi guest commands: INVALIDATE_IOMMU_PAGES GN=1 drops only that PASID's pages", "[amdvi]") {
    CmdRig r;
    GuestTables g{r.mem, kGuestPool, 0};
    const auto [a, b] = two_spaces(r, g, 1, 5);
    const uint64_t la = g.map(a, 4, 0x1000, 1, guest_leaf(0x20001000, 1));
    const uint64_t lb = g.map(b, 4, 0x1000, 1, guest_leaf(0x20002000, 1));
    const uint64_t root = r.translated_device(2, 3, 5);  // a host device of the same domain
    const uint64_t lh = r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000));
    r.start(amdvi::ctrl::GT_EN);
    CHECK(r.unit->translate(preq(1, 1, 0x1000, false)).pa == 0x20001000);
    CHECK(r.unit->translate(preq(1, 2, 0x1000, false)).pa == 0x20002000);
    CHECK(r.access(2, 0x1000).pa == 0x8000);
    r.mem.write_u64(la, guest_leaf(0x21001000, 1));
    r.mem.write_u64(lb, guest_leaf(0x21002000, 1));
    r.mem.write_u64(lh, amdvitest::pte(0x9000));

    r.submit({enc::invalidate_iommu_pages(5, 1, 0x5000, false, true, true)});  // another page
    CHECK(r.unit->translate(preq(1, 1, 0x1000, false)).pa == 0x20001000);
    r.submit({enc::invalidate_iommu_pages(5, 1, 0x1000, false, true, true)});
    CHECK(r.unit->translate(preq(1, 1, 0x1000, false)).pa == 0x21001000);
    CHECK(r.unit->translate(preq(1, 2, 0x1000, false)).pa == 0x20002000);  // another PASID
    CHECK(r.access(2, 0x1000).pa == 0x8000);                               // a host page
    r.submit({enc::invalidate_iommu_pages(5, 0, 0x1000, false, true, false)});  // GN=0
    CHECK(r.access(2, 0x1000).pa == 0x9000);
    CHECK(r.unit->translate(preq(1, 2, 0x1000, false)).pa == 0x20002000);  // guest-only: no host table
    r.submit({enc::invalidate_iommu_pages(5, 2, 0x1000, false, true, true)});
    CHECK(r.unit->translate(preq(1, 2, 0x1000, false)).pa == 0x21002000);
}

// A nested guest translation holds the host table's answer for its GPA: a GN=0
// invalidation of the domain (whatever GPA range it names) drops it.
TEST_CASE("amdvi guest commands: GN=0 drops nested guest pages when the host table changes", "[amdvi]") {
    CmdRig r;
    GuestTables g{r.mem, kGuestPool, kWindow};
    DteFields f;
    const uint64_t cr3 = g.new_table();
    set_gcr3(r.mem, r.tables, nested_device(r, 3, 6, f), 0, 1, cr3);
    g.map(cr3, 4, 0x1000, 1, guest_leaf(0x40005000, 1));
    const uint64_t lh = r.tables.map(f.root, {3, 2, 1}, 0x40005000, amdvitest::pte(0x9005000));
    r.start(amdvi::ctrl::GT_EN);
    CHECK(r.unit->translate(preq(3, 1, 0x1000, false)).pa == 0x9005000);
    r.mem.write_u64(lh, amdvitest::pte(0x9006000));
    r.submit({enc::invalidate_iommu_pages(7, 0, 0x40005000, false, true, false)});  // another domain
    CHECK(r.unit->translate(preq(3, 1, 0x1000, false)).pa == 0x9005000);
    r.submit({enc::invalidate_iommu_pages(6, 0, 0x40005000, false, true, false)});
    CHECK(r.unit->translate(preq(3, 1, 0x1000, false)).pa == 0x9006000);
}
