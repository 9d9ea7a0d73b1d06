// AmdviUnit's device table decisions (§2.2.2.1): V, TV, Mode 0, Mode 7 and Modes
// beyond EFR.HATS, reserved bits, entries beyond the table or memory, requests the
// model does not translate, the exclusion range, and the events each logs (§2.5),
// checked against the spec-derived encoder's records.
#include <catch2/catch.hpp>

#include "tests/unit/amdvi/rig.h"

using namespace amdvi_rig;
namespace ev = amdvi::event;

TEST_CASE("amdvi unit: IommuEn=0 passes requests untranslated", "[amdvi]") {
    Rig r;
    iommu::Request req = testutil::dma(3, 0x1234, true);
    req.no_snoop = true;
    const auto res = r.unit->translate(req);
    CHECK_FALSE(res.fault);
    CHECK(res.pa == 0x1234);
    CHECK_FALSE(res.snoop);
    CHECK(r.stat("dte_reads") == 0);
}

// V=0: no translation, and IR/IW do not apply.
TEST_CASE("amdvi unit: DTE V=0 passes untranslated whatever IR/IW say", "[amdvi]") {
    Rig r;
    DteFields f;
    f.v = false;
    f.ir = f.iw = false;
    r.put_dte(8, f);
    r.enable();
    for (int i = 0; i < 2; ++i) {  // walked, then from the DTE cache
        const auto res = r.access(8, 0xabc000, true);
        CHECK_FALSE(res.fault);
        CHECK(res.pa == 0xabc000);
    }
    CHECK(r.stat("dte_reads") == 4);
    CHECK(r.stat("dte_cache.hits") == 1);
    CHECK(r.events().empty());
}

// V=1, TV=0: the walk is terminated: IO_PAGE_FAULT with PR=0, unless DTE.SA
// suppresses page fault events.
TEST_CASE("amdvi unit: DTE TV=0 blocks with IO_PAGE_FAULT, SA suppresses the event", "[amdvi]") {
    Rig r;
    DteFields f;
    f.tv = false;
    f.domain = 0x77;
    r.put_dte(9, f);
    f.sa = true;
    r.put_dte(10, f);
    r.enable();
    auto res = r.access(9, 0x5000, true);
    CHECK(res.fault);
    CHECK(res.reason == ev::IO_PAGE_FAULT);
    CHECK(r.unit->fault_text(res.reason) == "0x2 IO_PAGE_FAULT");
    CHECK(r.access(9, 0x5000, true).fault);  // cached DTE: the walk still decides
    const auto recs = r.events();
    REQUIRE(recs.size() == 2);
    auto e = record(2, 9, 0x77, 0x5000);
    e.rw = true;
    CHECK(recs[0] == amdvitest::event(e));
    CHECK(recs[1] == recs[0]);
    res = r.access(10, 0x5000);
    CHECK(res.fault);
    CHECK_FALSE(res.record);
    CHECK(r.events().empty());
    CHECK(r.stat("faults.0x2") == 3);
}

// Mode 0: no translation; the DTE's IR/IW apply; Mode0FC forces snooping.
TEST_CASE("amdvi unit: Mode 0 passes untranslated with IR/IW applied", "[amdvi]") {
    Rig r;
    DteFields f;
    f.mode = 0;
    f.ir = true;
    f.iw = false;
    f.domain = 4;
    r.put_dte(1, f);
    f.mode0_fc = true;
    f.iw = true;
    r.put_dte(2, f);
    r.enable();
    iommu::Request req = testutil::dma(1, 0x7000, false);
    req.no_snoop = true;
    auto res = r.unit->translate(req);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x7000);
    CHECK(res.read);
    CHECK_FALSE(res.write);
    CHECK_FALSE(res.snoop);
    res = r.access(1, 0x7000, true);
    CHECK(res.reason == ev::IO_PAGE_FAULT);
    const auto recs = r.events();
    REQUIRE(recs.size() == 1);
    auto e = record(2, 1, 4, 0x7000);
    e.pr = e.pe = e.rw = true;
    CHECK(recs[0] == amdvitest::event(e));
    req.sid = 2;
    res = r.unit->translate(req);
    CHECK(res.snoop);
    CHECK(res.force_snoop);
}

// Reserved Mode 7, a Mode deeper than EFR.HATS allows, and a reserved bit:
// ILLEGAL_DEV_TABLE_ENTRY (RZ=1 only for the reserved bit); never cached.
TEST_CASE("amdvi unit: Mode 7, Mode above HATS and reserved bits are ILLEGAL_DEV_TABLE_ENTRY", "[amdvi]") {
    Rig r;
    r.straps.efr.hats = 0;  // four levels at most
    r.rebuild();
    DteFields f;
    f.mode = 7;
    r.put_dte(1, f);
    f.mode = 5;
    r.put_dte(2, f);
    f.mode = 4;
    r.put_dte(3, f);
    r.mem.write_u64(kDevTab + 3 * 32, amdvitest::dte(f)[0] | (uint64_t(1) << 63));
    r.enable();
    iommu::Request req = testutil::dma(1, 0x1000, true);
    req.pasid_valid = true;
    req.pasid = 0x54321;
    for (uint16_t dev : {1, 2, 3}) {
        req.sid = dev;
        const auto res = r.unit->translate(req);
        CHECK(res.reason == ev::ILLEGAL_DEV_TABLE_ENTRY);
    }
    CHECK(r.access(1, 0x1000).fault);  // not cached: fetched again
    CHECK(r.stat("dte_reads") == 16);
    const auto recs = r.events();
    REQUIRE(recs.size() == 4);
    auto e = record(1, 1, 0x4321, 0x1000);  // PASID[15:0] where a DomainID would be
    e.pasid = 0x54321;
    e.rw = true;
    CHECK(recs[0] == amdvitest::event(e));
    e.device_id = 2;
    CHECK(recs[1] == amdvitest::event(e));
    e.device_id = 3;
    e.rz = true;
    CHECK(recs[2] == amdvitest::event(e));
}

