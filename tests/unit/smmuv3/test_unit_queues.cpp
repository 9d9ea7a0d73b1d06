// SmmuUnit queues: event queue overflow and a fault storm (IHI 0070 §7.2, §7.4), the
// command queue's invalidations, CMD_SYNC and the illegal-command stop (chapter 4,
// §7.1), and the statistics.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/smmuv3/queue.h"
#include "tests/unit/smmuv3/unit_rig.h"

using namespace smmu_rig;
namespace ev = smmuv3::event;
using smmuv3::QueueIndex;

// §7.4: an 8-entry queue takes 8 records; the 9th is lost and toggles PROD.OVFLG;
// records are lost until CONS.OVACKFLG acknowledges, even with room in the queue.
TEST_CASE("smmuv3 unit: event queue overflow toggles OVFLG and loses events until acknowledged",
          "[smmuv3]") {
    Rig r;
    r.stage1_stream(1);
    r.enable();
    for (unsigned i = 0; i < 8; ++i) CHECK(r.access(1, 0x100000 + i * 0x1000).fault);
    CHECK(r.evtq_prod() == 8);  // index 0, wrap 1: full
    CHECK(r.access(1, 0x900000).fault);
    CHECK(r.evtq_prod() == (8 | QueueIndex::OVFLG));
    r.unit->write(reg::EVENTQ_CONS, 8, 4);  // consumed all, overflow not acknowledged
    r.access(1, 0x901000);
    CHECK(r.evtq_prod() == (8 | QueueIndex::OVFLG));  // lost
    r.unit->write(reg::EVENTQ_CONS, 8 | QueueIndex::OVFLG, 4);
    r.access(1, 0x902000);
    CHECK(r.evtq_prod() == (9 | QueueIndex::OVFLG));
    CHECK(r.event(0, 2) == 0x902000);  // written at index 0, over the consumed record
}

// A continuous stream of faulting DMA never waits for software: every request
// completes with its fault, the queue fills once and the rest is counted lost.
TEST_CASE("smmuv3 unit: a storm of faulting requests never stalls", "[smmuv3]") {
    Rig r;
    r.stage1_stream(1);
    r.enable();
    for (unsigned i = 0; i < 10000; ++i) REQUIRE(r.access(1, 0x40000000 + uint64_t(i) * 0x1000).reason == ev::F_TRANSLATION);
    nlohmann::json j;
    r.unit->sim::StatGroup::write(j, "u");
    CHECK(j.at("u.faults.0x10").get<uint64_t>() == 10000);
    CHECK(j.at("u.events").get<uint64_t>() == 8);
    CHECK(j.at("u.events_lost").get<uint64_t>() == 10000 - 8);
}

// §4.4: a TLB entry keeps translating after the table changes until a TLBI covers it.
TEST_CASE("smmuv3 unit: stale TLB until each TLBI covers it", "[smmuv3]") {
    Rig r;
    const uint64_t root = r.stage1_stream(1);
    r.enable();
    const auto remap = [&] { r.map_page(root, 0x1000, 0x82001000); };
    const auto refill = [&] {
        r.map_page(root, 0x1000, 0x80001000);
        r.command(smmu_enc::tlbi_nh_all(0));
        REQUIRE(r.access(1, 0x1000).pa == 0x80001000);
        remap();
        REQUIRE(r.access(1, 0x1000).pa == 0x80001000);  // stale
    };
    refill();
    SECTION("TLBI_NH_VA of another ASID, then of ours") {
        r.command(smmu_enc::tlbi_nh_va(0, 2, {0x1000}));
        CHECK(r.access(1, 0x1000).pa == 0x80001000);
        r.command(smmu_enc::tlbi_nh_va(0, 1, {0x1000}));
        CHECK(r.access(1, 0x1000).pa == 0x82001000);
    }
    SECTION("TLBI_NH_VA range (RIL): NUM 1, SCALE 0, TG 4K covers 0x0-0x1fff") {
        r.command(smmu_enc::tlbi_nh_va(0, 1, {0x0, false, 1, 0, 1, 0}));
        CHECK(r.access(1, 0x1000).pa == 0x82001000);
    }
    SECTION("TLBI_NH_VAA") {
        r.command(smmu_enc::tlbi_nh_vaa(0, {0x1000}));
        CHECK(r.access(1, 0x1000).pa == 0x82001000);
    }
    SECTION("TLBI_NH_ASID") {
        r.command(smmu_enc::tlbi_nh_asid(0, 1));
        CHECK(r.access(1, 0x1000).pa == 0x82001000);
    }
    SECTION("TLBI_NH_ALL of another VMID, then TLBI_S12_VMALL of ours") {
        r.command(smmu_enc::tlbi_nh_all(5));
        CHECK(r.access(1, 0x1000).pa == 0x80001000);
        r.command(smmu_enc::tlbi_s12_vmall(0));
        CHECK(r.access(1, 0x1000).pa == 0x82001000);
    }
    SECTION("TLBI_NSNH_ALL") {
        r.command(smmu_enc::tlbi_nsnh_all());
        CHECK(r.access(1, 0x1000).pa == 0x82001000);
    }
}

