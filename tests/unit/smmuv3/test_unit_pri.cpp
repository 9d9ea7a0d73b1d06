// SmmuUnit's messages to endpoints and the PRI queue: CMD_ATC_INV and CMD_PRI_RESP
// (IHI 0070 §4.5), PRI queue entries, wrap, overflow and acknowledgement (chapter 8).
#include <catch2/catch.hpp>

#include "models/smmuv3/queue.h"
#include "tests/unit/smmuv3/ats_rig.h"

using namespace smmu_rig;
using iommu::PrgResponse;
using smmuv3::QueueIndex;

// §4.5.1: span 4 KiB << Size from Address aligned down to it; Size 52 is everything.
TEST_CASE("smmuv3 pri: CMD_ATC_INV reaches the endpoints as an ATS invalidation", "[smmuv3][ats]") {
    AtsRig r;
    r.enable();
    r.command(smmu_enc::atc_inv(7, false, 0, false, 0x12345678000, 0));
    r.command(smmu_enc::atc_inv(7, false, 0, false, 0x12345678000, 9));   // 2 MiB
    r.command(smmu_enc::atc_inv(8, true, 0x42, true, 0x7fff0000, 4));     // 64 KiB, PASID, Global
    r.command(smmu_enc::atc_inv(9, false, 0, false, 0, 52));              // ATC_INV_SIZE_ALL
    r.command(smmu_enc::sync(0, 0, 0, 0, 0));
    REQUIRE(r.eps.invalidations.size() == 4);
    const auto& a = r.eps.invalidations;
    CHECK(a[0].sid == 7);
    CHECK(a[0].addr == 0x12345678000);
    CHECK(a[0].size == 4096);
    CHECK_FALSE(a[0].pasid_valid);
    CHECK(a[1].addr == 0x12345600000);
    CHECK(a[1].size == (uint64_t(2) << 20));
    CHECK(a[2].sid == 8);
    CHECK(a[2].pasid_valid);
    CHECK(a[2].pasid == 0x42);
    CHECK(a[2].global);
    CHECK(a[2].addr == 0x7fff0000);
    CHECK(a[2].size == 0x10000);
    CHECK(a[3].sid == 9);
    CHECK(a[3].size == 0);  // the whole space
    CHECK(r.stat("inv.atc") == 4);
}

// §4.5: IGNORED while SMMUEN == 0; CERROR_ILL without IDR0.ATS (no device is told).
TEST_CASE("smmuv3 pri: CMD_ATC_INV ignored with SMMUEN 0, illegal without ATS", "[smmuv3][ats]") {
    AtsRig r;
    r.enable();
    r.set_cr0(smmuv3::cr0::CMDQEN);
    r.command(smmu_enc::atc_inv(7, false, 0, false, 0x1000, 0));
    CHECK(r.eps.invalidations.empty());
    CHECK(QueueIndex::error(uint32_t(r.unit->read(reg::CMDQ_CONS, 4))) == 0);
    AtsRig n;
    n.caps.ats = false;
    n.rebuild();
    n.unit->endpoints = &n.eps;
    n.enable();
    n.command(smmu_enc::atc_inv(7, false, 0, false, 0x1000, 0));
    CHECK(n.eps.invalidations.empty());
    CHECK(QueueIndex::error(uint32_t(n.unit->read(reg::CMDQ_CONS, 4))) == smmuv3::cmdq_cons::CERROR_ILL);
}

// The device round trip is charged as its own command kind ([smmuv3.cmdq] atc_inv_cycles).
TEST_CASE("smmuv3 pri: CMD_ATC_INV costs a device round trip", "[smmuv3][ats]") {
    AtsRig r;
    r.params.cmdq.atc_inv_cycles = 777;
    r.rebuild();
    r.enable();
    const uint64_t before = r.unit->command_cycles();
    r.command(smmu_enc::atc_inv(7, false, 0, false, 0x1000, 0));
    CHECK(r.unit->command_cycles() - before == r.params.cmdq.fetch_cycles + 777);
}

// §4.5.2 Resp: 0b00 ResponseFailure, 0b01 InvalidRequest, 0b10 Success.
TEST_CASE("smmuv3 pri: CMD_PRI_RESP sends the PRG response", "[smmuv3][ats]") {
    AtsRig r;
    r.enable();
    r.command(smmu_enc::pri_resp(5, false, 0, 0x1ff, 0));
    r.command(smmu_enc::pri_resp(5, true, 0x33, 2, 1));
    r.command(smmu_enc::pri_resp(6, false, 0, 3, 2));
    REQUIRE(r.eps.responses.size() == 3);
    const auto& p = r.eps.responses;
    CHECK(p[0].sid == 5);
    CHECK(p[0].prg_index == 0x1ff);
    CHECK(p[0].code == PrgResponse::ResponseFailure);
    CHECK(p[1].pasid_valid);
    CHECK(p[1].pasid == 0x33);
    CHECK(p[1].prg_index == 2);
    CHECK(p[1].code == PrgResponse::InvalidRequest);
    CHECK(p[2].sid == 6);
    CHECK(p[2].code == PrgResponse::Success);
}

namespace {

iommu::PageRequest ppr(uint16_t sid, uint64_t addr, uint16_t prg, bool last) {
    iommu::PageRequest p;
    p.sid = sid;
    p.addr = addr;
    p.prg_index = prg;
    p.read = true;
    p.last = last;
    return p;
}

}  // namespace

