// SmmuUnit's stall model (IHI 0070 §3.12.2): CD.S / STE.S2S within IDR0.STALL_MODEL,
// STE.S1STALLD, event records with Stall = 1 and the STAG (§7.3), CMD_RESUME retry
// and abort and CMD_STALL_TERM (§4.7), the event interrupt, ATS Translation Requests
// never stalling. Records are read back with the spec's bit positions, not the model's
// encoder.
#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "models/smmuv3/queue.h"
#include "tests/unit/smmuv3/ats_rig.h"

using namespace smmu_rig;

namespace {

// Event record dword 1 (§7.3): STAG 15:0, Stall 31, S2 39.
uint64_t field(uint64_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((uint64_t(2) << (hi - lo)) - 1); }

struct StallRig : AtsRig {
    std::vector<std::pair<uint16_t, bool>> ends;  // what the unit told the pipeline
    explicit StallRig(unsigned model = 0) {
        caps.stall_model = model;
        rebuild();
        unit->endpoints = &eps;
        unit->on_stall_end = [this](uint16_t stag, bool retry) { ends.emplace_back(stag, retry); };
    }
    // sid 1 at stage 1 with CD.S as given (va 0x1000 mapped, the rest not).
    uint64_t stalling_stream(bool s, bool s1stalld = false) {
        const uint64_t root = s1_root();
        map_page(root, 0x1000, 0x80001000);
        auto c = cd_fields(root);
        c.s = s;
        put(kCd, smmu_enc::cd(c));
        auto f = s1_ste(kCd);
        f.s1stalld = s1stalld;
        put_ste(1, f);
        enable();
        return root;
    }
};

}  // namespace

TEST_CASE("smmuv3 stall: CD.S stalls a translation fault - the event has Stall and the STAG",
          "[smmuv3][stall]") {
    StallRig r;
    r.stalling_stream(true);
    const iommu::Result res = r.access(1, 0x5000);
    CHECK(res.fault);
    CHECK(res.stall);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(r.event_id(0) == 0x10);  // F_TRANSLATION
    CHECK(field(r.event(0, 1), 31, 31) == 1);
    CHECK(field(r.event(0, 1), 15, 0) == res.stag);
    CHECK(field(r.event(0, 0), 63, 32) == 1);  // StreamID
    CHECK(r.event(0, 2) == 0x5000);
    const iommu::Result again = r.access(1, 0x6000);
    CHECK(again.stall);
    CHECK(again.stag != res.stag);  // each stalled transaction its own tag
    CHECK(r.stat("stall.stalls") == 2);
    CHECK(r.ends.empty());
}

TEST_CASE("smmuv3 stall: CMD_RESUME retry after software maps the page - the retry translates",
          "[smmuv3][stall]") {
    StallRig r;
    const uint64_t root = r.stalling_stream(true);
    const iommu::Result res = r.access(1, 0x5000, true);
    REQUIRE(res.stall);
    r.map_page(root, 0x5000, 0x80005000);
    r.command(smmu_enc::resume(1, res.stag, true, false));
    REQUIRE(r.ends.size() == 1);
    CHECK(r.ends[0] == std::make_pair(res.stag, true));
    const iommu::Result retried = r.access(1, 0x5000, true);
    CHECK_FALSE(retried.fault);
    CHECK(retried.pa == 0x80005000);
    CHECK(r.stat("stall.resumed") == 1);
    // The STAG is free again: a second RESUME for it is ignored.
    r.command(smmu_enc::resume(1, res.stag, true, false));
    CHECK(r.ends.size() == 1);
}

TEST_CASE("smmuv3 stall: CMD_RESUME abort terminates - a RESUME naming no stall is ignored",
          "[smmuv3][stall]") {
    StallRig r;
    r.stalling_stream(true);
    const iommu::Result res = r.access(1, 0x5000);
    REQUIRE(res.stall);
    r.command(smmu_enc::resume(2, res.stag, true, false));            // another StreamID
    r.command(smmu_enc::resume(1, uint16_t(res.stag + 7), true, false));  // no such STAG
    CHECK(r.ends.empty());
    r.command(smmu_enc::resume(1, res.stag, false, true));            // Abort
    REQUIRE(r.ends.size() == 1);
    CHECK(r.ends[0] == std::make_pair(res.stag, false));
    CHECK(r.stat("stall.terminated") == 1);
    CHECK(smmuv3::QueueIndex::error(uint32_t(r.unit->read(reg::CMDQ_CONS, 4))) == 0);
}

TEST_CASE("smmuv3 stall: CMD_STALL_TERM terminates every stall of its StreamID only", "[smmuv3][stall]") {
    StallRig r;
    r.stalling_stream(true);
    auto f = r.s1_ste(kCd);
    r.put_ste(2, f);
    const iommu::Result a = r.access(1, 0x5000), b = r.access(1, 0x6000), c = r.access(2, 0x7000);
    REQUIRE((a.stall && b.stall && c.stall));
    r.command(smmu_enc::stall_term(1));
    REQUIRE(r.ends.size() == 2);
    CHECK(r.ends[0] == std::make_pair(a.stag, false));
    CHECK(r.ends[1] == std::make_pair(b.stag, false));
    r.command(smmu_enc::resume(2, c.stag, false, false));  // Terminate
    CHECK(r.ends.size() == 3);
}

