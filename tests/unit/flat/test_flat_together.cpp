// The FLAT driver programming the FLAT unit: written apart from the same spec, they
// meet here. A fixed-seed random run of maps and unmaps through the driver's domain,
// after which the unit translates exactly the live mappings.
#include <catch2/catch.hpp>

#include <map>

#include <nlohmann/json.hpp>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/rng.h"
#include "tests/support/flat/flat_driver.h"
#include "tests/support/flat/flat_unit.h"
#include "platforms/machine.h"
#include "tests/support/requests.h"

using iommufd::Errno;

namespace {

constexpr uint16_t kSid = 0x0310;

struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, uint64_t(1) << 34};
    flat::Unit unit{params(), host};
    platform::StoreMachine machine{unit, mem};
    iommufd::FrameAllocator pages{0x1000'0000, 0x4000'0000};
    flat_driver::Driver driver{machine, pages, flat_driver::DriverParams{}};
    std::unique_ptr<iommufd::DeviceOps> dev;
    std::unique_ptr<iommufd::Domain> dom;

    static flat::UnitParams params() {
        flat::UnitParams p;
        p.cap = 0x30324;  // IOVA_BITS 36, 4 fault records, SC, COH
        p.iotlb = {8, 2, "lru"};  // small, so that evictions happen too
        return p;
    }
    Rig() {
        REQUIRE(driver.probe() == Errno::Ok);
        dev = driver.device(kSid, {});
        REQUIRE(dev->alloc_domain(0, dom) == Errno::Ok);
        REQUIRE(dev->attach(*dom) == Errno::Ok);
    }
    iommu::Result access(uint64_t iova, bool write) {
        return unit.translate(testutil::dma(kSid, iova, write));
    }
    uint64_t stat(const std::string& name) {
        nlohmann::json j;
        static_cast<const sim::StatGroup&>(unit).write(j, "u");
        return j.at("u." + name).get<uint64_t>();
    }
};

struct Mapping {
    uint64_t pa;
    unsigned prot;
};

// Every page of the window, read and written, answers as `live` says.
void check_window(Rig& rig, uint64_t base, uint64_t pages, const std::map<uint64_t, Mapping>& live) {
    for (uint64_t p = 0; p < pages; ++p) {
        const uint64_t iova = base + (p << 12) + 0x18;
        auto it = live.find(iova >> 12);
        for (const bool write : {false, true}) {
            CAPTURE(iova, write);
            const auto r = rig.access(iova, write);
            if (it == live.end()) {
                CHECK(r.fault);
                CHECK(r.reason == 3);
                continue;
            }
            const bool allowed = it->second.prot & (write ? iommufd::kWrite : iommufd::kRead);
            CHECK(r.fault == !allowed);
            if (allowed) CHECK(r.pa == it->second.pa + 0x18);
            else CHECK(r.reason == (write ? 4u : 5u));
        }
    }
}

}  // namespace

TEST_CASE("flat together: random maps and unmaps, the unit translates the live set") {
    Rig rig;
    sim::Rng rng(20261202, "flat.together");
    const uint64_t base = uint64_t(0x9) << 32;  // near the top of 36 bits
    const uint64_t pages = 64;
    std::map<uint64_t, Mapping> live;  // page number -> mapping
    for (int step = 0; step < 600; ++step) {
        const uint64_t page = (base >> 12) + rng.uniform(pages);
        if (rng.uniform(3) != 0) {
            const Mapping m{(0x2'0000 + rng.uniform(1 << 20)) << 12, unsigned(1 + rng.uniform(3))};
            const Errno e = rig.dom->map(page << 12, m.pa, 4096, m.prot);
            CHECK(e == (live.count(page) ? Errno::Exist : Errno::Ok));
            if (e == Errno::Ok) live[page] = m;
        } else {
            const uint64_t n = 1 + rng.uniform(rng.uniform(4) ? 3 : 24);  // some beyond 16 pages
            rig.dom->unmap(page << 12, n << 12);
            for (uint64_t p = page; p < page + n; ++p) live.erase(p);
        }
        // A few touches each step keep the caches full of what may go stale.
        for (int t = 0; t < 4; ++t) rig.access(base + (rng.uniform(pages) << 12), rng.uniform(2));
        if (step % 50 == 49) check_window(rig, base, pages, live);
    }
    check_window(rig, base, pages, live);
    CHECK(rig.stat("inv.page") > 0);
    CHECK(rig.stat("inv.domain") > 0);
    CHECK(rig.stat("iotlb.hits") > 0);
    CHECK(rig.stat("iotlb.evictions") > 0);
}

TEST_CASE("flat together: deferred unmaps stay visible until flush_all") {
    Rig rig;
    REQUIRE(rig.dom->map(0x4000, 0x8000'0000, 4096, iommufd::kRead) == Errno::Ok);
    REQUIRE(rig.access(0x4000, false).pa == 0x8000'0000);
    rig.dom->unmap_deferred(0x4000, 4096);
    CHECK(rig.access(0x4000, false).pa == 0x8000'0000);  // the IOTLB still has it
    rig.dom->flush_all();
    const auto r = rig.access(0x4000, false);
    CHECK(r.fault);
    CHECK(r.reason == 3);
}

TEST_CASE("flat together: attach, replace and detach reach the unit") {
    Rig rig;
    REQUIRE(rig.dom->map(0x4000, 0x8000'0000, 4096, iommufd::kRead) == Errno::Ok);
    REQUIRE(rig.access(0x4000, false).pa == 0x8000'0000);
    std::unique_ptr<iommufd::Domain> other;
    REQUIRE(rig.dev->alloc_domain(0, other) == Errno::Ok);
    REQUIRE(other->map(0x4000, 0x9000'0000, 4096, iommufd::kRead) == Errno::Ok);
    REQUIRE(rig.dev->attach(*other) == Errno::Ok);
    CHECK(rig.access(0x4000, false).pa == 0x9000'0000);
    rig.dev->detach();
    const auto r = rig.access(0x4000, false);
    CHECK(r.fault);
    CHECK(r.reason == 7);
    CHECK(rig.access(uint64_t(1) << 36, false).reason == 7);  // blocked before range
}