// Chapter 8: each page request is a 16-byte entry at PROD; the interrupt follows
// IRQ_CTRL.PRIQ_IRQEN.
TEST_CASE("smmuv3 pri: page requests are written to the PRI queue", "[smmuv3][ats]") {
    AtsRig r;
    r.enable();
    r.enable_priq();
    unsigned irqs = 0;
    r.unit->on_page_request_irq = [&] { ++irqs; };
    iommu::PageRequest p = ppr(0x12, 0xabcd000, 0x1a5, true);
    p.pasid_valid = true;
    p.pasid = 0x4321;
    p.write = p.priv = p.exec = true;
    CHECK(r.unit->page_request(p));
    CHECK(r.priq_prod() == 1);
    CHECK(irqs == 0);
    const auto e = r.priq(0);
    CHECK(e.sid == 0x12);
    CHECK(e.ssv);
    CHECK(e.ssid == 0x4321);
    CHECK(e.read);
    CHECK(e.write);
    CHECK(e.priv);
    CHECK(e.exec);
    CHECK(e.last);
    CHECK(e.prg_index == 0x1a5);
    CHECK(e.addr == 0xabcd000);
    r.unit->write(reg::IRQ_CTRL, smmuv3::irq_ctrl::PRIQ_IRQEN, 4);
    CHECK(r.unit->page_request(ppr(0x12, 0x1000, 1, false)));
    CHECK(irqs == 1);
    CHECK_FALSE(r.priq(1).last);
    CHECK(r.stat("pri.requests") == 2);
}

// §3.3-style queue: the 9th entry of an 8-entry queue wraps to index 0, wrap bit set.
TEST_CASE("smmuv3 pri: PRI queue PROD wraps", "[smmuv3][ats]") {
    AtsRig r;
    r.enable();
    r.enable_priq();
    for (unsigned i = 0; i < 8; ++i) REQUIRE(r.unit->page_request(ppr(1, 0x1000 * i, 0, false)));
    CHECK(r.priq_prod() == 8);  // index 0, wrap 1: full
    r.unit->write(reg::PRIQ_CONS, 5, 4);
    CHECK(r.unit->page_request(ppr(1, 0x99000, 0, false)));
    CHECK(r.priq_prod() == 9);
    CHECK(r.priq(0).addr == 0x99000);
}

// §8.1: a full queue toggles OVFLG; while unacknowledged nothing is written, Last == 1
// requests get an automatic Success response, Last == 0 ones are discarded.
TEST_CASE("smmuv3 pri: PRI queue overflow and OVACKFLG", "[smmuv3][ats]") {
    AtsRig r;
    r.enable();
    r.enable_priq();
    for (unsigned i = 0; i < 8; ++i) REQUIRE(r.unit->page_request(ppr(1, 0x1000 * i, 0, false)));
    CHECK(r.unit->page_request(ppr(2, 0x20000, 7, false)));
    CHECK(r.priq_prod() == (8 | QueueIndex::OVFLG));
    CHECK(r.eps.responses.empty());
    r.unit->write(reg::PRIQ_CONS, 8, 4);  // all consumed, overflow not acknowledged
    CHECK(r.unit->page_request(ppr(2, 0x21000, 7, true)));
    CHECK(r.priq_prod() == (8 | QueueIndex::OVFLG));  // lost
    REQUIRE(r.eps.responses.size() == 1);
    CHECK(r.eps.responses[0].sid == 2);
    CHECK(r.eps.responses[0].prg_index == 7);
    CHECK(r.eps.responses[0].code == PrgResponse::Success);
    r.unit->write(reg::PRIQ_CONS, 8 | QueueIndex::OVFLG, 4);
    CHECK(r.unit->page_request(ppr(2, 0x22000, 8, true)));
    CHECK(r.priq_prod() == (9 | QueueIndex::OVFLG));
    CHECK(r.priq(0).addr == 0x22000);
    CHECK(r.stat("pri.lost") == 2);
}

// PRIQEN 0, SMMUEN 0 or no IDR0.PRI: nothing is queued; the platform answers Response
// Failure (§8.2).
TEST_CASE("smmuv3 pri: no page requests without PRIQEN or PRI", "[smmuv3][ats]") {
    AtsRig r;
    r.enable();
    r.unit->write(reg::PRIQ_BASE, kPriq | 3, 8);
    CHECK_FALSE(r.unit->page_request(ppr(1, 0x1000, 0, true)));
    r.set_cr0(smmuv3::cr0::PRIQEN);  // SMMUEN 0
    CHECK_FALSE(r.unit->page_request(ppr(1, 0x1000, 0, true)));
    CHECK(r.priq_prod() == 0);
    AtsRig n;
    n.caps.pri = false;
    n.rebuild();
    n.enable();
    n.enable_priq();
    CHECK_FALSE(n.unit->page_request(ppr(1, 0x1000, 0, true)));
    CHECK(r.eps.responses.empty());
}

// §8.2: a PRI queue write that aborts toggles GERROR.PRIQ_ABT_ERR; while it is active
// no page request is taken (the platform answers Response Failure).
TEST_CASE("smmuv3 pri: a PRI queue abort stops page requests until acknowledged", "[smmuv3][ats]") {
    AtsRig r;
    r.enable();
    r.enable_priq();
    r.unit->write(reg::PRIQ_BASE, (uint64_t(8) << 32) | 3, 8);  // beyond installed memory
    CHECK_FALSE(r.unit->page_request(ppr(1, 0x1000, 0, true)));
    const uint32_t gerror = uint32_t(r.unit->read(reg::GERROR, 4));
    CHECK((gerror & smmuv3::gerror::PRIQ_ABT_ERR) != 0);
    r.unit->write(reg::PRIQ_BASE, kPriq | 3, 8);
    CHECK_FALSE(r.unit->page_request(ppr(1, 0x1000, 0, true)));
    r.unit->write(reg::GERRORN, gerror, 4);
    CHECK(r.unit->page_request(ppr(1, 0x1000, 0, true)));
    CHECK(r.priq_prod() == 1);
}
