// The SMMUv3 driver's ATS and PRI against the fake register file (smmuv3_driver_rig.h):
// STE.EATS, when the device's ATS is turned on and off, CMD_ATC_INV after the TLB's
// invalidation with Linux's size encoding, the PRI queue's setup and service. The
// commands are decoded with tests/support/ats_messages.h, written apart from the driver.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "tests/support/ats_messages.h"
#include "tests/unit/iommufd/smmuv3_driver_rig.h"

using namespace smmu_driver_rig;

namespace {

constexpr uint64_t kOpAtcInv = 0x40, kOpPriResp = 0x41, kOpSync = 0x46;

Idrs ats_idrs(bool ats = true, bool pri = false) {
    Idrs i;
    if (ats) i.idr0 |= 1u << 10;  // IDR0.ATS
    if (pri) {
        i.idr0 |= 1u << 16;            // IDR0.PRI
        i.idr1 |= 6u << 11;            // IDR1.PRIQS: 64 entries
    }
    return i;
}

// The device's ATS and PRI Control writes, with what the driver had written by then.
struct Endpoint {
    struct Call {
        std::string what;
        size_t stores, cmds;
    };
    std::vector<Call> calls;
    EndpointCaps caps(FakeSmmu& u, bool ats = true, bool pri = false) {
        EndpointCaps c;
        c.ats = ats;
        c.pri = pri;
        c.enable_ats = [this, &u](bool on) { calls.push_back({on ? "ats on" : "ats off", u.stores.size(), u.raw.size()}); };
        c.enable_pri = [this, &u](bool on) { calls.push_back({on ? "pri on" : "pri off", u.stores.size(), u.raw.size()}); };
        return c;
    }
};

std::vector<uint64_t> opcodes(const FakeSmmu& u, size_t from) {
    std::vector<uint64_t> o;
    for (size_t i = from; i < u.raw.size(); ++i) o.push_back(u.raw[i].first & 0xff);
    return o;
}

}  // namespace

