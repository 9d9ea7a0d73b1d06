// The mapping engine's VT-d driver against the VT-d hardware model: what the driver
// writes (tables, registers, queued invalidations) is what the unit translates. The
// two were written separately from the specification; this is where they meet.
#include <catch2/catch.hpp>


#include <nlohmann/json.hpp>

#include "models/iommufd/context.h"
#include "models/iommufd/drivers/vtd/vtd_driver.h"
#include "tests/unit/iommufd/one_device_engine.h"
#include "models/memory/sparse_memory.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "models/vtd/scalable_walker.h"
#include "models/iommu/host_memory.h"
#include "platforms/machine.h"
#include "tests/support/requests.h"

using namespace iommufd;
namespace drv = iommufd::vtd;  // the driver; ::vtd is the hardware model

namespace {

constexpr uint16_t kSid = 0x0108;  // bus 1, device 1

struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    ::vtd::Capabilities caps;
    std::unique_ptr<::vtd::RemappingUnit> unit;
    std::unique_ptr<platform::StoreMachine> machine;  // the CPU: registers, memory straight through
    FrameAllocator table_pages{0x1000'0000, 0x1000'0000};
    std::unique_ptr<drv::Driver> driver;

    // Legacy mode, or scalable mode (ECAP.SMTS, with second-level A/D and nesting);
    // pass-through as ECAP.PT says.
    explicit Rig(bool sc = true, bool scalable = false, bool pt = true) {
        caps.sc = sc;
        caps.pt = pt;
        caps.smts = caps.ssads = caps.nest = scalable;
        unit = std::make_unique<::vtd::RemappingUnit>(caps, ::vtd::UnitParams{}, host);
        machine = std::make_unique<platform::StoreMachine>(*unit, mem);
        driver = std::make_unique<drv::Driver>(*machine, table_pages, drv::DriverParams{});
        REQUIRE(driver->probe() == Errno::Ok);
    }
    iommu::Result access(uint64_t iova, bool write, bool no_snoop = false) {
        iommu::Request r = testutil::dma(kSid, iova, write);
        r.no_snoop = no_snoop;
        return unit->translate(r);
    }
    uint64_t stat(const char* name) {
        nlohmann::json j;
        driver->write(j, "d");
        return j.at(std::string("d.") + name).get<uint64_t>();
    }
};

// iommufd over the rig's driver: the device kSid bound to a context.
struct Engine : OneDeviceEngine {
    explicit Engine(Rig& r, std::vector<IovaRange> reserved = {})
        : OneDeviceEngine(r.driver->device(kSid, {}), &reserved) {}
};

}  // namespace

TEST_CASE("VT-d driver: probe enables the root table, queued invalidation and translation",
          "[iommufd][vtd-driver]") {
    const bool scalable = GENERATE(false, true);
    INFO((scalable ? "scalable mode" : "legacy mode"));
    Rig r(true, scalable);
    const uint32_t gsts = uint32_t(r.unit->read(::vtd::reg::GSTS, 4));
    CHECK(gsts & ::vtd::gcmd::TE);
    CHECK(gsts & ::vtd::gcmd::QIE);
    CHECK(gsts & ::vtd::gcmd::SRTP);
    CHECK(r.unit->ttm() == (scalable ? 1 : 0));
    CHECK(r.driver->scalable() == scalable);
    CHECK((r.unit->read(::vtd::reg::FSTS, 4) & ::vtd::fsts::IQE) == 0);
    // No context yet: the unit faults (root entry not present).
    CHECK(r.access(0x1000, false).reason ==
          (scalable ? ::vtd::sm_fault::SRT_NOT_PRESENT : ::vtd::fault::ROOT_NOT_PRESENT));
}