// §4.4.4 TLBI_S2_IPA and §4.4.5 TLBI_S12_VMALL: stage-2 entries by VMID and IPA.
TEST_CASE("smmuv3 unit: stage-2 TLB entries until TLBI_S2_IPA of their VMID", "[smmuv3]") {
    Rig r;
    const uint64_t root = r.tables.new_root(1, 39);
    const auto map = [&](uint64_t pa) {
        r.tables.map(root, 1, 39, 0x2000, 3, vmsatest::s2_leaf(Tg::k4K, 3, pa));
    };
    map(0x90002000);
    smmu_enc::SteFields f;
    f.config = 0b110;
    r.with_stage2(f, root, 7);
    r.put_ste(4, f);
    r.enable();
    REQUIRE(r.access(4, 0x2000).pa == 0x90002000);
    map(0x91002000);
    CHECK(r.access(4, 0x2000).pa == 0x90002000);  // stale
    r.command(smmu_enc::tlbi_s2_ipa(8, {0x2000}));  // another VMID
    r.command(smmu_enc::tlbi_s2_ipa(7, {0x3000}));  // another IPA
    r.command(smmu_enc::tlbi_nh_all(7));            // stage 1 only
    CHECK(r.access(4, 0x2000).pa == 0x90002000);
    r.command(smmu_enc::tlbi_s2_ipa(7, {0x2000}));
    CHECK(r.access(4, 0x2000).pa == 0x91002000);
    map(0x92002000);
    r.command(smmu_enc::tlbi_s12_vmall(7));
    CHECK(r.access(4, 0x2000).pa == 0x92002000);
}

// §4.3: the configuration cache keeps a stale STE until CFGI_STE / CFGI_ALL.
TEST_CASE("smmuv3 unit: CFGI commands invalidate cached STEs and CDs", "[smmuv3]") {
    Rig r;
    smmu_enc::SteFields f;
    r.put_ste(3, f);  // bypass
    r.enable();
    CHECK_FALSE(r.access(3, 0x1000).fault);
    f.config = 0;
    r.put_ste(3, f);  // now abort
    CHECK_FALSE(r.access(3, 0x1000).fault);  // cached
    SECTION("CFGI_STE") { r.command(smmu_enc::cfgi_ste(3, true)); }
    SECTION("CFGI_STE_RANGE") { r.command(smmu_enc::cfgi_ste_range(0, 1)); }  // SIDs 0-3
    SECTION("CFGI_ALL") { r.command(smmu_enc::cfgi_all()); }
    CHECK(r.access(3, 0x1000).fault);
}

TEST_CASE("smmuv3 unit: CFGI_CD drops a cached CD", "[smmuv3]") {
    Rig r;
    const uint64_t root = r.stage1_stream(1);
    r.enable();
    REQUIRE_FALSE(r.access(1, 0x1000).fault);
    auto c = r.cd_fields(root, 9);  // a new ASID: its TLB entries are not the old ones
    r.map_page(root, 0x1000, 0x83001000);
    r.put(kCd, smmu_enc::cd(c));
    CHECK(r.access(1, 0x1000).pa == 0x80001000);
    r.command(smmu_enc::cfgi_cd(1, 0, true));
    CHECK(r.access(1, 0x1000).pa == 0x83001000);
    c.asid = 10;
    r.put(kCd, smmu_enc::cd(c));
    r.command(smmu_enc::cfgi_cd_all(1));
    r.map_page(root, 0x1000, 0x84001000);
    CHECK(r.access(1, 0x1000).pa == 0x84001000);
}

