// The VT-d driver's ATS and PRI against the VT-d hardware model: context TT / DTE / PRE,
// when the device's ATS is turned on and off, device-TLB invalidate descriptors after
// the IOTLB's with the S-bit size encoding, the page request queue's setup and service.
// Descriptors are read from the invalidation queue and decoded with
// tests/support/ats_messages.h, written apart from the driver. The model has no page
// request queue (ECAP.PRS clear), so the PRI cases put a thin register file for it in
// front of the unit.
#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "models/iommu/host_memory.h"
#include "models/iommufd/drivers/vtd/vtd_driver.h"
#include "models/memory/sparse_memory.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "platforms/machine.h"
#include "tests/support/ats_messages.h"
#include "tests/support/requests.h"

using namespace iommufd;
namespace drv = iommufd::vtd;

namespace {

constexpr uint16_t kSid = 0x0108;  // bus 1, devfn 8
constexpr uint32_t kEcap = 0x10, kPqh = 0xc0, kPqt = 0xc8, kPqa = 0xd0, kPrs = 0xdc, kPectl = 0xe0;

// The unit with ECAP.PRS added and the page request registers (PQH..PEUADDR) held here;
// PRS is write-1-to-clear.
struct PrsMachine : Machine {
    Machine& inner;
    bool prs = false;
    std::map<uint32_t, uint64_t> regs;
    std::vector<std::pair<uint32_t, uint64_t>> writes;
    explicit PrsMachine(Machine& m) : inner(m) {}
    static bool ours(uint32_t off) { return off >= kPqh && off < 0xf0; }
    uint64_t read_reg(uint32_t off, unsigned size) override {
        if (prs && ours(off)) return regs[off];
        const uint64_t v = inner.read_reg(off, size);
        return prs && off == kEcap ? v | uint64_t(1) << 29 : v;
    }
    void write_reg(uint32_t off, uint64_t v, unsigned size) override {
        if (!(prs && ours(off))) return inner.write_reg(off, v, size);
        writes.emplace_back(off, v);
        if (off == kPrs)
            regs[off] &= ~v;
        else
            regs[off] = v;
    }
    uint64_t read64(uint64_t pa) override { return inner.read64(pa); }
    void write64(uint64_t pa, uint64_t v) override { inner.write64(pa, v); }
    void flush(uint64_t pa, uint64_t bytes) override { inner.flush(pa, bytes); }
    double command_ns() override { return inner.command_ns(); }
};

struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    ::vtd::Capabilities caps;
    std::unique_ptr<::vtd::RemappingUnit> unit;
    std::unique_ptr<platform::StoreMachine> store;
    std::unique_ptr<PrsMachine> machine;
    FrameAllocator pages{0x1000'0000, 0x1000'0000};
    std::unique_ptr<drv::Driver> driver;
    std::vector<std::string> calls;  // the device's ATS/PRI Control writes
    std::vector<uint64_t> context_at_call;  // its context entry's low qword then

