// The register page (§3.4) and the hardware plug-in (amdvi::hardware(): the contract
// `iommu-sim walk` uses).
#include <catch2/catch.hpp>

#include "models/amdvi/arch.h"
#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/params.h"
#include "tests/unit/amdvi/rig.h"

using namespace amdvi_rig;
namespace st = amdvi::status;
namespace ct = amdvi::ctrl;

TEST_CASE("amdvi mmio: registers read back what their fields keep", "[amdvi]") {
    Rig r;
    auto& u = *r.unit;
    u.write(reg::DEV_TABLE_BASE, 0xfff0'0012'3456'7fffull, 8);  // 63:52 and 11:9 are not fields
    CHECK(u.read(reg::DEV_TABLE_BASE, 8) == 0x0000'0012'3456'71ffull);
    u.write(reg::CMD_BUF_BASE, 0xf9f0'0000'0004'5fffull, 8);
    CHECK(u.read(reg::CMD_BUF_BASE, 8) == 0x0900'0000'0004'5000ull);
    u.write(reg::EVT_LOG_BASE, 0x0800'0000'0006'0000ull, 8);
    CHECK(u.read(reg::EVT_LOG_BASE, 8) == 0x0800'0000'0006'0000ull);
    u.write(reg::PPR_LOG_BASE, 0x0900'0000'0007'0000ull, 8);
    CHECK(u.read(reg::PPR_LOG_BASE, 8) == 0x0900'0000'0007'0000ull);
    u.write(reg::EXCL_BASE, 0x1234'5fffull, 8);
    CHECK(u.read(reg::EXCL_BASE, 8) == 0x1234'5003ull);
    u.write(reg::EXCL_LIMIT, 0x5678'9fffull, 8);
    CHECK(u.read(reg::EXCL_LIMIT, 8) == 0x5678'9000ull);
    u.write(reg::CMD_TAIL, 0xffff'ffffull, 8);
    CHECK(u.read(reg::CMD_TAIL, 8) == 0x7fff0);  // pointers: bits 18:4
    u.write(reg::EVT_HEAD, 0x123f, 8);
    CHECK(u.read(reg::EVT_HEAD, 8) == 0x1230);
    u.write(reg::PPR_HEAD, 0x40, 8);
    CHECK(u.read(reg::PPR_HEAD, 8) == 0x40);
    // Reserved and unmodelled offsets read 0 and ignore writes.
    u.write(0x0040, ~0ull, 8);
    CHECK(u.read(0x0040, 8) == 0);
    u.write(0x2028, ~0ull, 8);
    CHECK(u.read(0x2028, 8) == 0);
    // 4-byte accesses reach their half.
    u.write(reg::DEV_TABLE_BASE + 4, 0x0000'0001, 4);
    CHECK(u.read(reg::DEV_TABLE_BASE, 8) == 0x0000'0001'3456'71ffull);
    CHECK(u.read(reg::DEV_TABLE_BASE + 4, 4) == 1);
    CHECK(u.read(reg::DEV_TABLE_BASE, 4) == 0x3456'71ff);
}

TEST_CASE("amdvi mmio: EXT_FEATURE is strapped and read-only", "[amdvi]") {
    Rig r;
    const uint64_t efr = r.unit->read(reg::EXT_FEATURE, 8);
    CHECK(amdvi::efr::HATS.get(efr) == 2);
    CHECK(amdvi::efr::GT_SUP.get(efr) == 1);
    CHECK(amdvi::efr::PPR_SUP.get(efr) == 1);
    CHECK(amdvi::efr::PAS_MAX.get(efr) == 15);
    CHECK(amdvi::efr::GLX_SUP.get(efr) == 1);
    CHECK(((efr >> 49) & 1) == 1);  // HASup
    CHECK(((efr >> 52) & 1) == 1);  // HDSup
    r.unit->write(reg::EXT_FEATURE, 0, 8);
    CHECK(r.unit->read(reg::EXT_FEATURE, 8) == efr);
    r.unit->strap_efr(0x0000'0000'0000'0400ull);  // HATS 1: five levels
    CHECK(r.unit->features().max_host_levels() == 5);
}

// The Run bits follow the enables (with IommuEn); the interrupt and overflow bits
// are write-1-to-clear; the Run bits ignore writes.
TEST_CASE("amdvi mmio: STATUS Run bits follow CONTROL, W1C bits clear", "[amdvi]") {
    Rig r;
    auto& u = *r.unit;
    u.write(reg::CONTROL, ct::EVENT_LOG_EN | ct::CMD_BUF_EN | ct::PPR_LOG_EN, 8);
    CHECK(u.read(reg::STATUS, 8) == 0);  // IommuEn clear
    u.write(reg::CONTROL, ct::IOMMU_EN | ct::EVENT_LOG_EN | ct::CMD_BUF_EN | ct::PPR_LOG_EN, 8);
    CHECK(u.read(reg::STATUS, 8) == (st::EVENT_LOG_RUN | st::CMD_BUF_RUN | st::PPR_LOG_RUN));
    CHECK(u.read(reg::CONTROL, 8) == (ct::IOMMU_EN | ct::EVENT_LOG_EN | ct::CMD_BUF_EN | ct::PPR_LOG_EN));
    u.write(reg::STATUS, ~0ull, 8);
    CHECK(u.read(reg::STATUS, 8) == (st::EVENT_LOG_RUN | st::CMD_BUF_RUN | st::PPR_LOG_RUN));
    u.write(reg::CONTROL, ct::IOMMU_EN | ct::CMD_BUF_EN, 8);
    CHECK(u.read(reg::STATUS, 8) == st::CMD_BUF_RUN);
    // EVT_TAIL and CMD_HEAD are software's only while their log or buffer is stopped.
    u.write(reg::CMD_HEAD, 0x100, 8);
    CHECK(u.read(reg::CMD_HEAD, 8) == 0);
    u.write(reg::EVT_TAIL, 0x100, 8);
    CHECK(u.read(reg::EVT_TAIL, 8) == 0x100);
    // A W1C bit set by the hardware: EventOverflow, from a full log.
    DteFields f;
    f.tv = false;
    r.put_dte(1, f);
    r.unit->write(reg::DEV_TABLE_BASE, kDevTab, 8);
    r.unit->write(reg::EVT_LOG_BASE, kEvtLog | kEventLen8, 8);
    r.unit->write(reg::EVT_HEAD, 0x110, 8);
    u.write(reg::CONTROL, ct::IOMMU_EN | ct::EVENT_LOG_EN, 8);
    r.access(1, 0x1000);
    CHECK(u.read(reg::STATUS, 8) == st::EVENT_OVERFLOW);
    u.write(reg::STATUS + 4, ~0u, 4);  // the upper half: nothing there to clear
    CHECK(u.read(reg::STATUS, 8) == st::EVENT_OVERFLOW);
    u.write(reg::STATUS, st::EVENT_OVERFLOW, 4);
    CHECK(u.read(reg::STATUS, 8) == 0);
}

TEST_CASE("amdvi arch: the hardware plug-in reads [amdvi], straps the EFR, finds registers, enables",
          "[amdvi]") {
    const iommu::HardwareArch& arch = amdvi::hardware();
    CHECK(std::string(arch.title) == "AMD-Vi");
    sim::ParamSchema schema;
    arch.declare(schema);
    CHECK(schema.has("amdvi.hats"));
    CHECK(schema.has("amdvi.iotlb_sup"));
    CHECK(schema.has("amdvi.iotlb.sets"));
    CHECK(schema.has("amdvi.dte_cache.ways"));
    CHECK(schema.has("amdvi.pde_cache.replacement"));

    sim::Config cfg;
    cfg.set("amdvi.hats", "1");
    cfg.set("amdvi.gt_sup", "false");
    cfg.set("amdvi.iotlb.ways", "2");
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    auto unit = arch.make(*arch.read(cfg, 1), host);
    const uint64_t efr = unit->read(reg::EXT_FEATURE, 8);
    CHECK(amdvi::efr::HATS.get(efr) == 1);
    CHECK(amdvi::efr::GT_SUP.get(efr) == 0);
    CHECK(amdvi::efr::PPR_SUP.get(efr) == 1);

    CHECK(arch.find_register(*unit, "DEV_TABLE_BASE")->offset == 0x0000);
    CHECK(arch.find_register(*unit, "CONTROL")->offset == 0x0018);
    CHECK(arch.find_register(*unit, "EXT_FEATURE")->offset == 0x0030);
    CHECK(arch.find_register(*unit, "STATUS")->offset == 0x2020);
    CHECK(arch.find_register(*unit, "PPR_TAIL")->offset == 0x2038);
    CHECK(arch.find_register(*unit, "PPR_TAIL")->size == 8);
    CHECK_FALSE(arch.find_register(*unit, "GA_LOG_BASE"));
    CHECK(arch.strap(*unit, "EXT_FEATURE", 0x10));
    CHECK(unit->read(reg::EXT_FEATURE, 8) == 0x10);
    CHECK_FALSE(arch.strap(*unit, "CONTROL", 1));
    unit->write(reg::CONTROL, ct::COHERENT, 8);
    arch.enable(*unit);
    CHECK(unit->read(reg::CONTROL, 8) == (ct::COHERENT | ct::IOMMU_EN));
    CHECK(unit->walks_snoop());

    cfg.set("amdvi.gats", "1");  // GATS without GTSup
    CHECK_THROWS_AS(arch.read(cfg, 1), sim::InputError);
    sim::Config bad;
    bad.set("amdvi.hats", "3");
    CHECK_THROWS_AS(arch.read(bad, 1), sim::InputError);
}
