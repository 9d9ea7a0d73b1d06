// FLAT with CAP.ATS (flat_spec.h section 7) against hand-written vectors: what the
// unit answers a Translation Request and a Translated request, and the ATC
// invalidations it sends to the device.
#include <catch2/catch.hpp>

#include <vector>

#include <nlohmann/json.hpp>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "platforms/machine.h"
#include "tests/support/flat/flat_driver.h"
#include "tests/support/flat/flat_unit.h"

namespace {

constexpr uint32_t CTRL = 0x008, STATUS = 0x00C, DEVTAB = 0x010, INV = 0x018, INV_ADDR = 0x020;
constexpr uint64_t GO = uint64_t(1) << 63, ERR = uint64_t(1) << 62;
constexpr uint64_t kCapAts = 0x70324;  // IOVA_BITS 36, 4 records, SC, COH, ATS (bit 18)
constexpr uint64_t kDevtab = 0x10000;
constexpr uint16_t kSid = 0x0108;
constexpr uint64_t kDteEats = 0x0005'0000'0010'0007;  // DID 5, TABLE 0x100000, EATS, T, V
constexpr uint64_t kPteAt = 0x480000;                 // page 0x70000
constexpr uint64_t kPteRead = 0xabcde001;             // FRAME 0xabcde000, R only

struct Endpoints : iommu::Endpoints {
    std::vector<iommu::AtsInvalidation> invs;
    void invalidate(const iommu::AtsInvalidation& inv) override { invs.push_back(inv); }
    void page_response(const iommu::PageResponse&) override {}
};

struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, uint64_t(1) << 32};
    flat::Unit unit{params(), host};
    Endpoints eps;

    explicit Rig(uint64_t dte = kDteEats) {
        mem.write_u64(kDevtab + 8 * kSid, dte);
        mem.write_u64(kPteAt, kPteRead);
        unit.endpoints = &eps;
        unit.write(DEVTAB, kDevtab, 8);
        unit.write(CTRL, 1, 4);
        REQUIRE(unit.read(STATUS, 4) == 1);
    }
    static flat::UnitParams params() {
        flat::UnitParams p;
        p.cap = kCapAts;
        return p;
    }
    iommu::Result ask(iommu::At at, uint64_t iova, bool write) {
        iommu::Request r;
        r.at = at;
        r.sid = kSid;
        r.iova = iova;
        r.read = true;
        r.write = write;
        return unit.translate(r);
    }
    uint64_t faults() {
        nlohmann::json j;
        static_cast<const sim::StatGroup&>(unit).write(j, "u");
        return j.at("u.faults").get<uint64_t>();
    }
};

}  // namespace