// The DTE of a DeviceID beyond the table's Size, or above installed memory, cannot be
// read: DEV_TAB_HARDWARE_ERROR with the entry's address (Type 01b, master abort).
TEST_CASE("amdvi unit: a DTE beyond the table or memory is DEV_TAB_HARDWARE_ERROR", "[amdvi]") {
    Rig r;
    r.enable();
    auto res = r.access(256, 0x1000);  // Size 1: entries 0-255
    CHECK(res.reason == ev::DEV_TAB_HARDWARE_ERROR);
    r.unit->write(reg::DEV_TABLE_BASE, (kMemSize - 0x1000) | 1, 8);
    res = r.access(200, 0x1000, true);
    CHECK(res.reason == ev::DEV_TAB_HARDWARE_ERROR);
    const auto recs = r.events();
    REQUIRE(recs.size() == 2);
    auto e = record(3, 256, 0, kDevTab + 256 * 32);
    e.type = 1;
    CHECK(recs[0] == amdvitest::event(e));
    e.device_id = 200;
    e.rw = true;
    e.address = kMemSize - 0x1000 + 200 * 32;
    CHECK(recs[1] == amdvitest::event(e));
}

// A page table read that fails: PAGE_TAB_HARDWARE_ERROR naming the entry's address.
TEST_CASE("amdvi unit: a failed table read is PAGE_TAB_HARDWARE_ERROR", "[amdvi]") {
    Rig r;
    DteFields f;
    f.mode = 3;
    f.root = kMemSize + 0x2000;
    f.domain = 12;
    r.put_dte(5, f);
    r.enable();
    const auto res = r.access(5, uint64_t(3) << 30);
    CHECK(res.reason == ev::PAGE_TAB_HARDWARE_ERROR);
    CHECK(res.record);
    const auto recs = r.events();
    REQUIRE(recs.size() == 1);
    auto e = record(4, 5, 12, kMemSize + 0x2000 + 3 * 8);
    e.type = 1;
    CHECK(recs[0] == amdvitest::event(e));
}

// A PASID on a DTE with GV=1 while CONTROL.GTEn=0 (guest translation off), and a Translated
// request from a device whose DTE does not enable its IOTLB (I=0).
TEST_CASE("amdvi unit: INVALID_DEVICE_REQUEST for requests the DTE does not allow", "[amdvi]") {
    Rig r;
    DteFields f;
    f.gv = true;
    f.mode = 0;
    r.put_dte(1, f);
    r.enable();
    iommu::Request req = testutil::dma(1, 0x2000, false);
    req.pasid_valid = true;
    req.pasid = 0x12345;
    CHECK(r.unit->translate(req).reason == ev::INVALID_DEVICE_REQUEST);
    req.pasid_valid = false;
    req.at = iommu::At::Translated;
    CHECK(r.unit->translate(req).reason == ev::INVALID_DEVICE_REQUEST);
    req.at = iommu::At::Untranslated;
    CHECK_FALSE(r.unit->translate(req).fault);  // Mode 0
    const auto recs = r.events();
    REQUIRE(recs.size() == 2);
    auto e = record(8, 1, 0x2345, 0x2000);
    e.pasid = 0x12345;
    CHECK(recs[0] == amdvitest::event(e));
    e.pasid = e.domain = 0;
    e.type = 1;
    CHECK(recs[1] == amdvitest::event(e));
}

// §2.3.1: with ExEn, addresses in [base, limit | 0xfff] pass untranslated for every
// device (Allow) or for devices whose DTE sets EX.
TEST_CASE("amdvi unit: the exclusion range passes untranslated", "[amdvi]") {
    Rig r;
    DteFields f;
    f.ex = true;
    const uint64_t root = r.translated_device(1, 3, 1, f);
    r.translated_device(2, 3, 2);
    r.tables.map(root, {3, 2, 1}, 0x200000, amdvitest::pte(0x900000));
    r.enable();
    r.unit->write(reg::EXCL_BASE, 0x100000 | amdvi::excl::EX_EN, 8);
    r.unit->write(reg::EXCL_LIMIT, 0x1ff000, 8);
    CHECK(r.access(1, 0x1ff800, true).pa == 0x1ff800);  // excluded for device 1
    CHECK(r.access(1, 0x200000).pa == 0x900000);        // above the limit: translated
    CHECK(r.access(2, 0x1ff800).fault);                 // device 2 has no EX
    r.unit->write(reg::EXCL_BASE, 0x100000 | amdvi::excl::EX_EN | amdvi::excl::ALLOW, 8);
    CHECK(r.access(2, 0x100000).pa == 0x100000);
    CHECK(r.access(2, 0xff000).fault);  // below the base
    r.unit->write(reg::EXCL_BASE, 0x100000 | amdvi::excl::ALLOW, 8);
    CHECK(r.access(2, 0x100000).fault);  // ExEn clear
}
