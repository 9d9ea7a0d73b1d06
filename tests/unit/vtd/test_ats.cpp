// ATS on the VT-d model (spec 4.1-4.2, 9.3 TT, 9.4 DTE): translation requests answered
// with the rights the tables grant (R=W=0 for a translation fault, not recorded),
// translated requests passed or blocked by the context entry. Tables come from the
// spec-derived encoder in tests/support, never from the model.
#include <catch2/catch.hpp>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "models/vtd/scalable_walker.h"
#include "tests/support/vtd_tables.h"

using namespace vtdtest;
namespace fault = vtd::fault;
namespace sm_fault = vtd::sm_fault;

namespace {

constexpr uint16_t kAts = 0x0008;     // 00:01.0, device-TLB enabled (TT=01 / DTE=1)
constexpr uint16_t kPlain = 0x0010;   // 00:02.0, untranslated requests only
constexpr uint16_t kQuiet = 0x0018;   // 00:03.0, like kPlain with FPD=1

struct Unit {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    vtd::Capabilities caps;
    TableBuilder tb{mem};
    std::unique_ptr<vtd::RemappingUnit> unit;
    uint64_t table = 0;

    Unit() {
        caps.dt = true;
        caps.smts = true;
        table = tb.new_table();
        SlLeaf read_only;
        read_only.w = false;
        tb.map_second_level(table, 4, 0x1000, 0x8000'1000, PageSize::k4K, read_only);
        tb.map_second_level(table, 4, 0x20'0000, 0x4000'0000, PageSize::k2M);
    }
    void enable(uint64_t rtaddr) {
        unit = std::make_unique<vtd::RemappingUnit>(caps, vtd::UnitParams{}, host);
        unit->write(vtd::reg::RTADDR, rtaddr, 8);
        unit->write(vtd::reg::GCMD, vtd::gcmd::SRTP, 4);
        unit->write(vtd::reg::GCMD, vtd::gcmd::TE, 4);
    }
    uint64_t legacy(uint8_t devfn, TranslationType tt, bool fpd = false) {
        ContextSpec c;
        c.slptptr = table;
        c.did = 3;
        c.tt = tt;
        c.fpd = fpd;
        return tb.set_legacy_context(0, devfn, c);
    }
    uint64_t scalable(uint8_t devfn, bool dte, bool fpd = false) {
        ScalableContextSpec c;
        c.dte = dte;
        c.fpd = fpd;
        tb.set_scalable_context(0, devfn, c);
        PasidSpec p;
        p.slptptr = table;
        p.did = 3;
        return tb.set_pasid_entry(0, devfn, 0, p);  // RID_PASID 0
    }
    void legacy_set() {
        legacy(0x08, TranslationType::kDeviceTlb);
        legacy(0x10, TranslationType::kUntranslated);
        enable(legacy(0x18, TranslationType::kUntranslated, true));
    }
    void scalable_set() {
        scalable(0x08, true);
        scalable(0x10, false);
        enable(scalable(0x18, false, true));
    }
    iommu::Result go(uint16_t sid, iommu::At at, uint64_t iova, bool write = true, bool no_snoop = false) {
        iommu::Request r;
        r.at = at;
        r.sid = sid;
        r.iova = iova;
        r.read = true;  // a translation request reads; NW=0 asks for write too
        r.write = write;
        r.no_snoop = no_snoop;
        return unit->translate(r);
    }
    bool fault_recorded() const { return unit->read(vtd::reg::FSTS, 4) & vtd::fsts::PPF; }
};

constexpr auto TR = iommu::At::TranslationRequest;
constexpr auto Translated = iommu::At::Translated;

}  // namespace

TEST_CASE("ATS legacy: a translation request gets the rights the tables grant", "[vtd][ats]") {
    Unit u;
    u.legacy_set();
    for (int pass = 0; pass < 2; ++pass) {  // a walk, then the IOTLB entry it left
        INFO("pass " << pass);
        auto ro = u.go(kAts, TR, 0x1234);  // asks for write, the page is read-only
        REQUIRE_FALSE(ro.fault);
        CHECK(ro.read);
        CHECK_FALSE(ro.write);
        CHECK(ro.pa >> 12 == 0x8000'1);
        CHECK(ro.page_size == 4096);
        auto big = u.go(kAts, TR, 0x20'5000);
        REQUIRE_FALSE(big.fault);
        CHECK((big.read && big.write));
        CHECK(big.page_size == (2u << 20));
    }
    CHECK_FALSE(u.fault_recorded());
    // The same write as an untranslated request faults, and is recorded.
    CHECK(u.go(kAts, iommu::At::Untranslated, 0x1234).reason == fault::WRITE);
    CHECK(u.fault_recorded());
}

TEST_CASE("ATS legacy: a translation fault answers R=W=0 without a fault record", "[vtd][ats]") {
    Unit u;
    u.legacy_set();
    for (uint64_t iova : {uint64_t(0x5000), uint64_t(1) << 50}) {  // not mapped; beyond the 48-bit AGAW
        auto r = u.go(kAts, TR, iova);
        REQUIRE_FALSE(r.fault);
        CHECK_FALSE(r.read);
        CHECK_FALSE(r.write);
    }
    CHECK_FALSE(u.fault_recorded());
}

TEST_CASE("ATS legacy: TT other than 01b blocks ATS requests (0xD), recorded unless FPD",
          "[vtd][ats]") {
    Unit u;
    u.legacy_set();
    for (auto at : {TR, Translated}) {
        auto r = u.go(kQuiet, at, 0x1000);
        REQUIRE(r.fault);
        CHECK(r.reason == fault::BLOCKED_BY_TT);
    }
    CHECK_FALSE(u.fault_recorded());
    for (int pass = 0; pass < 2; ++pass) {  // the second from the cached context entry
        auto r = u.go(kPlain, TR, 0x1000);
        REQUIRE(r.fault);
        CHECK(r.reason == fault::BLOCKED_BY_TT);
    }
    CHECK(u.fault_recorded());
    CHECK_FALSE(u.go(kPlain, iommu::At::Untranslated, 0x1000, false).fault);
}

TEST_CASE("ATS legacy: translated requests pass at their own address, even from the cache",
          "[vtd][ats]") {
    Unit u;
    u.legacy_set();
    auto r = u.go(kAts, Translated, 0x7777'7000, true, true);
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 0x7777'7000);
    CHECK((r.read && r.write));
    CHECK_FALSE(r.snoop);  // its own No Snoop
    // The context entry is cached now: the root table is no longer read.
    u.mem.write_u64(u.tb.root_entry_addr(Ttm::kLegacy, 0), 0);
    auto again = u.go(kAts, Translated, 0x1234'5000);
    REQUIRE_FALSE(again.fault);
    CHECK(again.pa == 0x1234'5000);
    CHECK(again.snoop);
}

TEST_CASE("ATS legacy: TT=01b without ECAP.DT is an invalid context entry", "[vtd][ats]") {
    Unit u;
    u.caps.dt = false;
    u.enable(u.legacy(0x08, TranslationType::kDeviceTlb));
    for (auto at : {TR, Translated, iommu::At::Untranslated})
        CHECK(u.go(kAts, at, 0x1000, false).reason == fault::CONTEXT_INVALID);
}

TEST_CASE("ATS scalable: DTE gates translation and translated requests (SCT.5)", "[vtd][ats]") {
    Unit u;
    u.scalable_set();
    auto tr = u.go(kAts, TR, 0x1010);
    REQUIRE_FALSE(tr.fault);
    CHECK(tr.read);
    CHECK_FALSE(tr.write);
    auto none = u.go(kAts, TR, 0x9000);
    REQUIRE_FALSE(none.fault);
    CHECK_FALSE((none.read || none.write));
    auto passed = u.go(kAts, Translated, 0xabc000);
    REQUIRE_FALSE(passed.fault);
    CHECK(passed.pa == 0xabc000);
    CHECK_FALSE(u.fault_recorded());
    for (auto at : {TR, Translated}) CHECK(u.go(kQuiet, at, 0x1000).reason == sm_fault::SCT_DTE_CLEAR);
    CHECK_FALSE(u.fault_recorded());  // FPD
    for (int pass = 0; pass < 2; ++pass) CHECK(u.go(kPlain, TR, 0x1000).reason == sm_fault::SCT_DTE_CLEAR);
    CHECK(u.fault_recorded());
    CHECK_FALSE(u.go(kPlain, iommu::At::Untranslated, 0x1000, false).fault);
}

TEST_CASE("ATS scalable: a translated request leaves no IOTLB entry behind", "[vtd][ats]") {
    Unit u;
    u.scalable_set();
    CHECK(u.go(kAts, Translated, 0x1000).pa == 0x1000);
    // An untranslated request of the same address still translates through the tables.
    auto r = u.go(kAts, iommu::At::Untranslated, 0x1000, false);
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 0x8000'1000);
}

TEST_CASE("ATS scalable: under SSADE a translation request granting write sets D", "[vtd][ats]") {
    Unit u;
    u.caps.ssads = true;
    ScalableContextSpec c;
    c.dte = true;
    u.tb.set_scalable_context(0, 0x08, c);
    PasidSpec p;
    p.slptptr = u.tb.new_table();
    p.ssade = true;
    SlLeaf read_only;
    read_only.w = false;
    const uint64_t rw = u.tb.map_second_level(p.slptptr, 4, 0x1000, 0x9000'1000).leaf();
    const uint64_t ro = u.tb.map_second_level(p.slptptr, 4, 0x2000, 0x9000'2000, PageSize::k4K, read_only).leaf();
    u.enable(u.tb.set_pasid_entry(0, 0x08, 0, p));
    constexpr uint64_t kA = 1u << 8, kD = 1u << 9;
    auto r = u.go(kAts, TR, 0x2000);  // asks for write, gets read only: no D
    CHECK((r.read && !r.write));
    CHECK((u.mem.read_u64(ro) & (kA | kD)) == kA);
    CHECK(u.go(kAts, TR, 0x1000, false).read);  // NW=1: A only
    CHECK((u.mem.read_u64(rw) & (kA | kD)) == kA);
    auto w = u.go(kAts, TR, 0x1000);  // the IOTLB entry made for a read walks to set D
    CHECK(w.write);
    CHECK((u.mem.read_u64(rw) & (kA | kD)) == (kA | kD));
}