TEST_CASE("flat ATS: a Translation Request gets the entry's frame and permissions", "[unit][ats]") {
    Rig rig;
    const iommu::Result r = rig.ask(iommu::At::TranslationRequest, 0x7000'0000, true);
    REQUIRE_FALSE(r.fault);  // a write asked of a read-only entry is not a fault here
    CHECK(r.pa == 0xabcde000);
    CHECK(r.page_size == 4096);
    CHECK(r.read);
    CHECK_FALSE(r.write);
    CHECK(rig.faults() == 0);
}

TEST_CASE("flat ATS: a Translation Request for an absent page is answered R=W=0", "[unit][ats]") {
    Rig rig;
    const iommu::Result r = rig.ask(iommu::At::TranslationRequest, 0x7100'0000, false);
    REQUIRE_FALSE(r.fault);
    CHECK_FALSE(r.read);
    CHECK_FALSE(r.write);
    CHECK(rig.faults() == 0);
}

TEST_CASE("flat ATS: without EATS, TRs and Translated requests fault 8", "[unit][ats]") {
    Rig rig(0x0005'0000'0010'0003);
    const iommu::Result tr = rig.ask(iommu::At::TranslationRequest, 0x7000'0000, false);
    CHECK(tr.fault);
    CHECK(tr.reason == 8);
    const iommu::Result t = rig.ask(iommu::At::Translated, 0xabcde040, false);
    CHECK(t.fault);
    CHECK(t.reason == 8);
    CHECK(rig.faults() == 2);
}

TEST_CASE("flat ATS: a Translated request goes at its own address, no range check", "[unit][ats]") {
    Rig rig;
    const iommu::Result t = rig.ask(iommu::At::Translated, 0x9'0000'0040, true);  // above 2^36
    REQUIRE_FALSE(t.fault);
    CHECK(t.pa == 0x9'0000'0040);
    // Once the device entry is cached the lookup stage decides alone, the same way.
    const iommu::Result again = rig.ask(iommu::At::Translated, 0x1040, false);
    REQUIRE_FALSE(again.fault);
    CHECK(again.pa == 0x1040);
}

TEST_CASE("flat ATS: ATC_PAGE and ATC_ALL reach the device, and without CAP.ATS type 5 is invalid",
          "[unit][ats]") {
    Rig rig;
    rig.unit.write(INV_ADDR, 0x7000'0000, 8);
    rig.unit.write(INV, 5 | uint64_t(kSid) << 16 | GO, 8);
    rig.unit.write(INV, 6 | uint64_t(kSid) << 16 | GO, 8);
    REQUIRE(rig.eps.invs.size() == 2);
    CHECK(rig.eps.invs[0].sid == kSid);
    CHECK(rig.eps.invs[0].addr == 0x7000'0000);
    CHECK(rig.eps.invs[0].size == 4096);
    CHECK(rig.eps.invs[1].size == 0);
    rig.unit.strap_cap(0x30324);
    rig.unit.write(INV, 5 | GO, 8);
    CHECK(rig.unit.read(INV, 8) == (5 | ERR));
    CHECK(rig.eps.invs.size() == 2);
}

// The FLAT driver with an ATS-capable device (flat_spec.h section 6): EATS and the
// device's ATS on at attach, the device's ATC invalidated after the IOTLB on a strict
// unmap, ATS off and the whole ATC invalidated at detach.
TEST_CASE("flat ATS: the driver enables ATS and invalidates the device's ATC", "[unit][ats]") {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, uint64_t(1) << 34};
    flat::Unit unit{Rig::params(), host};
    Endpoints eps;
    unit.endpoints = &eps;
    platform::StoreMachine machine{unit, mem};
    iommufd::FrameAllocator pages{0x1000'0000, 0x4000'0000};
    flat_driver::Driver driver{machine, pages, flat_driver::DriverParams{}};
    REQUIRE(driver.probe() == iommufd::Errno::Ok);
    std::vector<bool> enables;
    iommufd::EndpointCaps caps;
    caps.ats = true;
    caps.enable_ats = [&enables](bool on) { enables.push_back(on); };
    auto dev = driver.device(kSid, caps);
    std::unique_ptr<iommufd::Domain> dom;
    REQUIRE(dev->alloc_domain(0, dom) == iommufd::Errno::Ok);
    REQUIRE(dev->attach(*dom) == iommufd::Errno::Ok);
    CHECK(enables == std::vector<bool>{true});
    REQUIRE(dom->map(0x5000, 0x9000, 4096, iommufd::kRead) == iommufd::Errno::Ok);
    const iommu::Result tr = [&] {
        iommu::Request r;
        r.at = iommu::At::TranslationRequest;
        r.sid = kSid;
        r.iova = 0x5000;
        r.read = true;
        return unit.translate(r);
    }();
    REQUIRE_FALSE(tr.fault);  // EATS is set: the unit answers the device's TRs
    CHECK(tr.pa == 0x9000);
    eps.invs.clear();
    dom->unmap(0x5000, 4096);
    REQUIRE(eps.invs.size() == 1);
    CHECK(eps.invs[0].sid == kSid);
    CHECK(eps.invs[0].addr == 0x5000);
    CHECK(eps.invs[0].size == 4096);
    dev.reset();  // detaches
    CHECK(enables == std::vector<bool>{true, false});
    REQUIRE(eps.invs.size() == 2);
    CHECK(eps.invs[1].size == 0);
}