TEST_CASE("smmuv3 driver ats: EATS and the device's ATS follow unit, device and domain",
          "[iommufd][smmuv3-driver][ats]") {
    const bool unit_ats = GENERATE(false, true), dev_ats = GENERATE(false, true), s2 = GENERATE(false, true);
    INFO("unit ATS " << unit_ats << ", device ATS " << dev_ats << ", stage 2 " << s2);
    Rig r(ats_idrs(unit_ats));
    REQUIRE(r.probed == Errno::Ok);
    Endpoint ep;
    auto ops = r.driver->device(kSid, ep.caps(*r.unit, dev_ats));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(s2 ? uint32_t(kHwptNestParent) : 0u, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    const bool ats = unit_ats && dev_ats;
    CHECK(r.ste(kSid).eats == (ats ? 1u : 0u));
    // CR0.ATSCHK only where the unit has ATS.
    CHECK(bool(r.unit->regs[reg::CR0] & ::smmuv3::cr0::ATSCHK) == unit_ats);
    if (!ats) {
        CHECK(ep.calls.empty());
        for (const auto& c : r.unit->raw) CHECK((c.first & 0xff) != kOpAtcInv);
        return;
    }
    // ATS goes on after the STE is written and the whole ATC invalidated and synced.
    REQUIRE(ep.calls.size() == 1);
    CHECK(ep.calls[0].what == "ats on");
    CHECK(r.unit->last_store(r.ste_addr(kSid) + 8) < ep.calls[0].stores);
    REQUIRE(ep.calls[0].cmds >= 2);
    const auto& inv = r.unit->raw[ep.calls[0].cmds - 2];
    const auto a = ats_msg::atc_inv(inv.first, inv.second);
    CHECK(a.opcode == kOpAtcInv);
    CHECK(a.sid == kSid);
    CHECK_FALSE(a.ssv);
    CHECK(a.size == 52);  // ATC_INV_SIZE_ALL
    CHECK((r.unit->raw[ep.calls[0].cmds - 1].first & 0xff) == kOpSync);

    // Blocking: ATS off before the abort STE, the whole ATC invalidated after it.
    const size_t mark = r.unit->raw.size();
    ops->detach();
    REQUIRE(ep.calls.size() == 2);
    CHECK(ep.calls[1].what == "ats off");
    CHECK(ep.calls[1].stores <= r.unit->last_store(r.ste_addr(kSid)));  // stores before the call
    CHECK(r.ste(kSid).abort());
    const auto tail = opcodes(*r.unit, mark);
    REQUIRE(tail.size() >= 2);
    CHECK(tail[tail.size() - 2] == kOpAtcInv);
    CHECK(tail.back() == kOpSync);
    CHECK(ats_msg::atc_inv(r.unit->raw[r.unit->raw.size() - 2].first, r.unit->raw[r.unit->raw.size() - 2].second).size == 52);
}

TEST_CASE("smmuv3 driver ats: an identity domain's bypass STE has no EATS, so ATS goes off",
          "[iommufd][smmuv3-driver][ats]") {
    Rig r(ats_idrs());
    Endpoint ep;
    auto ops = r.driver->device(kSid, ep.caps(*r.unit));
    std::unique_ptr<Domain> paging, identity;
    REQUIRE(ops->alloc_domain(0, paging) == Errno::Ok);
    REQUIRE(ops->alloc_identity_domain(identity) == Errno::Ok);
    REQUIRE(ops->attach(*paging) == Errno::Ok);
    REQUIRE(ops->attach(*identity) == Errno::Ok);
    CHECK(r.ste(kSid).eats == 0);
    REQUIRE(ep.calls.size() == 2);
    CHECK(ep.calls[1].what == "ats off");
    // Back to paging: on again, once.
    REQUIRE(ops->attach(*paging) == Errno::Ok);
    REQUIRE(ep.calls.size() == 3);
    CHECK(ep.calls[2].what == "ats on");
    CHECK(r.ste(kSid).eats == 1);
}

TEST_CASE("smmuv3 driver ats: strict unmap invalidates the TLB, syncs, then the ATC over the "
          "range with Linux's size encoding, and syncs again",
          "[iommufd][smmuv3-driver][ats]") {
    Rig r(ats_idrs());
    Endpoint ep;
    auto ops = r.driver->device(kSid, ep.caps(*r.unit));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    struct Case {
        const char* name;
        uint64_t iova, size, page;
        uint64_t want_addr;
        unsigned want_size, tlbis;
    };
    // Pages 7..10 need the aligned 16 pages from 0 (fls(7 ^ 10) = 4).
    const Case cases[] = {{"4 KiB", 0x40'0000, 0x1000, 0x1000, 0x40'0000, 0, 1},
                          {"2 MiB", 0x80'0000, 0x20'0000, 0x20'0000, 0x80'0000, 9, 1},
                          {"pages 7-10", 0x7000, 0x4000, 0x1000, 0, 4, 4}};
    for (const Case& c : cases) {
        INFO(c.name);
        for (uint64_t a = c.iova; a < c.iova + c.size; a += c.page)
            REQUIRE(d->map(a, 0x4000'0000 + a, c.page, kRead | kWrite) == Errno::Ok);
        const size_t mark = r.unit->raw.size();
        const DriverCost before = r.driver->spent();
        d->unmap(c.iova, c.size);
        std::vector<uint64_t> want(c.tlbis, 0x12);  // TLBI_NH_VA
        want.insert(want.end(), {kOpSync, kOpAtcInv, kOpSync});
        CHECK(opcodes(*r.unit, mark) == want);
        const auto& w = r.unit->raw[mark + c.tlbis + 1];
        const auto a = ats_msg::atc_inv(w.first, w.second);
        CHECK(a.sid == kSid);
        CHECK(a.addr == c.want_addr);
        CHECK(a.size == c.want_size);
        const DriverCost spent = r.driver->spent() - before;
        CHECK(spent.descriptors == c.tlbis + 3);
        CHECK(spent.waits == 2);
    }
    // The flush queue's flush: the ASID, then the whole ATC.
    const size_t mark = r.unit->raw.size();
    d->flush_all();
    CHECK(opcodes(*r.unit, mark) == std::vector<uint64_t>{0x11, kOpSync, kOpAtcInv, kOpSync});
    CHECK(ats_msg::atc_inv(r.unit->raw[mark + 2].first, r.unit->raw[mark + 2].second).size == 52);
    // Deferred unmaps leave the ATC alone until that flush.
    REQUIRE(d->map(0x40'0000, 0x4000'0000, 0x1000, kRead) == Errno::Ok);
    const size_t mark2 = r.unit->raw.size();
    d->unmap_deferred(0x40'0000, 0x1000);
    CHECK(r.unit->raw.size() == mark2);
}

TEST_CASE("smmuv3 driver ats: a device without ATS keeps today's unmap commands",
          "[iommufd][smmuv3-driver][ats]") {
    Rig r(ats_idrs());
    Endpoint ep;
    auto ops = r.driver->device(kSid, ep.caps(*r.unit, false));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    REQUIRE(d->map(0x40'0000, 0x4000'0000, 0x1000, kRead) == Errno::Ok);
    const size_t mark = r.unit->raw.size();
    d->unmap(0x40'0000, 0x1000);
    CHECK(opcodes(*r.unit, mark) == std::vector<uint64_t>{0x12, kOpSync});
}

TEST_CASE("smmuv3 driver pri: probe sets up the PRI queue, PRIQEN and its interrupt before SMMUEN",
          "[iommufd][smmuv3-driver][pri]") {
    Rig r(ats_idrs(true, true));
    REQUIRE(r.probed == Errno::Ok);
    FakeSmmu& u = *r.unit;
    CHECK(r.driver->pri());
    const uint64_t base = u.regs[reg::PRIQ_BASE];
    CHECK((base & 31) == 6);  // LOG2SIZE as IDR1.PRIQS allows
    CHECK((base & 0x000f'ffff'ffff'ffe0) != 0);
    using namespace ::smmuv3;
    const uint32_t en = cr0::CMDQEN | cr0::EVENTQEN;
    CHECK(u.first_write(reg::PRIQ_BASE) < u.first_write(reg::CR0, en | cr0::PRIQEN));
    CHECK(u.first_write(reg::PRIQ_PROD, 0) < u.first_write(reg::CR0, en | cr0::PRIQEN));
    CHECK(u.first_write(reg::PRIQ_CONS, 0) < u.first_write(reg::CR0, en | cr0::PRIQEN));
    CHECK(u.first_write(reg::CR0, en | cr0::PRIQEN) < u.first_write(reg::CR0, en | cr0::PRIQEN | cr0::ATSCHK));
    CHECK(u.regs[reg::IRQ_CTRL] == 2);  // PRIQ_IRQEN
    CHECK(u.first_write(reg::IRQ_CTRL) < u.first_write(reg::CR0, en | cr0::PRIQEN | cr0::ATSCHK | cr0::SMMUEN));
    // A device with PRI gets it turned on with ATS (PRI first), and off after ATS.
    Endpoint ep;
    auto ops = r.driver->device(kSid, ep.caps(u, true, true));
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    REQUIRE(ops->attach(*d) == Errno::Ok);
    ops->detach();
    std::vector<std::string> calls;
    for (const auto& c : ep.calls) calls.push_back(c.what);
    CHECK(calls == std::vector<std::string>{"pri on", "ats on", "ats off", "pri off"});
}

TEST_CASE("smmuv3 driver pri: a unit without IDR0.PRI gets no PRI queue and no IRQ_CTRL write",
          "[iommufd][smmuv3-driver][pri]") {
    Rig r(ats_idrs(true, false));
    CHECK_FALSE(r.driver->pri());
    CHECK(r.unit->first_write(reg::PRIQ_BASE) == r.unit->writes.size());
    CHECK(r.unit->first_write(reg::IRQ_CTRL) == r.unit->writes.size());
}

TEST_CASE("smmuv3 driver pri: service_page_requests denies each group at its last request and "
          "acknowledges an overflow",
          "[iommufd][smmuv3-driver][pri]") {
    Rig r(ats_idrs(true, true));
    FakeSmmu& u = *r.unit;
    const uint64_t q = u.regs[reg::PRIQ_BASE] & 0x000f'ffff'ffff'ffe0;
    iommu::PageRequest a;
    a.sid = kSid;
    a.read = true;
    a.prg_index = 5;
    a.addr = 0x1234'5000;
    iommu::PageRequest b = a;
    b.last = true;
    b.addr = 0x1234'6000;
    iommu::PageRequest c = a;
    c.last = true;
    c.prg_index = 0x1ff;
    c.pasid_valid = true;
    c.pasid = 3;
    const iommu::PageRequest reqs[] = {a, b, c};
    for (unsigned i = 0; i < 3; ++i) {
        const auto e = ats_msg::priq_entry(reqs[i]);
        r.mem.write_u64(q + 16 * i, e[0]);
        r.mem.write_u64(q + 16 * i + 8, e[1]);
    }
    const bool overflow = GENERATE(false, true);
    u.regs[reg::PRIQ_PROD] = 3 | (overflow ? 1u << 31 : 0);
    const size_t mark = u.raw.size();
    r.driver->service_page_requests();
    REQUIRE(opcodes(u, mark) == std::vector<uint64_t>{kOpPriResp, kOpPriResp, kOpSync});
    const auto r1 = ats_msg::pri_resp(u.raw[mark].first, u.raw[mark].second);
    CHECK(r1.sid == kSid);
    CHECK_FALSE(r1.ssv);
    CHECK(r1.grpid == 5);
    CHECK(r1.resp == 0);  // Deny: Invalid Request
    const auto r2 = ats_msg::pri_resp(u.raw[mark + 1].first, u.raw[mark + 1].second);
    CHECK(r2.ssv);
    CHECK(r2.ssid == 3);
    CHECK(r2.grpid == 0x1ff);
    CHECK(r2.resp == 0);
    CHECK(u.regs[reg::PRIQ_CONS] == (3 | (overflow ? 1u << 31 : 0)));
    CHECK(r.stat("pri.requests") == 3);
    CHECK(r.stat("pri.responses") == 2);
    if (overflow) CHECK(r.stat("pri.overflows") == 1);
    // Nothing new: nothing sent.
    const size_t mark2 = u.raw.size();
    r.driver->service_page_requests();
    CHECK(u.raw.size() == mark2);
}