    Rig(bool scalable, bool dt, bool prs = false) {
        caps.smts = scalable;
        caps.dt = dt;
        unit = std::make_unique<::vtd::RemappingUnit>(caps, ::vtd::UnitParams{}, host);
        store = std::make_unique<platform::StoreMachine>(*unit, mem);
        machine = std::make_unique<PrsMachine>(*store);
        machine->prs = prs;
        driver = std::make_unique<drv::Driver>(*machine, pages, drv::DriverParams{});
        REQUIRE(driver->probe() == Errno::Ok);
        REQUIRE(driver->scalable() == scalable);
    }
    EndpointCaps endpoint(bool ats, bool pri = false) {
        EndpointCaps c;
        c.ats = ats;
        c.pri = pri;
        c.enable_ats = [this](bool on) {
            calls.push_back(on ? "ats on" : "ats off");
            context_at_call.push_back(context_lo());
        };
        c.enable_pri = [this](bool on) { calls.push_back(on ? "pri on" : "pri off"); };
        return c;
    }
    // The context entry of kSid (spec 9.1-9.4): legacy 16 bytes a devfn, scalable 32
    // bytes a devfn in the half of the root entry that covers it.
    uint64_t context_lo() {
        const uint64_t root = unit->read(::vtd::reg::RTADDR, 8) & ~uint64_t(0xfff);
        const uint64_t devfn = kSid & 0xff, bus = kSid >> 8;
        if (!driver->scalable()) {
            const uint64_t table = mem.read_u64(root + bus * 16) & ~uint64_t(0xfff);
            return table ? mem.read_u64(table + devfn * 16) : 0;
        }
        const uint64_t table = mem.read_u64(root + bus * 16 + (devfn >= 128 ? 8 : 0)) & ~uint64_t(0xfff);
        return table ? mem.read_u64(table + (devfn & 0x7f) * 32) : 0;
    }
    uint64_t tail() { return unit->read(::vtd::reg::IQT, 8); }
    // The descriptors queued from byte offset `from` to the tail.
    std::vector<std::pair<uint64_t, uint64_t>> descs(uint64_t from) {
        const uint64_t base = unit->read(::vtd::reg::IQA, 8) & ~uint64_t(0xfff);
        std::vector<std::pair<uint64_t, uint64_t>> out;
        for (uint64_t t = from; t != tail(); t = (t + 16) % 4096)
            out.emplace_back(mem.read_u64(base + t), mem.read_u64(base + t + 8));
        return out;
    }
    std::vector<unsigned> types(uint64_t from) {
        std::vector<unsigned> t;
        for (const auto& d : descs(from)) t.push_back(unsigned(d.first & 0xf));
        return t;
    }
    uint64_t stat(const char* name) {
        nlohmann::json j;
        driver->write(j, "d");
        return j.at(std::string("d.") + name).get<uint64_t>();
    }
};

constexpr unsigned kContext = 1, kIotlb = 2, kDevTlb = 3, kWait = 5, kPasidCache = 7, kPgrp = 9;

}  // namespace

