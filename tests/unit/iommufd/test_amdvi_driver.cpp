// The mapping engine's AMD-Vi driver against a fake register file (amdvi_driver_rig.h):
// probe, its refusals, DomainIDs, hw_info, reserved regions, the plug-in's parameters.
#include <catch2/catch.hpp>

#include "models/iommufd/drivers/amdvi/arch.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "tests/unit/iommufd/amdvi_driver_rig.h"

using namespace amdvi_rig;

namespace {
// The CONTROL values written, in order.
std::vector<uint64_t> control_writes(const FakeAmdvi& u) {
    std::vector<uint64_t> v;
    for (const auto& w : u.writes)
        if (w.first == CONTROL) v.push_back(w.second);
    return v;
}
}  // namespace

TEST_CASE("amdvi driver: probe programs the device table, command buffer and logs, then "
          "IommuEn, in Linux's order", "[iommufd][amdvi-driver]") {
    Rig r;
    REQUIRE(r.probed == Errno::Ok);
    FakeAmdvi& u = *r.unit;
    // Device table: 0x200 DeviceIDs of 32 bytes = 16 KiB: Size = 4 pages - 1.
    CHECK(field(u.regs[DEV_TABLE_BASE], 0, 9) == 3);
    CHECK((u.regs[DEV_TABLE_BASE] & ~uint64_t(0xfff)) % 0x4000 == 0);  // naturally aligned
    // Command buffer and logs of 512 entries: length field 9 in bits 59:56.
    for (uint32_t reg : {CMD_BUF_BASE, EVT_LOG_BASE, PPR_LOG_BASE}) {
        CHECK(field(u.regs[reg], 56, 4) == 9);
        CHECK(field(u.regs[reg], 12, 40) != 0);
    }
    // The enables that stay, and ComWaitIntEn, which Linux never sets (it polls).
    const uint64_t ctl = u.regs[CONTROL];
    for (uint64_t b : {IommuEn, EventLogEn, EventIntEn, Coherent, CmdBufEn, PPRLogEn, PPRIntEn, PPREn, GTEn})
        CHECK((ctl & b) == b);
    CHECK_FALSE(ctl & ComWaitIntEn);
    CHECK(field(ctl, 5, 3) == 4);  // InvTimeout 1 s
    // Every CONTROL change is a read-modify-write of one bit: the first ones clear the
    // enables, then Coherent, CmdBufEn, EventLogEn, GTEn, IommuEn; the PPR log and the
    // event interrupt come after IommuEn.
    const std::vector<uint64_t> c = control_writes(u);
    REQUIRE(c.size() >= 10);
    for (size_t i = 0; i < 6; ++i) CHECK((c[i] & (IommuEn | CmdBufEn | EventLogEn | EventIntEn)) == 0);
    const size_t iommu_en = u.first_write(CONTROL, IommuEn);
    CHECK(u.first_write(DEV_TABLE_BASE) < iommu_en);
    CHECK(u.first_write(CMD_BUF_BASE) < u.first_write(CONTROL, CmdBufEn));
    CHECK(u.first_write(CMD_HEAD) < u.first_write(CONTROL, CmdBufEn));
    CHECK(u.first_write(CONTROL, CmdBufEn) < iommu_en);
    CHECK(u.first_write(EVT_LOG_BASE) < u.first_write(CONTROL, EventLogEn));
    CHECK(u.first_write(CONTROL, EventLogEn) < iommu_en);
    CHECK(u.first_write(CONTROL, GTEn) < iommu_en);
    CHECK(iommu_en < u.first_write(CMD_TAIL, 0x10));  // the first command after IommuEn
    CHECK(iommu_en < u.first_write(PPR_LOG_BASE));
    CHECK(u.first_write(CONTROL, PPREn) < u.first_write(PPR_LOG_BASE));
    CHECK(u.first_write(PPR_LOG_BASE) < u.first_write(CONTROL, PPRLogEn));
    CHECK(iommu_en < u.first_write(CONTROL, EventIntEn));
    // INVALIDATE_IOMMU_ALL (EFR.IASup) and a COMPLETION_WAIT whose store was polled.
    CHECK(u.ops() == std::vector<unsigned>{INV_ALL, COMPLETION_WAIT});
    CHECK(r.stat("waits") == 1);
    CHECK(r.stat("wait_timeouts") == 0);
    CHECK(r.driver->coherent());
    // Every DTE starts V=1 TV=1 with no rights: DMA blocked until a domain is attached.
    for (uint16_t devid : {0, 0x108, 0x1ff}) {
        const Dte d = r.dte(devid);
        CHECK(d.v());
        CHECK(d.tv());
        CHECK(d.mode() == 0);
        CHECK_FALSE(d.ir());
        CHECK_FALSE(d.iw());
    }
}

TEST_CASE("amdvi driver: the device table covers the 16-bit DeviceID space by default, "
          "Size 511", "[iommufd][amdvi-driver]") {
    Rig r(kEfr, drv::DriverParams());
    REQUIRE(r.probed == Errno::Ok);
    CHECK(field(r.unit->regs[DEV_TABLE_BASE], 0, 9) == 0x1ff);  // 2 MiB: 512 pages
    CHECK(r.dte(0xffff).v());
    CHECK(r.dte(0xffff).tv());
}

