// The SMMUv3 driver and stalls against the fake register file (smmuv3_driver_rig.h):
// CD.S and STE.S1STALLD by IDR0.STALL_MODEL and the device's "dma-can-stall"
// (EndpointCaps::stall), the event interrupt enabled only where the unit can stall,
// and service_events answering each record with Stall = 1 by CMD_RESUME Abort, as
// Linux's arm_smmu_page_response does without an I/O page fault handler (no CMD_SYNC).
// Records and commands use the spec's bit positions, written here.
#include <catch2/catch.hpp>

#include "tests/unit/iommufd/smmuv3_driver_rig.h"

using namespace smmu_driver_rig;

namespace {

Idrs stall_model(unsigned model) {
    Idrs i;
    i.idr0 = (i.idr0 & ~(3u << 24)) | model << 24;  // IDR0.STALL_MODEL 25:24
    return i;
}

EndpointCaps stalls(bool can) {
    EndpointCaps c;
    c.stall = can;
    return c;
}

constexpr uint32_t kEvtqIrqEn = 1u << 2;  // SMMU_IRQ_CTRL.EVENTQ_IRQEN

}  // namespace

TEST_CASE("smmuv3 driver stall: CD.S, S1STALLD and the event interrupt follow STALL_MODEL and the device",
          "[iommufd][smmuv3-driver][stall]") {
    const unsigned model = GENERATE(0u, 1u);
    const bool dev = GENERATE(false, true);
    INFO("STALL_MODEL " << model << ", dma-can-stall " << dev);
    Rig r(stall_model(model));
    REQUIRE(r.probed == Errno::Ok);
    auto ops = r.driver->device(kSid, stalls(dev));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    const ::smmuv3::Ste s = r.ste(kSid);
    CHECK(r.cd(s).s == (model == 0 && dev));
    CHECK(s.s1stalld == (model == 0 && !dev));
    CHECK(bool(r.unit->regs[reg::IRQ_CTRL] & kEvtqIrqEn) == (model == 0));
}

TEST_CASE("smmuv3 driver stall: a stall-enabled device's stage-2 STE has S2S (recent Linux)",
          "[iommufd][smmuv3-driver][stall]") {
    const bool dev = GENERATE(false, true);
    Rig r(stall_model(0));
    auto ops = r.driver->device(kSid, stalls(dev));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(kHwptNestParent, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    CHECK(r.ste(kSid).s2s == dev);
}

TEST_CASE("smmuv3 driver stall: STALL_MODEL 0b10 (forced) stalls every device", "[iommufd][smmuv3-driver][stall]") {
    Rig r(stall_model(2));
    auto ops = r.driver->device(kSid, stalls(false));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    const ::smmuv3::Ste s = r.ste(kSid);
    CHECK(r.cd(s).s);
    CHECK_FALSE(s.s1stalld);
}

TEST_CASE("smmuv3 driver stall: service_events answers each stalled event with CMD_RESUME Abort",
          "[iommufd][smmuv3-driver][stall]") {
    Rig r(stall_model(0));
    FakeSmmu& u = *r.unit;
    const uint64_t q = u.regs[reg::EVENTQ_BASE] & 0x000f'ffff'ffff'ffe0;
    // F_TRANSLATION (0x10) with Stall (dword 1 bit 31) and STAG 0x77 (15:0), StreamID
    // in dword 0 63:32; then one without Stall.
    r.mem.write_u64(q, 0x10 | uint64_t(kSid) << 32);
    r.mem.write_u64(q + 8, 1u << 31 | 0x77);
    r.mem.write_u64(q + 32, 0x10 | uint64_t(kSid) << 32);
    r.mem.write_u64(q + 40, 0);
    u.regs[reg::EVENTQ_PROD] = 2;
    const size_t mark = u.raw.size();
    r.driver->service_events();
    REQUIRE(u.raw.size() == mark + 1);  // the RESUME alone: no CMD_SYNC
    const auto [lo, hi] = u.raw[mark];
    CHECK((lo & 0xff) == 0x44);              // CMD_RESUME
    CHECK(((lo >> 12) & 3) == 2);            // Action: Abort (Linux CMDQ_RESUME_0_RESP_ABORT)
    CHECK((lo >> 32) == kSid);
    CHECK((hi & 0xffff) == 0x77);            // STAG
    CHECK(u.regs[reg::EVENTQ_CONS] == 2);
    CHECK(r.stat("stall.resumes") == 1);
    r.driver->service_events();  // nothing new: nothing sent
    CHECK(u.raw.size() == mark + 1);
}
