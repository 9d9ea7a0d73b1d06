// SmmuUnit translation: STE Config, stream and CD table formats, the configuration
// events of IHI 0070 §7.3, and the TLB. Tables come from the test encoders.
#include <catch2/catch.hpp>

#include "tests/unit/smmuv3/unit_rig.h"

using namespace smmu_rig;
namespace ev = smmuv3::event;

// §6.3 SMMU_GBPA: with SMMUEN = 0, ABORT decides: abort (no event) or bypass.
TEST_CASE("smmuv3 unit: GBPA governs traffic while SMMUEN is 0", "[smmuv3]") {
    Rig r;
    auto res = r.access(5, 0x1234);
    CHECK_FALSE(res.fault);
    CHECK(res.pa == 0x1234);
    r.unit->write(reg::GBPA, smmuv3::gbpa::UPDATE | smmuv3::gbpa::ABORT, 4);
    CHECK((r.unit->read(reg::GBPA, 4) & smmuv3::gbpa::UPDATE) == 0);  // update complete
    res = r.access(5, 0x1234);
    CHECK(res.fault);
    CHECK_FALSE(res.record);
    r.unit->write(reg::GBPA, 0, 4);  // without UPDATE: ignored
    CHECK(r.access(5, 0x1234).fault);
    r.enable();
    CHECK(r.unit->read(reg::CR0ACK, 4) == r.unit->read(reg::CR0, 4));
}

// §5.2 STE.Config: 0b000 aborts with no event, 0b100 bypasses.
TEST_CASE("smmuv3 unit: STE Config abort and bypass", "[smmuv3]") {
    Rig r;
    smmu_enc::SteFields f;
    f.config = 0b000;
    r.put_ste(2, f);
    f.config = 0b100;
    r.put_ste(3, f);
    r.enable();
    auto res = r.access(2, 0x5000);
    CHECK(res.fault);
    CHECK_FALSE(res.record);
    CHECK(r.evtq_prod() == 0);
    res = r.access(3, 0x5000);
    CHECK_FALSE(res.fault);
    CHECK(res.pa == 0x5000);
    // Cached STEs answer the same in the lookup stage.
    CHECK(r.access(2, 0x5000).fault);
    CHECK(r.access(3, 0x6000).pa == 0x6000);
}

// A No Snoop request goes out non-snooped whether the walk or the TLB answers (found
// by fuzz_smmuv3_mmio: the walk answered snooped, the TLB hit non-snooped).
TEST_CASE("smmuv3 unit: No Snoop is honoured by the walk and the TLB alike", "[smmuv3]") {
    Rig r;
    r.stage1_stream(1);
    r.enable();
    iommu::Request req = testutil::dma(1, 0x1234, false);
    req.no_snoop = true;
    const auto walked = r.unit->translate(req);
    REQUIRE_FALSE(walked.fault);
    CHECK_FALSE(walked.snoop);
    const auto hit = r.unit->translate(req);
    REQUIRE_FALSE(hit.fault);
    CHECK_FALSE(hit.snoop);
    req.no_snoop = false;
    CHECK(r.unit->translate(req).snoop);
}

// §3.3, §5.4: Config 0b101 translates through the CD's TTB0.
TEST_CASE("smmuv3 unit: stage 1 translation, then a TLB hit", "[smmuv3]") {
    Rig r;
    r.stage1_stream(1);
    r.enable();
    auto res = r.access(1, 0x1234);
    INFO(r.unit->fault_text(res.reason));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x80001234);
    iommu::Result hit;
    CHECK(r.unit->lookup(testutil::dma(1, 0x1008, false), hit));
    CHECK(hit.pa == 0x80001008);
    // Unmapped: F_TRANSLATION recorded (CD.R = 1), the record's fields from §7.3.
    res = r.access(1, 0x7000, true);
    CHECK(res.fault);
    CHECK(res.reason == ev::F_TRANSLATION);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(r.event_id(0) == ev::F_TRANSLATION);
    CHECK((r.event(0, 0) >> 32) == 1);           // StreamID
    CHECK(((r.event(0, 1) >> 35) & 1) == 0);     // RnW = 0: a write
    CHECK(((r.event(0, 1) >> 40) & 3) == 2);     // CLASS = IN
    CHECK(r.event(0, 2) == 0x7000);              // input address
    CHECK(r.unit->fault_text(res.reason) == "0x10 F_TRANSLATION");
}

// §5.2 stage-2 fields: Config 0b110 translates an IPA through S2TTB.
TEST_CASE("smmuv3 unit: stage 2 translation and S2R", "[smmuv3]") {
    Rig r;
    const uint64_t root = r.tables.new_root(1, 39);
    r.tables.map(root, 1, 39, 0x2000, 3, vmsatest::s2_leaf(Tg::k4K, 3, 0x90002000));
    smmu_enc::SteFields f;
    f.config = 0b110;
    r.with_stage2(f, root, 7);
    f.s2r = true;
    r.put_ste(4, f);
    r.enable();
    auto res = r.access(4, 0x2010);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x90002010);
    res = r.access(4, 0x3000);
    CHECK(res.reason == ev::F_TRANSLATION);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(((r.event(0, 1) >> 39) & 1) == 1);  // S2
}

