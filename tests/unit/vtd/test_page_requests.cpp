// Page requests (spec 7.5): descriptors written into the page request queue at PQT,
// PRS.PPR and PRS.PRO, the page request event interrupt under PECTL.IM, the overflow
// that drops requests (and answers a dropped group's last request), and the refusals.
// Descriptors are read back with the test-side decoder in tests/support.
#include <catch2/catch.hpp>

#include <vector>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "models/vtd/scalable_walker.h"
#include "tests/support/fake_endpoints.h"
#include "tests/support/vtd_ats_encoding.h"
#include "tests/support/vtd_tables.h"

using namespace vtdtest;
namespace reg = vtd::reg;

namespace {

constexpr uint64_t kPrq = 0x0800'0000;  // page request queue base, PQS=0: 128 descriptors
constexpr unsigned kEntries = 128;
constexpr uint16_t kPri = 0x0008;       // PRE=1
constexpr uint16_t kNoPri = 0x0010;     // PRE=0
constexpr uint16_t kNoPriQuiet = 0x0018;  // PRE=0, FPD=1

struct Prq {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    vtd::Capabilities caps;
    TableBuilder tb{mem};
    std::unique_ptr<vtd::RemappingUnit> unit;
    testutil::FakeEndpoints devices;
    unsigned irqs = 0;

    explicit Prq(bool prs = true, bool scalable = true) {
        caps.smts = caps.pasid = true;
        caps.prs = prs;
        uint64_t rtaddr = 0;
        if (scalable) {
            context(0x08, true, false);
            context(0x10, false, false);
            rtaddr = context(0x18, false, true);
        } else {
            ContextSpec c;
            c.slptptr = tb.new_table();
            rtaddr = tb.set_legacy_context(0, 0x08, c);
        }
        unit = std::make_unique<vtd::RemappingUnit>(caps, vtd::UnitParams{}, host);
        unit->endpoints = &devices;
        unit->on_page_request_irq = [this] { ++irqs; };
        unit->write(reg::RTADDR, rtaddr, 8);
        unit->write(reg::GCMD, vtd::gcmd::SRTP, 4);
        unit->write(reg::GCMD, vtd::gcmd::TE, 4);
    }
    uint64_t context(uint8_t devfn, bool pre, bool fpd) {
        ScalableContextSpec c;
        c.pre = pre;
        c.fpd = fpd;
        c.paside = true;
        return tb.set_scalable_context(0, devfn, c);
    }
    // Linux intel_iommu_enable_prq's order: head and tail 0, then the queue's address.
    void set_up_queue() {
        unit->write(reg::PQH, 0, 8);
        unit->write(reg::PQA, kPrq, 8);
    }
    bool request(uint16_t sid, uint64_t addr, uint16_t prgi, bool last = true) {
        iommu::PageRequest pr;
        pr.sid = sid;
        pr.pasid_valid = true;
        pr.pasid = 0x99;
        pr.exec = true;
        pr.read = true;
        pr.write = true;
        pr.last = last;
        pr.prg_index = prgi;
        pr.addr = addr;
        return unit->page_request(pr);
    }
    PageRequestFields at(unsigned index) const {
        return decode_page_request(mem.read_u64(kPrq + index * 32), mem.read_u64(kPrq + index * 32 + 8));
    }
    uint64_t pqt() const { return unit->read(reg::PQT, 8); }
    uint32_t prs() const { return uint32_t(unit->read(reg::PRS, 4)); }
    bool fault_recorded() const { return unit->read(reg::FSTS, 4) & vtd::fsts::PPF; }
};

}  // namespace