TEST_CASE("VT-d driver ats: context TT=01b or DTE only where unit and device both have ATS",
          "[iommufd][vtd-driver][ats]") {
    const bool scalable = GENERATE(false, true), dt = GENERATE(false, true), dev_ats = GENERATE(false, true);
    INFO("scalable " << scalable << ", ECAP.DT " << dt << ", device ATS " << dev_ats);
    Rig r(scalable, dt);
    auto ops = r.driver->device(kSid, r.endpoint(dev_ats));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    const uint64_t mark = r.tail();
    REQUIRE(ops->attach(*d) == Errno::Ok);
    const bool ats = dt && dev_ats;
    const uint64_t lo = r.context_lo();
    if (scalable)
        CHECK(bool(lo & 4) == ats);  // DTE
    else
        CHECK(((lo >> 2) & 3) == (ats ? 1u : 0u));  // TT
    // Untranslated DMA still walks the domain's tables through that entry.
    REQUIRE(d->map(0x40'0000, 0x4000'0000, 0x1000, kRead | kWrite) == Errno::Ok);
    const iommu::Result dma = r.unit->translate(testutil::dma(kSid, 0x40'0123, true));
    CHECK_FALSE(dma.fault);
    CHECK(dma.pa == 0x4000'0123);
    if (!ats) {
        CHECK(r.calls.empty());
        for (unsigned t : r.types(mark)) CHECK(t != kDevTlb);
        return;
    }
    // ATS goes on once the entry is live and the device-TLB was invalidated whole.
    REQUIRE(r.calls == std::vector<std::string>{"ats on"});
    CHECK((r.context_at_call[0] & 1));
    const auto q = r.descs(mark);
    REQUIRE(q.size() >= 2);
    const auto inv = ats_msg::dev_tlb_inv(q[q.size() - 2].first, q[q.size() - 2].second);
    CHECK(inv.type == kDevTlb);
    CHECK(inv.sid == kSid);
    CHECK(inv.pfsid == kSid);
    CHECK(inv.range.size == 0);  // everything
    CHECK((q.back().first & 0xf) == kWait);
    // Detach: ATS off first, the device-TLB invalidated whole after the entry went.
    const uint64_t mark2 = r.tail();
    ops->detach();
    REQUIRE(r.calls == std::vector<std::string>{"ats on", "ats off"});
    CHECK((r.context_at_call[1] & 1));  // still present when ATS went off
    const auto t = r.types(mark2);
    REQUIRE(t.size() >= 2);
    CHECK(t[t.size() - 2] == kDevTlb);
    CHECK(t.back() == kWait);
}

TEST_CASE("VT-d driver ats: identity domains keep ATS in scalable mode only",
          "[iommufd][vtd-driver][ats]") {
    const bool scalable = GENERATE(false, true);
    Rig r(scalable, true);
    auto ops = r.driver->device(kSid, r.endpoint(true));
    std::unique_ptr<Domain> paging, identity;
    REQUIRE(ops->alloc_domain(0, paging) == Errno::Ok);
    REQUIRE(ops->alloc_identity_domain(identity) == Errno::Ok);
    REQUIRE(ops->attach(*paging) == Errno::Ok);
    REQUIRE(ops->attach(*identity) == Errno::Ok);
    if (scalable) {
        CHECK(r.calls == std::vector<std::string>{"ats on"});
        CHECK((r.context_lo() & 4));
    } else {
        CHECK(r.calls == std::vector<std::string>{"ats on", "ats off"});
        CHECK(((r.context_lo() >> 2) & 3) == 2);  // pass-through
    }
}

TEST_CASE("VT-d driver ats: strict unmap queues the IOTLB invalidation, then the device-TLB's "
          "with the S-bit size encoding, then one wait",
          "[iommufd][vtd-driver][ats]") {
    const bool scalable = GENERATE(false, true);
    Rig r(scalable, true);
    auto ops = r.driver->device(kSid, r.endpoint(true));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    struct Case {
        const char* name;
        uint64_t iova, size, page, want_base, want_size;
        bool want_s;
    };
    const Case cases[] = {{"4 KiB", 0x40'0000, 0x1000, 0x1000, 0x40'0000, 0x1000, false},
                          {"2 MiB", 0x80'0000, 0x20'0000, 0x20'0000, 0x80'0000, 0x20'0000, true},
                          {"pages 7-10", 0x7000, 0x4000, 0x1000, 0, 0x10000, true}};
    for (const Case& c : cases) {
        INFO(c.name);
        for (uint64_t a = c.iova; a < c.iova + c.size; a += c.page)
            REQUIRE(d->map(a, 0x4000'0000 + a, c.page, kRead | kWrite) == Errno::Ok);
        const uint64_t mark = r.tail();
        const DriverCost before = r.driver->spent();
        d->unmap(c.iova, c.size);
        REQUIRE(r.types(mark) == std::vector<unsigned>{kIotlb, kDevTlb, kWait});
        const auto q = r.descs(mark);
        const auto inv = ats_msg::dev_tlb_inv(q[1].first, q[1].second);
        CHECK(inv.sid == kSid);
        CHECK(inv.s == c.want_s);
        CHECK(inv.range.base == c.want_base);
        CHECK(inv.range.size == c.want_size);
        const DriverCost spent = r.driver->spent() - before;
        CHECK(spent.descriptors == 3);
        CHECK(spent.waits == 1);
    }
    const uint64_t mark = r.tail();
    d->flush_all();
    REQUIRE(r.types(mark) == std::vector<unsigned>{kIotlb, kDevTlb, kWait});
    const auto q = r.descs(mark);
    CHECK(ats_msg::dev_tlb_inv(q[1].first, q[1].second).range.size == 0);  // the whole device-TLB
    // The unit took every descriptor (no invalidation queue error) and reached the tail.
    CHECK((r.unit->read(::vtd::reg::FSTS, 4) & ::vtd::fsts::IQE) == 0);
    CHECK(r.unit->read(::vtd::reg::IQH, 8) == r.tail());
}

TEST_CASE("VT-d driver ats: a device without ATS keeps today's unmap descriptors",
          "[iommufd][vtd-driver][ats]") {
    Rig r(false, true);
    auto ops = r.driver->device(kSid, r.endpoint(false));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    REQUIRE(d->map(0x40'0000, 0x4000'0000, 0x1000, kRead) == Errno::Ok);
    const uint64_t mark = r.tail();
    d->unmap(0x40'0000, 0x1000);
    CHECK(r.types(mark) == std::vector<unsigned>{kIotlb, kWait});
}

TEST_CASE("VT-d driver pri: probe sets up the page request queue in scalable mode, PRE marks "
          "a device with PRI",
          "[iommufd][vtd-driver][pri]") {
    Rig r(true, true, true);
    REQUIRE(r.driver->page_requests());
    PrsMachine& m = *r.machine;
    REQUIRE(m.writes.size() == 4);
    CHECK(m.writes[0] == std::make_pair(kPqh, uint64_t(0)));
    CHECK(m.writes[1] == std::make_pair(kPqt, uint64_t(0)));
    CHECK(m.writes[2].first == kPqa);
    CHECK((m.writes[2].second & 7) == 0);  // PQS: one page
    CHECK((m.writes[2].second & ~uint64_t(0xfff)) != 0);
    CHECK(m.writes[3] == std::make_pair(kPectl, uint64_t(0)));  // interrupt unmasked
    auto ops = r.driver->device(kSid, r.endpoint(true, true));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    CHECK((r.context_lo() & (1u << 4)));  // PRE
    ops->detach();
    CHECK(r.calls == std::vector<std::string>{"pri on", "ats on", "ats off", "pri off"});
}

TEST_CASE("VT-d driver pri: legacy mode sets up no page request queue", "[iommufd][vtd-driver][pri]") {
    Rig r(false, true, true);
    CHECK_FALSE(r.driver->page_requests());
    CHECK(r.machine->writes.empty());
}

TEST_CASE("VT-d driver pri: service_page_requests answers each group at its last request with "
          "Invalid Request, moves PQH and clears PRS.PRO",
          "[iommufd][vtd-driver][pri]") {
    Rig r(true, true, true);
    PrsMachine& m = *r.machine;
    const uint64_t q = m.regs[kPqa] & ~uint64_t(0xfff);
    iommu::PageRequest a;
    a.sid = kSid;
    a.write = true;
    a.prg_index = 9;
    a.addr = 0x5000;
    iommu::PageRequest b = a;
    b.last = true;
    iommu::PageRequest c = a;
    c.last = true;
    c.prg_index = 0x100;
    c.pasid_valid = true;
    c.pasid = 0x42;
    const iommu::PageRequest reqs[] = {a, b, c};
    for (unsigned i = 0; i < 3; ++i) {
        const auto e = ats_msg::page_request_desc(reqs[i]);
        for (unsigned w = 0; w < 4; ++w) r.mem.write_u64(q + 32 * i + 8 * w, e[w]);
    }
    const bool overflow = GENERATE(false, true);
    m.regs[kPqt] = 3 * 32;
    m.regs[kPrs] = 1 | (overflow ? 2 : 0);  // PPR, PRO
    m.writes.clear();
    const uint64_t mark = r.tail();
    r.driver->service_page_requests();
    REQUIRE(r.types(mark) == std::vector<unsigned>{kPgrp, kWait, kPgrp, kWait});
    const auto d = r.descs(mark);
    const auto r1 = ats_msg::page_group_resp(d[0].first, d[0].second);
    CHECK(r1.rid == kSid);
    CHECK(r1.code == 1);  // Invalid Request
    CHECK_FALSE(r1.pasid_present);
    CHECK(r1.prg_index == 9);
    const auto r2 = ats_msg::page_group_resp(d[2].first, d[2].second);
    CHECK(r2.pasid_present);
    CHECK(r2.pasid == 0x42);
    CHECK(r2.prg_index == 0x100);
    CHECK(r2.code == 1);
    REQUIRE_FALSE(m.writes.empty());
    CHECK(m.writes.front() == std::make_pair(kPrs, uint64_t(1)));  // PPR cleared first
    CHECK(m.regs[kPqh] == 3 * 32);
    CHECK(m.regs[kPrs] == 0);
    CHECK(r.stat("pri.requests") == 3);
    CHECK(r.stat("pri.responses") == 2);
    if (overflow) CHECK(r.stat("pri.overflows") == 1);
}