// §3.3.3 nested: the CD and every stage-1 table address are IPAs.
TEST_CASE("smmuv3 unit: nested translation reads the CD through stage 2", "[smmuv3]") {
    Rig r;
    const uint64_t s2root = r.s2_identity_low_gib();
    const uint64_t s1root = r.s1_root();
    r.map_page(s1root, 0x1000, 0x40005000);
    r.nested_stream(6, s1root, s2root, 3);
    auto res = r.access(6, 0x1008);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0xc0005008);
}

// §7.3: a stage-2 fault while fetching the CD of a nested stream is the stage-2
// fault with S2 = 1, CLASS = CD and the CD's IPA, recorded when STE.S2R is set.
TEST_CASE("smmuv3 unit: a stage-2 fault on a nested CD fetch says CLASS CD", "[smmuv3]") {
    Rig r;
    vmsatest::TableBuilder s2t(r.mem, Tg::k4K, 0x200000);
    const uint64_t s2root = s2t.new_root(1, 39);  // maps nothing
    auto f = r.s1_ste(0x40000000);
    f.config = 0b111;
    r.with_stage2(f, s2root, 3);
    f.s2r = true;
    r.put_ste(6, f);
    r.enable();
    CHECK(r.access(6, 0x1000).reason == ev::F_TRANSLATION);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(((r.event(0, 1) >> 39) & 1) == 1);                 // S2
    CHECK(((r.event(0, 1) >> 40) & 3) == 0);                 // CLASS = CD
    CHECK((r.event(0, 3) & 0xffffffffff000) == 0x40000000);  // IPA 51:12
}

// §3.3.1, §5.1: two-level stream table, L1 descriptor SPAN, C_BAD_STREAMID.
TEST_CASE("smmuv3 unit: two-level stream table and C_BAD_STREAMID", "[smmuv3]") {
    Rig r;
    // SPLIT 6: L1 entry 1 covers SIDs 64-127, its level-2 table holds 2^(SPAN-1) = 64.
    r.mem.write_u64(kStrtab + 8, smmu_enc::l1_std(7, 0x50000));
    smmu_enc::SteFields f;
    r.put_ste(70 - 64, f, 0x50000);  // bypass
    r.enable(smmu_enc::strtab_base_cfg(1, 6, 8));
    CHECK_FALSE(r.access(70, 0x4000).fault);
    auto res = r.access(10, 0x4000);  // L1 entry 0: SPAN 0, no table
    CHECK(res.reason == ev::C_BAD_STREAMID);
    CHECK(r.evtq_prod() == 0);  // CR2.RECINVSID = 0: not recorded
    r.unit->write(reg::CR2, smmuv3::cr2::RECINVSID, 4);
    res = r.access(300, 0x4000);  // beyond LOG2SIZE 8
    CHECK(res.reason == ev::C_BAD_STREAMID);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(r.event_id(0) == ev::C_BAD_STREAMID);
    CHECK((r.event(0, 0) >> 32) == 300);
}

// §5.2 V = 0 is ILLEGAL: C_BAD_STE; §5.4 likewise C_BAD_CD.
TEST_CASE("smmuv3 unit: C_BAD_STE and C_BAD_CD", "[smmuv3]") {
    Rig r;
    smmu_enc::SteFields f;
    f.valid = false;
    r.put_ste(8, f);
    auto c = r.cd_fields(0x100000);
    c.valid = false;
    r.put(kCd + 0x400, smmu_enc::cd(c));
    r.put_ste(9, r.s1_ste(kCd + 0x400));
    r.enable();
    CHECK(r.access(8, 0).reason == ev::C_BAD_STE);
    CHECK(r.access(9, 0).reason == ev::C_BAD_CD);
    REQUIRE(r.evtq_prod() == 2);
    CHECK(r.event_id(0) == ev::C_BAD_STE);
    CHECK(r.event_id(1) == ev::C_BAD_CD);
}

