// Device-TLB invalidation (spec 6.5.2.5-6) and page group response (6.5.2.7)
// descriptors through the invalidation queue, as the messages a fake set of endpoints
// receives. Descriptors come from the spec-derived encoder in tests/support.
#include <catch2/catch.hpp>

#include <vector>

#include "tests/support/fake_endpoints.h"
#include "tests/support/vtd_ats_encoding.h"
#include "tests/unit/vtd/vtd_rig.h"

using vtdtest::Descriptor;

namespace {

constexpr uint64_t kQueue = 0x10000;
constexpr uint64_t kStatus = 0x20000;

// A unit with device-TLBs and page requests, its queue at kQueue, the fake endpoints.
struct AtsQueue {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    vtd::Capabilities caps;
    vtd::UnitParams params;
    std::unique_ptr<RemappingUnit> unit;
    testutil::FakeEndpoints devices;
    uint64_t tail = 0;

    explicit AtsQueue(bool dt = true, bool prs = true) {
        caps.dt = dt;
        caps.prs = prs;
        params.iq.atc_inv_cycles = 1000;
        unit = std::make_unique<RemappingUnit>(caps, params, host);
        unit->endpoints = &devices;
        unit->write(reg::IQA, kQueue, 8);
        unit->write(reg::GCMD, vtd::gcmd::QIE, 4);
    }
    void submit(std::initializer_list<Descriptor> ds) {
        for (const Descriptor& d : ds) {
            mem.write_u64(kQueue + tail, d[0]);
            mem.write_u64(kQueue + tail + 8, d[1]);
            tail += 16;
        }
        unit->write(reg::IQT, tail, 8);
    }
    bool iqe() const { return unit->read(reg::FSTS, 4) & vtd::fsts::IQE; }
    uint64_t head() const { return unit->read(reg::IQH, 8); }
};

}  // namespace

TEST_CASE("Device-TLB invalidate: SID and the S-encoded range reach the device", "[vtd][ats]") {
    struct Case {
        uint64_t addr, size;
    };
    const Case cases[] = {{0x1234'5000, 4096},      {0x1234'6000, 8192},         {0x4000'0000, 2u << 20},
                          {0x8000'0000, 1u << 30},  {0x10'0000'0000, uint64_t(1) << 36}, {0, 0}};
    AtsQueue q;
    for (const Case& c : cases) q.submit({vtdtest::device_tlb_invalidate(0x0310, c.addr, c.size, 0x0300, 5)});
    REQUIRE_FALSE(q.iqe());
    REQUIRE(q.devices.invalidations.size() == std::size(cases));
    for (size_t i = 0; i < std::size(cases); ++i) {
        const auto& inv = q.devices.invalidations[i];
        INFO("size " << cases[i].size);
        CHECK(inv.sid == 0x0310);
        CHECK_FALSE(inv.pasid_valid);
        CHECK_FALSE(inv.global);
        CHECK(inv.addr == cases[i].addr);
        CHECK(inv.size == cases[i].size);
    }
}

TEST_CASE("PASID-based device-TLB invalidate: PASID and G", "[vtd][ats]") {
    AtsQueue q;
    q.submit({vtdtest::pasid_device_tlb_invalidate(0x0008, 0x12345, false, 0x20'0000, 2u << 20),
              vtdtest::pasid_device_tlb_invalidate(0x0008, 7, true, 0x5000, 4096, 0xabc, 3)});
    REQUIRE(q.devices.invalidations.size() == 2);
    const auto& a = q.devices.invalidations[0];
    CHECK((a.pasid_valid && a.pasid == 0x12345 && !a.global));
    CHECK((a.addr == 0x20'0000 && a.size == (2u << 20)));
    const auto& b = q.devices.invalidations[1];
    CHECK((b.pasid_valid && b.pasid == 7 && b.global));
    CHECK((b.addr == 0x5000 && b.size == 4096));
}

TEST_CASE("A wait descriptor after device-TLB invalidations completes after them", "[vtd][ats]") {
    AtsQueue q;
    const uint64_t before = q.unit->command_cycles();
    q.submit({vtdtest::device_tlb_invalidate(0x0008, 0x1000, 4096), vtdtest::wait_with_status(kStatus, 0x600d)});
    CHECK(q.devices.invalidations.size() == 1);
    CHECK(q.mem.read_u64(kStatus) == 0x600d);
    // The invalidation's round trip (atc_inv_cycles) is in the time the wait waits.
    const iommu::CommandCost cost = q.params.iq;
    CHECK(q.unit->command_cycles() - before ==
          2 * cost.fetch_cycles + cost.atc_inv_cycles + cost.sync_cycles);
}

TEST_CASE("Device-TLB descriptors without ECAP.DT, or with reserved bits, stop the queue (IQE)",
          "[vtd][ats]") {
    AtsQueue no_dt(false);
    no_dt.submit({vtdtest::device_tlb_invalidate(0x0008, 0x1000, 4096)});
    CHECK(no_dt.iqe());
    CHECK(no_dt.head() == 0);
    CHECK(no_dt.devices.invalidations.empty());
    AtsQueue q;
    Descriptor bad = vtdtest::device_tlb_invalidate(0x0008, 0x1000, 4096);
    bad[1] |= 1u << 5;  // qword 1 bits 11:1 are reserved
    q.submit({vtdtest::device_tlb_invalidate(0x0008, 0x2000, 4096), bad});
    CHECK(q.iqe());
    CHECK(q.head() == 16);
    CHECK(q.devices.invalidations.size() == 1);
}

TEST_CASE("Page group response descriptors answer the device's page request group", "[vtd][pri]") {
    AtsQueue q;
    q.submit({vtdtest::page_group_response(0x0108, true, 0x42, 0x1ff, 0),
              vtdtest::page_group_response(0x0108, false, 0, 3, 1),
              vtdtest::page_group_response(0x0110, true, 9, 4, 0xf)});
    REQUIRE_FALSE(q.iqe());
    REQUIRE(q.devices.responses.size() == 3);
    const auto& a = q.devices.responses[0];
    CHECK((a.sid == 0x0108 && a.pasid_valid && a.pasid == 0x42 && a.prg_index == 0x1ff));
    CHECK(a.code == iommu::PrgResponse::Success);
    CHECK_FALSE(q.devices.responses[1].pasid_valid);
    CHECK(q.devices.responses[1].prg_index == 3);
    CHECK(q.devices.responses[1].code == iommu::PrgResponse::InvalidRequest);
    CHECK(q.devices.responses[2].code == iommu::PrgResponse::ResponseFailure);
}

TEST_CASE("Page group responses without ECAP.PRS are invalid descriptors", "[vtd][pri]") {
    AtsQueue q(true, false);
    q.submit({vtdtest::page_group_response(0x0108, true, 1, 1, 0)});
    CHECK(q.iqe());
    CHECK(q.devices.responses.empty());
}