TEST_CASE("A page request is written at PQT as a 32-byte page request descriptor", "[vtd][pri]") {
    Prq q;
    q.set_up_queue();
    REQUIRE(q.request(kPri, 0x7654'3000, 0x1a5));
    CHECK(q.pqt() == 32);
    const PageRequestFields f = q.at(0);
    CHECK(f.type == 1);
    CHECK(f.pasid_present);
    CHECK(f.rid == kPri);
    CHECK(f.pasid == 0x99);
    CHECK(f.exec);
    CHECK_FALSE(f.priv);
    CHECK((f.read && f.write && f.lpig));
    CHECK(f.prg_index == 0x1a5);
    CHECK(f.addr == 0x7654'3000);
    CHECK(q.prs() == vtd::prs::PPR);
}

TEST_CASE("The page request event: PECTL.IM holds it pending, PPR keeps it to one", "[vtd][pri]") {
    Prq q;
    q.set_up_queue();
    REQUIRE(q.request(kPri, 0x1000, 1));
    CHECK(q.irqs == 0);  // IM is set at reset
    CHECK(q.unit->read(reg::PECTL, 4) & vtd::fectl::IP);
    q.unit->write(reg::PECTL, 0, 4);  // unmasking sends the pending event
    CHECK(q.irqs == 1);
    CHECK_FALSE(q.unit->read(reg::PECTL, 4) & vtd::fectl::IP);
    REQUIRE(q.request(kPri, 0x2000, 2));
    CHECK(q.irqs == 1);  // PPR still set: no new event
    q.unit->write(reg::PRS, vtd::prs::PPR, 4);  // software clears PPR (write 1)
    CHECK(q.prs() == 0);
    REQUIRE(q.request(kPri, 0x3000, 3));
    CHECK(q.irqs == 2);
}

TEST_CASE("PQT wraps at the end of the 2^(PQS+7)-descriptor queue", "[vtd][pri]") {
    Prq q;
    q.set_up_queue();
    for (unsigned i = 0; i < 100; ++i) REQUIRE(q.request(kPri, 0x1000 * (i + 1), uint16_t(i)));
    q.unit->write(reg::PQH, q.pqt(), 8);  // software has read them all
    for (unsigned i = 100; i < 140; ++i) REQUIRE(q.request(kPri, 0x1000 * (i + 1), uint16_t(i)));
    CHECK(q.pqt() == (140 - kEntries) * 32);
    CHECK(q.at(0).prg_index == kEntries);
    CHECK(q.at(0).addr == 0x1000 * (kEntries + 1));
    CHECK(q.at(kEntries - 1).prg_index == kEntries - 1);
    CHECK_FALSE(q.prs() & vtd::prs::PRO);
}

TEST_CASE("A full queue sets PRO and drops requests until software clears it", "[vtd][pri]") {
    Prq q;
    q.set_up_queue();
    q.unit->write(reg::PECTL, 0, 4);
    for (unsigned i = 0; i < kEntries - 1; ++i) REQUIRE(q.request(kPri, 0x1000, uint16_t(i), false));
    CHECK(q.pqt() == (kEntries - 1) * 32);  // one slot stays empty: full
    CHECK(q.irqs == 1);
    // Dropped: the group's last request is answered by the unit, the others are not.
    CHECK(q.request(kPri, 0x2000, 0x1ff, false));
    CHECK(q.request(kPri, 0x2000, 0x1fe, true));
    CHECK(q.pqt() == (kEntries - 1) * 32);
    CHECK(q.prs() == (vtd::prs::PPR | vtd::prs::PRO));
    REQUIRE(q.devices.responses.size() == 1);
    CHECK(q.devices.responses[0].prg_index == 0x1fe);
    CHECK(q.devices.responses[0].sid == kPri);
    CHECK(q.devices.responses[0].code == iommu::PrgResponse::Success);
    // Room again, but PRO still set: still dropped.
    q.unit->write(reg::PQH, q.pqt(), 8);
    CHECK(q.request(kPri, 0x3000, 5, true));
    CHECK(q.pqt() == (kEntries - 1) * 32);
    CHECK(q.devices.responses.size() == 2);
    q.unit->write(reg::PRS, vtd::prs::PRO | vtd::prs::PPR, 4);
    REQUIRE(q.request(kPri, 0x4000, 6));
    CHECK(q.pqt() == 0);  // written at the last slot, the tail wrapped
    CHECK(q.at(kEntries - 1).prg_index == 6);
}

TEST_CASE("Page requests are refused without PRS, a queue, scalable mode or PRE", "[vtd][pri]") {
    Prq off(false);
    off.set_up_queue();
    CHECK_FALSE(off.request(kPri, 0x1000, 1));
    Prq no_queue;
    CHECK_FALSE(no_queue.request(kPri, 0x1000, 1));
    Prq legacy(true, false);
    legacy.set_up_queue();
    CHECK_FALSE(legacy.request(kPri, 0x1000, 1));
    CHECK(legacy.fault_recorded());  // RTA.3: a page request in legacy mode
    CHECK((legacy.unit->read(legacy.caps.fro * 16 + 8, 8) >> 32 & 0xff) == vtd::sm_fault::RTA_LEGACY_PAGE_REQUEST);
    Prq q;
    q.set_up_queue();
    CHECK_FALSE(q.request(kNoPriQuiet, 0x1000, 1));
    CHECK_FALSE(q.fault_recorded());  // FPD
    CHECK_FALSE(q.request(kNoPri, 0x1000, 1));
    CHECK(q.fault_recorded());
    CHECK((q.unit->read(q.caps.fro * 16 + 8, 8) >> 32 & 0xff) == vtd::sm_fault::SCT_PRE_CLEAR);
    CHECK(q.pqt() == 0);
    CHECK(q.prs() == 0);
}