// §3.3.2, §5.2 S1CDMax/S1Fmt, §5.3: two-level CD table with 4K leaves; a SubstreamID
// beyond S1CDMax, or one whose L1CD is invalid, is C_BAD_SUBSTREAMID.
TEST_CASE("smmuv3 unit: CD tables, substreams and C_BAD_SUBSTREAMID", "[smmuv3]") {
    Rig r;
    const uint64_t root = r.s1_root();
    r.map_page(root, 0x1000, 0x81000000);
    // Linear, 4 CDs: SSID 2.
    r.put(kCd + 2 * 64, smmu_enc::cd(r.cd_fields(root, 2)));
    auto f = r.s1_ste(kCd);
    f.s1cdmax = 2;
    f.s1dss = 1;  // bypass without a SubstreamID
    r.put_ste(10, f);
    // Two-level (S1Fmt 1, 64 CDs a leaf): SSID 70 is leaf 1, index 6.
    r.mem.write_u64(0x60000 + 8, smmu_enc::l1_cd(true, 0x61000));
    r.put(0x61000 + 6 * 64, smmu_enc::cd(r.cd_fields(root, 3)));
    auto g = r.s1_ste(0x60000);
    g.s1fmt = 1;
    g.s1cdmax = 8;
    r.put_ste(11, g);
    r.enable();
    CHECK(r.access_ssid(10, 2, 0x1004).pa == 0x81000004);
    CHECK(r.access(10, 0x1004).pa == 0x1004);  // S1DSS bypass
    CHECK(r.access_ssid(10, 4, 0x1004).reason == ev::C_BAD_SUBSTREAMID);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(r.event(0, 0) == (ev::C_BAD_SUBSTREAMID | 1u << 11 | 4u << 12 | uint64_t(10) << 32));
    CHECK(r.access_ssid(11, 70, 0x1004).pa == 0x81000004);
    CHECK(r.access_ssid(11, 3, 0x1004).reason == ev::C_BAD_SUBSTREAMID);  // L1CD 0 invalid
    CHECK(r.access(11, 0x1004).reason == ev::F_STREAM_DISABLED);          // S1DSS terminate
}

// §7.3 F_STE_FETCH / F_CD_FETCH: the fetch aborts (above installed memory); the
// record carries the fetch address.
TEST_CASE("smmuv3 unit: F_STE_FETCH and F_CD_FETCH", "[smmuv3]") {
    Rig r;
    r.put_ste(1, r.s1_ste(kMemSize + 0x1000));
    r.enable();
    CHECK(r.access(1, 0).reason == ev::F_CD_FETCH);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(r.event_id(0) == ev::F_CD_FETCH);
    CHECK((r.event(0, 3) & ~uint64_t(7)) == kMemSize + 0x1000);
    r.unit->write(reg::CR0, 0, 4);
    r.unit->write(reg::STRTAB_BASE, kMemSize, 8);
    r.unit->write(reg::CR0, smmuv3::cr0::SMMUEN | smmuv3::cr0::EVENTQEN, 4);
    CHECK(r.access(2, 0).reason == ev::F_STE_FETCH);
    CHECK(r.event_id(1) == ev::F_STE_FETCH);
}

// The stages the timing shell runs: lookup misses, the walk in a slot (configuration
// reads included), end_walk fills the caches, merged() serves a request that waited.
TEST_CASE("smmuv3 unit: lookup, walk slot and merge as the timing shell drives them", "[smmuv3]") {
    Rig r;
    r.stage1_stream(1);
    r.enable();
    r.unit->reserve_walks(2);
    const iommu::Request q = testutil::dma(1, 0x1010, false);
    iommu::Result out;
    REQUIRE_FALSE(r.unit->lookup(q, out));
    iommu::Walk& w = r.unit->begin_walk(1, q);
    unsigned reads = 0;
    while (!w.done()) {
        uint64_t v = 0;
        const bool ok = r.host.read_u64(w.read_address(), v);
        w.supply(v, ok);
        ++reads;
    }
    CHECK(reads == 8 + 8 + 3);  // STE, CD, levels 1-3
    REQUIRE(w.outcome());  // what the pipeline announces before the end
    CHECK(w.outcome()->pa == 0x80001010);
    const iommu::Result res = r.unit->end_walk(1);
    CHECK(res.pa == 0x80001010);
    CHECK(r.unit->merged(testutil::dma(1, 0x1ff8, false), res).pa == 0x80001ff8);
    CHECK(r.unit->lookup(q, out));
    CHECK(out.pa == 0x80001010);
}

// §3.13 HTTU, §5.4 CD.HA: with IDR0.HTTU >= 1 the walk sets a clear Access flag in
// memory (a write through the walk slot); with HTTU = 0, CD.HA is ignored and the
// same descriptor is an Access flag fault.
TEST_CASE("smmuv3 unit: hardware Access flag update follows IDR0.HTTU and CD.HA", "[smmuv3]") {
    for (unsigned httu : {0u, 1u}) {
        Rig r;
        r.caps.httu = httu;
        r.rebuild();
        const uint64_t root = r.s1_root();
        auto leaf = Rig::rw_all();
        leaf.af = false;
        r.map_page(root, 0x1000, 0x87001000, leaf);
        auto c = r.cd_fields(root);
        c.ha = true;
        r.put(kCd, smmu_enc::cd(c));
        r.put_ste(1, r.s1_ste(kCd));
        r.enable();
        const uint64_t at = r.tables.entry_address(root, 1, 39, 0x1000, 3);
        const auto res = r.access(1, 0x1000);
        INFO("HTTU " << httu);
        if (httu) {
            CHECK(res.pa == 0x87001000);
            CHECK((r.mem.read_u64(at) >> 10 & 1) == 1);
        } else {
            CHECK(res.reason == ev::F_ACCESS);
            CHECK((r.mem.read_u64(at) >> 10 & 1) == 0);
        }
    }
}
