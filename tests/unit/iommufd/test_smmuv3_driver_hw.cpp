// The SMMUv3 driver programming the hardware model (models/smmuv3's SmmuUnit) through
// its registers: DMA translates through what the driver wrote, stage 2 included, and
// the faults it takes come back to the driver as event records it counts.
#include <catch2/catch.hpp>

#include <memory>
#include <nlohmann/json.hpp>

#include "models/iommu/host_memory.h"
#include "models/iommufd/drivers/smmuv3/smmu_domain.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"
#include "models/memory/sparse_memory.h"
#include "models/smmuv3/event.h"
#include "models/smmuv3/smmu_unit.h"
#include "models/smmuv3/straps.h"
#include "tests/support/requests.h"

using namespace iommufd;
namespace drv = iommufd::smmuv3;

namespace {

constexpr uint16_t kSid = 0x0108;

// The CPU's view: the unit's registers, memory written straight through.
struct UnitMachine : Machine {
    ::smmuv3::SmmuUnit& unit;
    memory::SparseMemory& mem;
    UnitMachine(::smmuv3::SmmuUnit& u, memory::SparseMemory& m) : unit(u), mem(m) {}
    uint64_t read_reg(uint32_t off, unsigned size) override { return unit.read(off, size); }
    void write_reg(uint32_t off, uint64_t v, unsigned size) override { unit.write(off, v, size); }
    uint64_t read64(uint64_t pa) override { return mem.read_u64(pa); }
    void write64(uint64_t pa, uint64_t v) override { mem.write_u64(pa, v); }
    void flush(uint64_t, uint64_t) override {}
};

struct HwRig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, uint64_t(1) << 32};
    std::unique_ptr<::smmuv3::SmmuUnit> unit;
    std::unique_ptr<UnitMachine> machine;
    FrameAllocator pages{0x1000'0000, 0x1000'0000};
    std::unique_ptr<drv::Driver> driver;
    std::unique_ptr<Domain> d;

    // A unit with `caps`, the driver probed, a paging domain (flags `hwpt`) attached to kSid.
    explicit HwRig(::smmuv3::Caps caps, uint32_t hwpt = 0) {
        unit = std::make_unique<::smmuv3::SmmuUnit>(caps, ::smmuv3::UnitParams{}, host);
        machine = std::make_unique<UnitMachine>(*unit, mem);
        driver = std::make_unique<drv::Driver>(*machine, pages, drv::DriverParams{});
        REQUIRE(driver->probe() == Errno::Ok);
        REQUIRE(driver->alloc_domain(hwpt, d) == Errno::Ok);
        REQUIRE(driver->attach(*d, kSid) == Errno::Ok);
    }
    iommu::Result dma(uint64_t iova, bool write) { return unit->translate(testutil::dma(kSid, iova, write)); }
    uint64_t stat(const std::string& key) {
        nlohmann::json j;
        driver->write(j, "d");
        return j.contains("d." + key) ? j.at("d." + key).get<uint64_t>() : 0;
    }
};

::smmuv3::Caps stage2_only() {
    ::smmuv3::Caps c = ::smmuv3::Straps::typical();
    c.s1p = false;
    return c;
}

}  // namespace