// §4.3.3 CMD_CFGI_CD names one SubstreamID (its SSID field, no SSV): the other
// substreams' CDs stay cached.
TEST_CASE("smmuv3 unit: CFGI_CD of one SubstreamID leaves the others", "[smmuv3]") {
    Rig r;
    const uint64_t root = r.s1_root();
    r.map_page(root, 0x1000, 0x81000000);
    r.put(kCd + 1 * 64, smmu_enc::cd(r.cd_fields(root, 1)));
    r.put(kCd + 2 * 64, smmu_enc::cd(r.cd_fields(root, 2)));
    auto f = r.s1_ste(kCd);
    f.s1cdmax = 2;
    r.put_ste(10, f);
    r.enable();
    REQUIRE_FALSE(r.access_ssid(10, 1, 0x1000).fault);
    REQUIRE_FALSE(r.access_ssid(10, 2, 0x1000).fault);
    auto off = r.cd_fields(root, 1);
    off.valid = false;
    r.put(kCd + 1 * 64, smmu_enc::cd(off));
    r.put(kCd + 2 * 64, smmu_enc::cd(off));
    r.command(smmu_enc::cfgi_cd(10, 2, true));
    r.command(smmu_enc::tlbi_nh_all(0));
    CHECK_FALSE(r.access_ssid(10, 1, 0x1000).fault);  // still cached
    CHECK(r.access_ssid(10, 2, 0x1000).reason == smmuv3::event::C_BAD_CD);
}

// §4.4.1: a range invalidation (TG != 0) needs IDR3.RIL.
TEST_CASE("smmuv3 unit: a range TLBI without IDR3.RIL is CERROR_ILL", "[smmuv3]") {
    Rig r;
    r.caps.ril = false;
    r.rebuild();
    r.enable();
    r.command(smmu_enc::tlbi_nh_va(0, 1, {0x1000}));
    r.command(smmu_enc::tlbi_nh_va(0, 1, {0x0, false, 1, 0, 1, 0}));
    const uint32_t cons = uint32_t(r.unit->read(reg::CMDQ_CONS, 4));
    CHECK((cons & 0xfffff) == 1);
    CHECK(QueueIndex::error(cons) == smmuv3::cmdq_cons::CERROR_ILL);
}

// §4.4: TLBI_EL2_VA/VAA have the same range fields; without IDR3.RIL a range there is
// CERROR_ILL as well (found by fuzz_smmuv3_cmdq: the EL2 forms used to run).
TEST_CASE("smmuv3 unit: a range TLBI_EL2_VA without IDR3.RIL is CERROR_ILL", "[smmuv3]") {
    Rig r;
    r.caps.ril = false;
    r.caps.hyp = true;
    r.rebuild();
    r.enable();
    const uint64_t asid1 = uint64_t(1) << 48, tg4k = 1u << 10;
    r.command({0x22 | asid1, 0x5000});               // TLBI_EL2_VA, one address: legal
    r.command({0x22 | 1u << 12 | asid1, 0x5000 | tg4k});  // NUM 1, TG 4K: a range
    const uint32_t cons = uint32_t(r.unit->read(reg::CMDQ_CONS, 4));
    CHECK((cons & 0xfffff) == 1);
    CHECK(QueueIndex::error(cons) == smmuv3::cmdq_cons::CERROR_ILL);
}

// §4.7 CMD_SYNC with CS = IRQ and an MSI address writes MSIDATA there.
TEST_CASE("smmuv3 unit: CMD_SYNC writes its MSI", "[smmuv3]") {
    Rig r;
    r.enable();
    r.command(smmu_enc::sync(smmuv3::sync_cs::IRQ, 0, 0, 0xabcd1234, 0x70000));
    CHECK(r.mem.read_u64(0x70000) == 0xabcd1234);
    CHECK(r.unit->read(reg::CMDQ_CONS, 4) == 1);
}