TEST_CASE("amdvi driver: without EFR.IASup probe invalidates every DTE and every DomainID "
          "up to the last DeviceID", "[iommufd][amdvi-driver]") {
    drv::DriverParams p;
    p.last_devid = 15;
    Rig r(PPRSup, p);
    REQUIRE(r.probed == Errno::Ok);
    const auto& cmds = r.unit->cmds;
    REQUIRE(cmds.size() == 16 + 1 + 16 + 1);
    for (unsigned i = 0; i < 16; ++i) {
        CHECK(cmds[i].op() == INV_DEVTAB);
        CHECK(cmds[i].devid() == i);
        CHECK(cmds[17 + i].op() == INV_PAGES);
        CHECK(cmds[17 + i].domid() == i);
        CHECK(cmds[17 + i].pde());
        CHECK(inv_range(cmds[17 + i]).bytes == 0);  // every page
    }
    CHECK(cmds[16].op() == COMPLETION_WAIT);
    CHECK(cmds[33].op() == COMPLETION_WAIT);
    CHECK_FALSE(r.unit->regs[CONTROL] & GTEn);  // no GTSup
}

TEST_CASE("amdvi driver: probe refuses host tables deeper than EFR.HATS and a reserved "
          "HATS, naming the unit's strap", "[iommufd][amdvi-driver]") {
    SECTION("HATS 11b") {
        Rig r(kEfr | hats(3));
        CHECK(r.probed == Errno::OpNotSupp);
        CHECK(r.driver->probe_failure().key.empty());
        CHECK(r.driver->probe_failure().unit_key == "amdvi.hats");
        CHECK(r.unit->first_write(CONTROL, IommuEn) == r.unit->writes.size());
    }
    SECTION("five levels asked of a four-level unit") {
        drv::DriverParams p = Rig::small();
        p.levels = 5;
        Rig r(kEfr, p);
        CHECK(r.probed == Errno::OpNotSupp);
        CHECK(r.driver->probe_failure().key == "levels");
        CHECK(r.driver->probe_failure().unit_key == "amdvi.hats");
        CHECK_FALSE(r.driver->probe_failure().reason.empty());
        CHECK(r.unit->writes.empty());
    }
    SECTION("five levels on a unit with HATS 01b") {
        drv::DriverParams p = Rig::small();
        p.levels = 5;
        Rig r(kEfr | hats(1), p);
        CHECK(r.probed == Errno::Ok);
    }
}

TEST_CASE("amdvi driver: DomainIDs from 1 (the identity domain's first), reused when freed, "
          "flags are refused", "[iommufd][amdvi-driver]") {
    Rig r;
    CHECK(r.driver->identity_domid() == 1);
    std::unique_ptr<Domain> a, b, c;
    REQUIRE(r.driver->alloc_domain(0, a) == Errno::Ok);
    REQUIRE(r.driver->alloc_domain(0, b) == Errno::Ok);
    CHECK(static_cast<drv::AmdviDomain&>(*a).domid() == 2);
    CHECK(static_cast<drv::AmdviDomain&>(*b).domid() == 3);
    a.reset();
    REQUIRE(r.driver->alloc_domain(0, c) == Errno::Ok);
    CHECK(static_cast<drv::AmdviDomain&>(*c).domid() == 2);
    std::unique_ptr<Domain> d;
    CHECK(r.driver->alloc_domain(kHwptDirtyTracking, d) == Errno::OpNotSupp);
    CHECK(r.driver->alloc_domain(kHwptNestParent, d) == Errno::OpNotSupp);
}

TEST_CASE("amdvi driver: hw_info is IOMMU_HW_INFO_TYPE_AMD with EFR and EFR2, the x86 MSI "
          "window is reserved, coherency can be enforced", "[iommufd][amdvi-driver]") {
    Rig r;
    const HwInfo h = r.driver->hw_info();
    CHECK(h.type == 4);
    REQUIRE(h.data.size() == 2);
    CHECK(h.data[0] == std::make_pair(std::string("efr"), kEfr));
    CHECK(h.data[1].first == "efr2");
    CHECK(h.capabilities == 0);
    auto ops = r.driver->device(kDev, {});
    const auto resv = ops->reserved_regions();
    REQUIRE(resv.size() == 1);
    CHECK(resv[0].start == 0xfee0'0000);
    CHECK(resv[0].last == 0xfeef'ffff);
    CHECK(ops->can_enforce_cache_coherency());
}

TEST_CASE("amdvi driver: the plug-in reads [iommufd.amdvi]", "[iommufd][amdvi-driver]") {
    const DriverArch& arch = drv::driver_arch();
    sim::ParamSchema schema;
    arch.declare(schema, "iommufd.amdvi");
    for (const char* k : {"levels", "last_devid", "iotlb_sup", "mmio_ns", "table_write_ns", "command_ns", "wait_ns"})
        CHECK(schema.has(std::string("iommufd.amdvi.") + k));
    sim::Config cfg;
    cfg.set("iommufd.amdvi.mmio_ns", "7");
    cfg.set("iommufd.amdvi.last_devid", "0xff");
    memory::SparseMemory mem;
    FakeAmdvi unit(mem, kEfr);
    FrameAllocator pages{0x1000'0000, 0x1000'0000};
    auto driver = arch.make(unit, pages, *arch.read(cfg, "iommufd.amdvi"));
    CHECK(driver->mmio_ns() == 7);
    REQUIRE(driver->probe() == Errno::Ok);
    CHECK(field(unit.regs[DEV_TABLE_BASE], 0, 9) == 1);  // 256 DTEs: 8 KiB
    const DriverCost c = driver->spent();
    CHECK(c.descriptors == 2);  // INVALIDATE_IOMMU_ALL, COMPLETION_WAIT
    CHECK(c.waits == 1);
    CHECK(c.table_writes == 256);
    CHECK(c.cpu_ns > c.queue_ns);
    CHECK(c.queue_ns >= 2 * 7);  // two doorbells at least
}