TEST_CASE("smmuv3 driver on the hardware model: a stage-2-only unit translates the driver's "
          "stage-2 domain exactly, and a strict unmap stops a cached translation at once",
          "[iommufd][smmuv3-driver]") {
    HwRig r(stage2_only());
    const auto& sd = dynamic_cast<const drv::SmmuDomain&>(*r.d);
    CHECK(sd.stage() == drv::SmmuDomain::Stage::S2);
    REQUIRE(r.d->map(0x10'0000, 0x8000'0000, 4096, kRead) == Errno::Ok);
    REQUIRE(r.d->map(0x20'0000, 0x4020'0000, 1u << 21, kRead | kWrite) == Errno::Ok);
    iommu::Result res = r.dma(0x10'0abc, false);
    INFO(r.unit->fault_text(res.reason));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x8000'0abc);
    res = r.dma(0x3f'fff8, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x403f'fff8);
    CHECK(r.dma(0x10'0abc, true).reason == ::smmuv3::event::F_PERMISSION);
    CHECK(r.dma(0x10'0abc, false).pa == 0x8000'0abc);  // cached now
    r.d->unmap(0x10'0000, 4096);
    CHECK(r.dma(0x10'0abc, false).reason == ::smmuv3::event::F_TRANSLATION);
    CHECK(r.dma(0x20'0010, false).pa == 0x4020'0010);  // the block stays
    CHECK(r.dma(0x20'0010, false).pa == 0x4020'0010);
    r.d->unmap_deferred(0x20'0000, 1u << 21);
    CHECK(r.dma(0x20'0010, false).pa == 0x4020'0010);  // stale until the flush
    r.d->flush_all();
    CHECK(r.dma(0x20'0010, false).fault);
    CHECK(r.stat("sync_timeouts") == 0);
}

TEST_CASE("smmuv3 driver on the hardware model: faulting DMA comes back as event records "
          "the driver counts by event ID at its next operation", "[iommufd][smmuv3-driver]") {
    for (const bool s2 : {false, true}) {
        INFO(s2);
        HwRig r(::smmuv3::Straps::typical(), s2 ? uint32_t(kHwptNestParent) : 0u);
        REQUIRE(r.d->map(0x10'0000, 0x8000'0000, 4096, kRead) == Errno::Ok);
        CHECK(r.dma(0x40'0000, false).fault);  // unmapped
        CHECK(r.dma(0x40'1000, true).fault);
        CHECK(r.dma(0x10'0000, true).fault);   // read-only
        CHECK(r.stat("events.0x10") == 0);     // not read yet
        REQUIRE(r.d->map(0x11'0000, 0x8001'0000, 4096, kRead) == Errno::Ok);
        CHECK(r.stat("events.0x10") == 2);
        CHECK(r.stat("events.0x13") == 1);
        CHECK(r.stat("events.overflows") == 0);
    }
}

TEST_CASE("smmuv3 driver on the hardware model: a fault storm overflows the event queue, the "
          "driver acknowledges it and the unit records again", "[iommufd][smmuv3-driver]") {
    HwRig r(::smmuv3::Straps::typical());
    for (uint64_t i = 0; i < 200; ++i) CHECK(r.dma(0x40'0000 + i * 4096, false).fault);
    r.driver->drain_events();
    CHECK(r.stat("events.0x10") == 128);  // the queue's 128 records; the rest were lost
    CHECK(r.stat("events.overflows") == 1);
    CHECK(r.dma(0x40'0000, false).fault);
    r.driver->drain_events();
    CHECK(r.stat("events.0x10") == 129);
    CHECK(r.stat("events.overflows") == 1);
}

TEST_CASE("smmuv3 driver on the model: with ATS and PRI the unit takes the driver's STE, "
          "CMD_ATC_INV and PRI queue without a command error",
          "[iommufd][smmuv3-driver][ats]") {
    ::smmuv3::Caps caps = ::smmuv3::Straps::typical();
    caps.ats = caps.pri = true;
    HwRig r(caps);
    REQUIRE(r.driver->ats());
    REQUIRE(r.driver->pri());
    int enables = 0;
    EndpointCaps ep;
    ep.ats = ep.pri = true;
    ep.enable_ats = [&](bool on) { enables += on ? 1 : -1; };
    auto ops = r.driver->device(kSid, ep);
    REQUIRE(ops->attach(*r.d) == Errno::Ok);
    CHECK(enables == 1);
    REQUIRE(r.d->map(0x40'0000, 0x8000'0000, 0x1000, kRead | kWrite) == Errno::Ok);
    CHECK_FALSE(r.dma(0x40'0010, true).fault);
    r.d->unmap(0x40'0000, 0x1000);
    CHECK(r.dma(0x40'0010, true).fault);
    r.d->flush_all();
    r.driver->service_page_requests();  // an empty queue: nothing to answer
    CHECK((r.unit->read(0x9c, 4) & (0x7fu << 24)) == 0);  // CMDQ_CONS.ERR
    CHECK(r.stat("sync_timeouts") == 0);
    CHECK(r.stat("pri.responses") == 0);
    ops->detach();
    CHECK(enables == 0);
}