TEST_CASE("smmuv3 stall: CD.S = 0 faults without stalling - a walk abort never stalls", "[smmuv3][stall]") {
    StallRig r;
    r.stalling_stream(false);
    const iommu::Result res = r.access(1, 0x5000);
    CHECK(res.fault);
    CHECK_FALSE(res.stall);
    CHECK(field(r.event(0, 1), 31, 31) == 0);
    StallRig e;
    const uint64_t root = e.stalling_stream(true);
    // A level-1 table descriptor pointing above installed memory: F_WALK_EABT.
    e.mem.write_u64(root + 8 * 1, (kMemSize + 0x1000) | 3);
    const iommu::Result abt = e.access(1, 0x40000000);
    CHECK(abt.fault);
    CHECK_FALSE(abt.stall);
    CHECK(e.event_id(0) == 0x0b);
}

TEST_CASE("smmuv3 stall: CD.S and S1STALLD against IDR0.STALL_MODEL (C_BAD_CD, C_BAD_STE)",
          "[smmuv3][stall]") {
    struct Case {
        unsigned model;
        bool s, s1stalld;
        unsigned event;  // 0: translates
    };
    for (const Case& c : {Case{1, true, false, 0x0a}, Case{1, false, false, 0}, Case{0, true, true, 0x0a},
                          Case{0, false, true, 0}, Case{2, false, false, 0x0a}, Case{2, true, false, 0},
                          Case{2, true, true, 0x04}}) {
        INFO("model " << c.model << " S " << c.s << " S1STALLD " << c.s1stalld);
        StallRig r(c.model);
        r.stalling_stream(c.s, c.s1stalld);
        const iommu::Result res = r.access(1, 0x1000);
        CHECK(res.fault == (c.event != 0));
        if (c.event) CHECK(r.event_id(0) == c.event);
    }
}

TEST_CASE("smmuv3 stall: STE.S2S stalls a stage-2 fault with S2 set", "[smmuv3][stall]") {
    StallRig r;
    auto f = r.s1_ste(0);
    f.config = 0b110;
    StallRig::with_stage2(f, r.s2_identity_low_gib(), 3);
    f.s2s = true;
    r.put_ste(4, f);
    r.enable();
    const iommu::Result res = r.access(4, 0x90000000);
    REQUIRE(res.stall);
    CHECK(r.event_id(0) == 0x10);
    CHECK(field(r.event(0, 1), 39, 39) == 1);
    CHECK(field(r.event(0, 1), 15, 0) == res.stag);
    f.s2s = false;
    r.put_ste(5, f);
    CHECK_FALSE(r.access(5, 0x90000000).stall);
}

TEST_CASE("smmuv3 stall: an ATS Translation Request never stalls", "[smmuv3][stall]") {
    StallRig r;
    r.stalling_stream(true);
    auto f = r.s1_ste(kCd);
    f.eats = 1;
    r.put_ste(1, f);
    r.unit->write(reg::CMDQ_BASE, kCmdq | 4, 8);
    const iommu::Result res = r.tr(1, 0x5000);
    CHECK_FALSE(res.stall);
    CHECK_FALSE(res.fault);  // R = W = 0
    CHECK_FALSE(res.read);
    CHECK(r.ends.empty());
}

TEST_CASE("smmuv3 stall: the event interrupt - a stall whose event is lost is not held",
          "[smmuv3][stall]") {
    StallRig r;
    r.stalling_stream(true);
    int irqs = 0;
    r.unit->on_event_irq = [&] { ++irqs; };
    r.access(1, 0x5000);
    CHECK(irqs == 0);  // IRQ_CTRL.EVENTQ_IRQEN clear
    r.unit->write(reg::IRQ_CTRL, smmuv3::irq_ctrl::EVENTQ_IRQEN, 4);
    r.access(1, 0x6000);
    CHECK(irqs == 1);
    r.set_cr0(smmuv3::cr0::SMMUEN | smmuv3::cr0::CMDQEN);  // EVENTQEN clear: events are lost
    const iommu::Result lost = r.access(1, 0x7000);
    CHECK(lost.fault);
    CHECK_FALSE(lost.stall);
    CHECK(r.stat("stall.unrecorded") == 1);
}

TEST_CASE("smmuv3 stall: clearing SMMUEN terminates every stall", "[smmuv3][stall]") {
    StallRig r;
    r.stalling_stream(true);
    REQUIRE(r.access(1, 0x5000).stall);
    r.set_cr0(smmuv3::cr0::CMDQEN | smmuv3::cr0::EVENTQEN);
    REQUIRE(r.ends.size() == 1);
    CHECK_FALSE(r.ends[0].second);
}