// §7.1: an illegal command stops the queue with CONS on it, ERR = CERROR_ILL and
// GERROR.CMDQ_ERR toggled; after software replaces it and acknowledges in GERRORN,
// processing resumes from CONS.
TEST_CASE("smmuv3 unit: an illegal command stops the queue until acknowledged", "[smmuv3]") {
    Rig r;
    r.enable();
    r.command({0xff, 0});  // opcode 0xff: reserved
    r.command(smmu_enc::sync(smmuv3::sync_cs::IRQ, 0, 0, 7, 0x70000));
    uint32_t cons = uint32_t(r.unit->read(reg::CMDQ_CONS, 4));
    CHECK((cons & 0xfffff) == 0);
    CHECK(QueueIndex::error(cons) == smmuv3::cmdq_cons::CERROR_ILL);
    CHECK((r.unit->read(reg::GERROR, 4) ^ r.unit->read(reg::GERRORN, 4)) == smmuv3::gerror::CMDQ_ERR);
    CHECK(r.mem.read_u64(0x70000) == 0);  // the SYNC behind it has not run
    const auto nop = smmu_enc::sync(0, 0, 0, 0, 0);
    r.mem.write_u64(kCmdq, nop[0]);
    r.mem.write_u64(kCmdq + 8, nop[1]);
    r.unit->write(reg::GERRORN, uint32_t(r.unit->read(reg::GERROR, 4)), 4);
    cons = uint32_t(r.unit->read(reg::CMDQ_CONS, 4));
    CHECK((cons & 0xfffff) == 2);
    CHECK(r.mem.read_u64(0x70000) == 7);
}

// A command the IDRs do not allow is illegal too: ATC_INV without IDR0.ATS.
TEST_CASE("smmuv3 unit: commands the IDRs rule out are CERROR_ILL", "[smmuv3]") {
    Rig r;
    r.enable();
    r.command(smmu_enc::prefetch_config(1, false, 0));
    r.command(smmu_enc::atc_inv(1, false, 0, false, 0x1000, 0));
    const uint32_t cons = uint32_t(r.unit->read(reg::CMDQ_CONS, 4));
    CHECK((cons & 0xfffff) == 1);
    CHECK(QueueIndex::error(cons) == smmuv3::cmdq_cons::CERROR_ILL);
}

// on_invalidate hears each invalidation with the command's name.
TEST_CASE("smmuv3 unit: invalidations are told to the timeline", "[smmuv3]") {
    Rig r;
    std::string kinds;
    r.unit->on_invalidate = [&](const char* kind, const std::string&) { kinds += std::string(kind) + ";"; };
    r.enable();
    r.command(smmu_enc::cfgi_ste(1, true));
    r.command(smmu_enc::tlbi_nh_asid(0, 1));
    r.command(smmu_enc::sync(0, 0, 0, 0, 0));
    CHECK(kinds == "CMD_CFGI_STE;CMD_TLBI_NH_ASID;");
}

// Command processing takes time ([smmuv3.cmdq]): each command costs its 16-byte fetch
// and its kind's execution, so N commands cost N times one; a command that stops the
// queue (CERROR_ILL) costs its fetch only.
TEST_CASE("smmuv3 unit: queued commands cost fetch and execution cycles", "[smmuv3]") {
    Rig r;
    r.params.cmdq.fetch_cycles = 3;
    r.params.cmdq.config_cycles = 5;
    r.params.cmdq.tlb_cycles = 7;
    r.params.cmdq.sync_cycles = 11;
    r.rebuild();
    r.enable();
    CHECK(r.unit->command_cycles() == 0);
    for (unsigned n = 0; n < 5; ++n) r.command(smmu_enc::cfgi_ste(n, true));
    CHECK(r.unit->command_cycles() == 5 * (3 + 5));
    r.command(smmu_enc::tlbi_nh_asid(0, 1));
    r.command(smmu_enc::sync(0, 0, 0, 0, 0));
    CHECK(r.unit->command_cycles() == 5 * 8 + (3 + 7) + (3 + 11));
    r.command({0xff, 0});  // an undefined opcode: CERROR_ILL
    CHECK(r.unit->command_cycles() == 5 * 8 + 10 + 14 + 3);
}