TEST_CASE("VT-d driver: mapped pages translate with their rights, unmapped ones fault at once",
          "[iommufd][vtd-driver]") {
    const bool scalable = GENERATE(false, true);
    INFO((scalable ? "scalable mode" : "legacy mode"));
    Rig r(true, scalable);
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 4096, kRead) == Errno::Ok);
    REQUIRE(d->map(0x10'1000, 0x8000'5000, 4096, kRead | kWrite) == Errno::Ok);
    CHECK(d->map(0x10'1000, 0x8000'6000, 4096, kRead) == Errno::Exist);
    iommu::Result res = r.access(0x10'0123, false);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x8000'0123);
    CHECK(r.access(0x10'0000, true).reason == (scalable ? ::vtd::sm_fault::SGN_WRITE : ::vtd::fault::WRITE));
    CHECK(r.access(0x10'1008, true).pa == 0x8000'5008);
    // The IOTLB now holds both; strict unmap invalidates before it returns.
    const uint64_t descriptors = r.stat("descriptors");
    d->unmap(0x10'1000, 4096);
    CHECK(r.stat("descriptors") == descriptors + 2);  // page-selective IOTLB, wait
    CHECK(r.access(0x10'1008, true).fault);
    CHECK_FALSE(r.access(0x10'0000, false).fault);  // its neighbour stays
    CHECK(r.stat("cpu_ns") > 0);
}

TEST_CASE("VT-d driver: 2 MiB leaves where SLLPS allows, snoop control where SC allows",
          "[iommufd][vtd-driver]") {
    const bool scalable = GENERATE(false, true);
    INFO((scalable ? "scalable mode" : "legacy mode"));
    Rig r(true, scalable);
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    CHECK(r.driver->can_enforce_cache_coherency());
    REQUIRE(d->enforce_cache_coherency());
    CHECK(d->page_sizes() == (4096 | (1u << 21) | (1u << 30)));
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    REQUIRE(d->map(0x20'0000, 0x4000'0000, 1u << 21, kRead | kWrite) == Errno::Ok);
    const iommu::Result res = r.access(0x21'2345, false, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.page_size == (1u << 21));
    CHECK(res.pa == 0x4001'2345);
    CHECK(res.snoop);  // SNP: snooped despite No Snoop
    // Too late once a domain holds mappings; impossible without snoop control.
    std::unique_ptr<Domain> late;
    REQUIRE(r.driver->alloc_domain(0, late) == Errno::Ok);
    REQUIRE(late->map(0x1000, 0x5000, 4096, kRead) == Errno::Ok);
    CHECK_FALSE(late->enforce_cache_coherency());
    Rig no_sc(false, scalable);
    std::unique_ptr<Domain> d2;
    REQUIRE(no_sc.driver->alloc_domain(0, d2) == Errno::Ok);
    CHECK_FALSE(no_sc.driver->can_enforce_cache_coherency());
    CHECK_FALSE(d2->enforce_cache_coherency());
    // Nesting and dirty tracking need scalable mode (and ECAP.NEST, ECAP.SLADS).
    const Errno want = scalable ? Errno::Ok : Errno::OpNotSupp;
    CHECK(r.driver->alloc_domain(kHwptNestParent, d2) == want);
    CHECK(r.driver->alloc_domain(kHwptDirtyTracking, d2) == want);
    CHECK(r.driver->alloc_domain(kHwptFaultIdValid, d2) == Errno::OpNotSupp);
    const HwInfo h = r.driver->hw_info();
    CHECK(h.type == 1);
    CHECK(h.capabilities == (scalable ? 1u : 0u));  // IOMMU_HW_CAP_DIRTY_TRACKING
    REQUIRE(h.data.size() == 2);  // struct iommu_hw_info_vtd: cap_reg, then ecap_reg
    CHECK(h.data[0] == std::make_pair(std::string("cap_reg"), r.unit->read(::vtd::reg::CAP, 8)));
    CHECK(h.data[1] == std::make_pair(std::string("ecap_reg"), r.unit->read(::vtd::reg::ECAP, 8)));
}

// The random maps-and-unmaps cross-check of this driver against the hardware is the
// VT-d instance of the conformance suite (tests/conformance/test_functional.cpp), in
// legacy and scalable mode.

TEST_CASE("VT-d driver under iommufd: huge pages walk as 2 MiB leaves, also where a 4 KiB "
          "table was, and a replaced device translates through its new domain at once",
          "[iommufd][vtd-driver]") {
    const bool scalable = GENERATE(false, true);
    INFO((scalable ? "scalable mode" : "legacy mode"));
    Rig r(true, scalable);
    Engine e(r);
    Context& ctx = e.ctx;
    Process& proc = e.proc;
    constexpr uint64_t kHuge = 0x7e00'0000'0000, kAnon = 0x7f00'0000'0000;
    REQUIRE(proc.mmap(kHuge, 8u << 20, true) == Errno::Ok);
    REQUIRE(proc.mmap(kAnon, 1u << 20, false) == Errno::Ok);
    const uint32_t id = e.dev_id;
    uint32_t a = 0, b = 0, pt = 0;
    REQUIRE(ctx.ioas_alloc(a) == Errno::Ok);
    REQUIRE(ctx.ioas_alloc(b) == Errno::Ok);
    REQUIRE(ctx.attach(id, a, &pt) == Errno::Ok);
    uint64_t iova = 0x40'0000, n = 0;
    const uint32_t rw = kReadable | kWriteable | kFixedIova;
    REQUIRE(ctx.ioas_map(a, rw, kHuge, 4u << 20, iova) == Errno::Ok);
    iommu::Result res = r.access(iova + 0x21'2345, false);
    REQUIRE_FALSE(res.fault);
    CHECK(res.page_size == (1u << 21));
    CHECK(res.pa == *proc.frame(kHuge + 0x20'0000) + 0x1'2345);
    // 4 KiB pages there leave a last-level table behind; a 2 MiB leaf takes its place.
    REQUIRE(ctx.ioas_unmap(a, iova, 4u << 20, n) == Errno::Ok);
    REQUIRE(ctx.ioas_map(a, rw, kAnon, 0x1000, iova) == Errno::Ok);
    CHECK(r.access(iova, false).page_size == 4096);
    REQUIRE(ctx.ioas_unmap(a, iova, 0x1000, n) == Errno::Ok);
    REQUIRE(ctx.ioas_map(a, rw, kHuge, 4u << 20, iova) == Errno::Ok);
    res = r.access(iova + 0x1000, false);
    REQUIRE_FALSE(res.fault);
    CHECK(res.page_size == (1u << 21));
    // Replace onto IOAS b: the IOTLB held a's translation; it is gone at once.
    uint64_t other = 0x80'0000;
    REQUIRE(ctx.ioas_map(b, rw, kAnon, 0x2000, other) == Errno::Ok);
    REQUIRE_FALSE(r.access(iova, false).fault);
    uint32_t pt2 = 0;
    REQUIRE(ctx.attach(id, b, &pt2) == Errno::Ok);
    CHECK(pt2 != pt);
    CHECK(r.access(iova, false).fault);
    res = r.access(other + 0x1008, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == *proc.frame(kAnon + 0x1000) + 8);
}

TEST_CASE("VT-d driver, scalable mode: a dirty-tracking domain gets SSADE, so the unit "
          "writes A/D bits, and only then", "[iommufd][vtd-driver]") {
    Rig r(true, true);
    REQUIRE(r.driver->scalable());
    const auto walk_writes = [&] {
        nlohmann::json j;
        static_cast<const sim::StatGroup&>(*r.unit).write(j, "u");
        return j.at("u.walk_writes").get<uint64_t>();
    };
    for (const bool dirty : {false, true}) {
        INFO("dirty tracking " << dirty);
        std::unique_ptr<Domain> d;
        REQUIRE(r.driver->alloc_domain(dirty ? uint32_t(kHwptDirtyTracking) : 0u, d) == Errno::Ok);
        REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
        REQUIRE(d->map(0x10'0000, 0x8000'0000, 4096, kRead | kWrite) == Errno::Ok);
        const uint64_t before = walk_writes();
        REQUIRE_FALSE(r.access(0x10'0010, true).fault);
        CHECK((walk_writes() > before) == dirty);
        REQUIRE(r.driver->detach(kSid) == Errno::Ok);
        CHECK(r.access(0x10'0010, false).fault);  // detached: the PASID entry is gone
    }
}

TEST_CASE("VT-d driver, deferred invalidation: a cached translation stays usable until the "
          "flush, an uncached one faults at once", "[iommufd][vtd-driver][flush]") {
    const bool scalable = GENERATE(false, true);
    INFO((scalable ? "scalable mode" : "legacy mode"));
    Rig r(true, scalable);
    Engine e(r);
    Context& ctx = e.ctx;
    REQUIRE(e.proc.mmap(0x7f00'0000'0000, 1u << 20, false) == Errno::Ok);
    FlushPolicy policy;
    policy.deferred = true;
    ctx.set_flush_policy(policy, [] { return uint64_t(0); });
    uint32_t ioas = 0;
    REQUIRE(ctx.ioas_alloc(ioas) == Errno::Ok);
    REQUIRE(ctx.attach(e.dev_id, ioas) == Errno::Ok);
    uint64_t a = 0x10'0000, b = 0x20'0000, n = 0;
    REQUIRE(ctx.ioas_map(ioas, kReadable | kFixedIova, 0x7f00'0000'0000, 0x1000, a) == Errno::Ok);
    REQUIRE(ctx.ioas_map(ioas, kReadable | kFixedIova, 0x7f00'0001'0000, 0x1000, b) == Errno::Ok);
    REQUIRE_FALSE(r.access(a + 0x10, false).fault);  // now in the IOTLB
    const uint64_t descriptors = r.stat("descriptors");
    REQUIRE(ctx.ioas_unmap(ioas, 0, ~uint64_t(0), n) == Errno::Ok);
    CHECK(r.stat("descriptors") == descriptors);  // nothing invalidated yet
    CHECK_FALSE(r.access(a + 0x10, false).fault);  // stale: the IOTLB still translates it
    CHECK(r.access(b + 0x10, false).fault);        // never cached: its cleared entry faults
    ctx.iopt(ioas)->flush();
    CHECK(r.stat("descriptors") == descriptors + 2);  // domain-selective IOTLB, wait
    CHECK(r.access(a + 0x10, false).fault);
}

// Fuzzing reproducer (fuzz_iommufd): a 2 MiB map at IOVA 2^63 succeeded on a 4-level
// domain, whose tables index only IOVA bits 47:12, so it landed at IOVA 0 and the
// device reached those pages at 0x100000, where the IOAS maps nothing. IOVAs above
// the domain's aperture are now reserved while it is attached (iopt_table_add_domain)
// and the domain refuses them itself (intel_iommu_map's EFAULT).
TEST_CASE("VT-d driver under iommufd: IOVAs beyond the address width are reserved, never "
          "aliased onto low ones", "[iommufd][vtd-driver][isolation]") {
    const bool scalable = GENERATE(false, true);
    INFO((scalable ? "scalable mode" : "legacy mode"));
    Rig r(true, scalable);
    Engine e(r);
    constexpr uint64_t kHuge = 0x7f00'0040'0000;
    REQUIRE(e.proc.mmap(kHuge, 2u << 20, true) == Errno::Ok);
    uint32_t ioas = 0;
    REQUIRE(e.ctx.ioas_alloc(ioas) == Errno::Ok);
    REQUIRE(e.ctx.attach(e.dev_id, ioas) == Errno::Ok);
    const uint32_t rw = kReadable | kWriteable | kFixedIova;
    uint64_t iova = uint64_t(1) << 63;
    CHECK(e.ctx.ioas_map(ioas, rw, kHuge, 2u << 20, iova) == Errno::Inval);
    iova = uint64_t(1) << 48;  // just past 4 levels
    CHECK(e.ctx.ioas_map(ioas, rw, kHuge, 2u << 20, iova) == Errno::Inval);
    CHECK(r.access(0x10'0000, false).fault);
    // The usable ranges end at the aperture.
    uint32_t num = 8;
    std::vector<IovaRange> ranges;
    uint64_t align = 0;
    REQUIRE(e.ctx.ioas_iova_ranges(ioas, num, ranges, align) == Errno::Ok);
    CHECK(ranges.back().last == (uint64_t(1) << 48) - 1);
    // The last page below it maps and translates.
    iova = (uint64_t(1) << 48) - (2u << 20);
    REQUIRE(e.ctx.ioas_map(ioas, rw, kHuge, 2u << 20, iova) == Errno::Ok);
    CHECK(r.access(iova + 0x1234, false).pa == *e.proc.frame(kHuge) + 0x1234);
    // An area up there keeps a domain that cannot reach it from attaching.
    uint32_t high = 0;
    REQUIRE(e.ctx.ioas_alloc(high) == Errno::Ok);
    uint64_t top = uint64_t(1) << 63;
    REQUIRE(e.ctx.ioas_map(high, rw, kHuge, 2u << 20, top) == Errno::Ok);  // no domain yet
    CHECK(e.ctx.attach(e.dev_id, high) == Errno::AddrInUse);
    CHECK(r.access(iova + 0x1234, false).pa == *e.proc.frame(kHuge) + 0x1234);  // still on the first
}

// Fuzzing reproducer (fuzz_iommufd): a device bound twice to one context gave two
// objects that attached independently. Object 1 on IOAS a, object 2 on IOAS b moved
// the hardware to b while object 1 still reported a's mappings (what reach() tells
// the isolation check); a detach of either blocked the device under the other. As in
// Linux, the objects of one device share its attachment.
TEST_CASE("VT-d driver under iommufd: objects of a device bound twice share one attachment",
          "[iommufd][vtd-driver][isolation]") {
    Rig r;
    Engine e(r);
    constexpr uint64_t kBuf = 0x7f00'0000'0000;
    REQUIRE(e.proc.mmap(kBuf, 1u << 20, false) == Errno::Ok);
    uint32_t second = 0, a = 0, b = 0, pt_a = 0, pt = 0;
    REQUIRE(e.ctx.bind(e.dev, second) == Errno::Ok);
    REQUIRE(e.ctx.ioas_alloc(a) == Errno::Ok);
    REQUIRE(e.ctx.ioas_alloc(b) == Errno::Ok);
    REQUIRE(e.ctx.attach(e.dev_id, a, &pt_a) == Errno::Ok);
    CHECK(e.ctx.attach(second, b) == Errno::Inval);  // the device is on a's HWPT
    const uint32_t rw = kReadable | kWriteable | kFixedIova;
    uint64_t iova = 0x10'0000, same = 0x10'0000;
    REQUIRE(e.ctx.ioas_map(a, rw, kBuf, 0x1000, iova) == Errno::Ok);
    REQUIRE(e.ctx.ioas_map(b, rw, kBuf + 0x8000, 0x1000, same) == Errno::Ok);
    CHECK(r.access(iova, false).pa == *e.proc.frame(kBuf));
    REQUIRE(e.ctx.attach(second, a, &pt) == Errno::Ok);  // joins
    CHECK(pt == pt_a);
    // Detaching one leaves the device translating for the other.
    REQUIRE(e.ctx.detach(e.dev_id) == Errno::Ok);
    CHECK(e.ctx.reach(second, iova).pa == *e.proc.frame(kBuf));
    CHECK(r.access(iova, false).pa == *e.proc.frame(kBuf));
    // A replace moves every attached object: both report b, the hardware uses b.
    REQUIRE(e.ctx.attach(e.dev_id, a) == Errno::Ok);
    REQUIRE(e.ctx.attach(second, b) == Errno::Ok);
    CHECK(e.ctx.reach(e.dev_id, iova).pa == *e.proc.frame(kBuf + 0x8000));
    CHECK(r.access(iova, false).pa == *e.proc.frame(kBuf + 0x8000));
    CHECK(e.ctx.destroy(pt_a) == Errno::NoEnt);  // a's automatic HWPT went with its devices
    REQUIRE(e.ctx.detach(second) == Errno::Ok);
    REQUIRE(e.ctx.detach(e.dev_id) == Errno::Ok);
    CHECK(r.access(iova, false).fault);  // the last detach blocks
}

TEST_CASE("VT-d driver: an identity domain passes requests through 1:1 (TT=10b, PGTT=100b), "
          "replaces and is replaced by a paging domain, and needs ECAP.PT", "[iommufd][vtd-driver]") {
    const bool scalable = GENERATE(false, true);
    INFO((scalable ? "scalable mode" : "legacy mode"));
    Rig r(true, scalable);
    const std::unique_ptr<DeviceOps> ops = r.driver->device(kSid, {});
    std::unique_ptr<Domain> id, d;
    REQUIRE(ops->alloc_identity_domain(id) == Errno::Ok);
    CHECK(id->map(0x1000, 0x1000, 4096, kRead) != Errno::Ok);  // nothing to map
    REQUIRE(ops->attach(*id) == Errno::Ok);
    iommu::Result res = r.access(0x8765'4321, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x8765'4321);
    // To a paging domain: the unit's context (and PASID) caches must not keep the
    // pass-through entry, so an unmapped IOVA faults and a mapped one translates.
    REQUIRE(r.driver->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 4096, kRead | kWrite) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    CHECK(r.access(0x8765'4321, false).fault);
    CHECK(r.access(0x10'0008, true).pa == 0x8000'0008);
    // And back: the mapped IOVA is now its own physical address.
    REQUIRE(ops->attach(*id) == Errno::Ok);
    res = r.access(0x10'0008, false);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x10'0008);

    Rig without(true, scalable, false);
    std::unique_ptr<Domain> none;
    CHECK(without.driver->device(kSid, {})->alloc_identity_domain(none) == Errno::OpNotSupp);
    CHECK_FALSE(none);
}
