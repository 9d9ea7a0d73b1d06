// Command processing takes time, for every architecture: the unit counts the cycles
// its command or invalidation queue takes ([smmuv3.cmdq] / [vtd.iq]: a fetch per 16
// bytes and an execution by kind), and the driver's completion wait keeps the host
// CPU until the unit is through the batch (iommufd::CompletionWait), never less than
// the driver's poll cost. Real units behind a StoreMachine, their real drivers.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/iommu/host_memory.h"
#include "models/iommufd/domain.h"
#include "models/iommufd/pages.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "platforms/archs.h"
#include "platforms/iommu_config.h"
#include "platforms/machine.h"

using iommufd::Errno;

namespace {

constexpr uint16_t kSid = 0x10;
constexpr uint64_t kIova = 0x100'0000, kPa = 0x8000'0000, kPage = 4096;

// One architecture's unit and driver, with configuration `sets` on top of defaults.
struct World {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, uint64_t(1) << 33};
    std::unique_ptr<iommu::Unit> unit;
    std::unique_ptr<platform::StoreMachine> machine;
    iommufd::FrameAllocator pages{0x1000'0000, 0x1000'0000};
    std::unique_ptr<iommufd::Driver> driver;
    std::unique_ptr<iommufd::DeviceOps> dev;
    std::unique_ptr<iommufd::Domain> domain;

    World(const std::string& arch, const std::vector<std::pair<std::string, std::string>>& sets) {
        sim::Config cfg;
        for (const auto& [k, v] : sets) cfg.set(k, v);
        sim::ParamSchema schema;
        platform::declare_archs(schema);
        schema.check_known(cfg);
        const platform::ArchConfig a = platform::read_arch(cfg, arch, 1);
        unit = a.arch->hardware->make(*a.unit, host);
        machine = std::make_unique<platform::StoreMachine>(*unit, mem);
        driver = a.arch->driver->make(*machine, pages, *a.driver);
        REQUIRE(driver->probe() == Errno::Ok);
        dev = driver->device(kSid, {});
        REQUIRE(dev->alloc_domain(0, domain) == Errno::Ok);
        REQUIRE(dev->attach(*domain) == Errno::Ok);
        for (uint64_t i = 0; i < 64; ++i) REQUIRE(domain->map(kIova + i * kPage, kPa + i * kPage, kPage, 3) == Errno::Ok);
    }
    // One strict unmap of pages first..first+n-1 (one wait); what it cost and took.
    std::pair<iommufd::DriverCost, uint64_t> unmap(uint64_t first, uint64_t n) {
        const iommufd::DriverCost before = driver->spent();
        const uint64_t cycles = unit->command_cycles();
        domain->unmap(kIova + first * kPage, n * kPage);
        return {driver->spent() - before, unit->command_cycles() - cycles};
    }
};

}  // namespace

// The driver's register and queue-entry costs set to 0, so a unmap's queue time is
// its completion wait alone: the 500 ns poll floor, or the unit's time when longer.
std::vector<std::pair<std::string, std::string>> wait_only(const std::string& arch) {
    const std::string d = "iommufd." + arch + ".";
    return {{d + "mmio_ns", "0"}, {d + (arch == "vtd" ? "descriptor_ns" : "command_ns"), "0"}, {d + "wait_ns", "500"}};
}

// A unit whose TLB invalidations take 4000 cycles more: the same unmap's wait holds
// the CPU that much longer (1 GHz: 1 ns a cycle), on every architecture.
TEST_CASE("command time: the driver's wait lasts the unit's processing time", "[platform]") {
    for (const std::string arch : {"vtd", "smmuv3"}) {
        INFO(arch);
        auto sets = wait_only(arch);
        World quick(arch, sets);
        sets.push_back({(arch == "vtd" ? "vtd.iq" : "smmuv3.cmdq") + std::string(".tlb_cycles"), "4016"});
        World slow(arch, sets);
        const auto [q, q_cycles] = quick.unmap(0, 1);
        const auto [s, s_cycles] = slow.unmap(0, 1);
        REQUIRE(q.waits == 1);
        REQUIRE(q.descriptors == 2);  // one TLB invalidation, one completion wait
        CHECK(q_cycles == 20 + 16 + 20 + 8);  // defaults: fetch + execute, each
        CHECK(s_cycles == q_cycles + 4000);
        CHECK(q.queue_ns == Approx(500));  // the poll floor
        CHECK(s.queue_ns == Approx(double(s_cycles)));
        CHECK(s.cpu_ns - q.cpu_ns == Approx(s.queue_ns - q.queue_ns));
    }
}

// SMMUv3 without range invalidation: one TLBI_NH_VA per page, then one CMD_SYNC. A
// batch of N commands costs N times one, and the wait after 32 pages outlasts both
// the poll floor and the wait after one page.
TEST_CASE("command time: a longer SMMUv3 batch takes longer to wait for", "[platform]") {
    auto sets = wait_only("smmuv3");
    sets.push_back({"smmuv3.ril", "false"});
    World w("smmuv3", sets);
    const auto [one, one_cycles] = w.unmap(0, 1);
    const auto [many, many_cycles] = w.unmap(1, 32);
    REQUIRE(one.descriptors == 2);
    REQUIRE(many.descriptors == 33);
    const uint64_t tlbi = 20 + 16, sync = 20 + 8;
    CHECK(one_cycles == tlbi + sync);
    CHECK(many_cycles == 32 * tlbi + sync);
    CHECK(one.queue_ns == Approx(500));
    CHECK(many.queue_ns == Approx(double(many_cycles)));
    CHECK(many.queue_ns > one.queue_ns);
}
