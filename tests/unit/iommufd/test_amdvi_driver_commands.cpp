// The AMD-Vi driver's commands: INVALIDATE_IOMMU_PAGES' S/PDE address encoding against
// Linux's build_inv_address worked by hand, strict and deferred unmap, the DTE writes
// and flushes of attach, identity and detach, ATS and PRI, buffer wrap, and the driver
// under iommufd.
#include <catch2/catch.hpp>

#include "tests/unit/iommufd/amdvi_driver_rig.h"
#include "tests/unit/iommufd/one_device_engine.h"

using namespace amdvi_rig;

namespace {

// Device kDev with ATS (and PRI when asked) attached to a new domain of `r`, its ATS and
// PRI enables recorded with the count of memory stores made by then.
struct Endpoint {
    std::vector<std::pair<std::string, size_t>> calls;
    std::unique_ptr<DeviceOps> ops;
    std::unique_ptr<Domain> d;
    Endpoint(Rig& r, bool pri) {
        EndpointCaps c;
        c.ats = true;
        c.pri = pri;
        FakeAmdvi* unit = r.unit.get();
        c.enable_ats = [this, unit](bool on) { calls.emplace_back(on ? "ats on" : "ats off", unit->stores.size()); };
        c.enable_pri = [this, unit](bool on) { calls.emplace_back(on ? "pri on" : "pri off", unit->stores.size()); };
        ops = r.driver->device(kDev, c);
        REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
        r.unit->cmds.clear();
        REQUIRE(ops->attach(*d) == Errno::Ok);
    }
};

}  // namespace

TEST_CASE("amdvi driver: strict unmap's INVALIDATE_IOMMU_PAGES carries Linux's "
          "build_inv_address encoding, PDE set, then a COMPLETION_WAIT", "[iommufd][amdvi-driver]") {
    // dw2/dw3 of each command as Linux computes them: one page is its address (S=0);
    // more, the address with every bit below the highest bit in which the first and
    // last byte differ set, bits 11:0 cleared, S (bit 0) set; PDE is bit 1.
    struct Case {
        const char* what;
        std::vector<std::pair<uint64_t, uint64_t>> maps;  // iova, size
        uint64_t iova, size, dw2, dw3, first, bytes;
    };
    const Case cases[] = {
        {"one 4K page", {{0x1000, 0x1000}}, 0x1000, 0x1000, 0x1002, 0, 0x1000, 0x1000},
        // 0x3000..0x4fff: msb_diff 14, 0x3000 | 0x3fff -> 0x3000, S: a 32K block at 0.
        {"two pages across 16K", {{0x3000, 0x1000}, {0x4000, 0x1000}}, 0x3000, 0x2000, 0x3003, 0, 0, 0x8000},
        // 0x4000..0x5fff: msb_diff 12 -> 0x4000, S: 8K at 0x4000.
        {"an 8K NextLevel=7 page", {{0x4000, 0x2000}}, 0x4000, 0x2000, 0x4003, 0, 0x4000, 0x2000},
        // msb_diff 20: 0x200000 | 0xfffff -> 0x2ff000, S.
        {"a 2M page", {{0x20'0000, 0x20'0000}}, 0x20'0000, 0x20'0000, 0x2f'f003, 0, 0x20'0000, 0x20'0000},
        // msb_diff 29: 0x40000000 | 0x1fffffff -> 0x5ffff000, S.
        {"a 1G page", {{0x4000'0000, 0x4000'0000}}, 0x4000'0000, 0x4000'0000, 0x5fff'f003, 0, 0x4000'0000, 0x4000'0000},
        // 0xfff000..0x1000fff: msb_diff 24 -> 0xfff000, S: a 32M block at 0.
        {"two pages across 16M", {{0xfff000, 0x1000}, {0x100'0000, 0x1000}}, 0xfff000, 0x2000, 0xfff003, 0, 0,
         0x200'0000},
        // 256G at 2^38: msb_diff 37 -> 0x5f_ffff_f000 with S: dw3 holds bits 63:32.
        {"a 256G page", {{uint64_t(1) << 38, uint64_t(1) << 38}}, uint64_t(1) << 38, uint64_t(1) << 38, 0xffff'f003,
         0x5f, uint64_t(1) << 38, uint64_t(1) << 38},
    };
    for (const Case& c : cases) {
        INFO(c.what);
        Attached a;
        for (const auto& m : c.maps) REQUIRE(a.d->map(m.first, m.first, m.second, kRead) == Errno::Ok);
        a.d->unmap(c.iova, c.size);
        const auto& cmds = a.r.unit->cmds;
        REQUIRE(cmds.size() == 2);
        CHECK(cmds[0].op() == INV_PAGES);
        CHECK(cmds[0].domid() == a.domid());
        CHECK(cmds[0].dw[0] == 0);  // no PASID
        CHECK(cmds[0].dw[2] == c.dw2);
        CHECK(cmds[0].dw[3] == c.dw3);
        CHECK_FALSE(cmds[0].gn());
        const Range range = inv_range(cmds[0]);
        CHECK(range.first == c.first);
        CHECK(range.bytes == c.bytes);
        CHECK(cmds[1].op() == COMPLETION_WAIT);
    }
}

TEST_CASE("amdvi driver: deferred unmap queues nothing until flush_all, which invalidates "
          "every page of the DomainID, and a domain no device uses queues nothing",
          "[iommufd][amdvi-driver]") {
    Attached a;
    for (uint64_t i = 0; i < 3; ++i) REQUIRE(a.d->map(0x10'0000 * (i + 1), 0x1000, 0x1000, kRead) == Errno::Ok);
    a.d->unmap(0x10'0000, 0x1000);
    CHECK(a.r.unit->ops() == std::vector<unsigned>{INV_PAGES, COMPLETION_WAIT});
    a.r.unit->cmds.clear();
    a.d->unmap_deferred(0x20'0000, 0x1000);
    a.d->unmap_deferred(0x30'0000, 0x1000);
    CHECK(a.r.unit->cmds.empty());
    CHECK(a.r.walk(0x20'0000).fault);  // gone from the table, maybe not from the IOTLB
    a.d->flush_all();
    REQUIRE(a.r.unit->ops() == std::vector<unsigned>{INV_PAGES, COMPLETION_WAIT});
    const Command& all = a.r.unit->cmds[0];
    CHECK(all.dw[2] == 0xffff'f003);  // 0x7fff_ffff_ffff_f000, PDE, S
    CHECK(all.dw[3] == 0x7fff'ffff);
    CHECK(all.domid() == a.domid());
    CHECK(a.r.stat("waits") == 4);  // probe, attach, the strict unmap, the flush
    std::unique_ptr<Domain> lone;
    REQUIRE(a.r.driver->alloc_domain(0, lone) == Errno::Ok);
    REQUIRE(lone->map(0x1000, 0x1000, 0x1000, kRead) == Errno::Ok);
    a.r.unit->cmds.clear();
    lone->unmap(0x1000, 0x1000);
    lone->flush_all();
    CHECK(a.r.unit->cmds.empty());
}

TEST_CASE("amdvi driver: a page that takes the place of an emptied table flushes its range",
          "[iommufd][amdvi-driver]") {
    Attached a;
    REQUIRE(a.d->map(0x20'0000, 0x20'0000, 0x1000, kRead) == Errno::Ok);
    a.d->unmap(0x20'0000, 0x1000);
    a.r.unit->cmds.clear();
    REQUIRE(a.d->map(0x20'0000, 0x40'0000, 0x20'0000, kRead) == Errno::Ok);
    REQUIRE(a.r.unit->ops() == std::vector<unsigned>{INV_PAGES, COMPLETION_WAIT});
    CHECK(a.r.unit->cmds[0].pde());
    CHECK(inv_range(a.r.unit->cmds[0]).first == 0x20'0000);
    CHECK(inv_range(a.r.unit->cmds[0]).bytes == 0x20'0000);
    CHECK(a.r.walk(0x20'1000).size == 0x20'0000);
}

TEST_CASE("amdvi driver: attach writes the DTE with qword 0 last, then "
          "INVALIDATE_DEVTAB_ENTRY and COMPLETION_WAIT", "[iommufd][amdvi-driver]") {
    Rig r;
    auto ops = r.driver->device(kDev, {});
    std::unique_ptr<Domain> d;
    REQUIRE(ops->alloc_domain(0, d) == Errno::Ok);
    r.unit->cmds.clear();
    const size_t before = r.unit->stores.size();
    REQUIRE(ops->attach(*d) == Errno::Ok);
    const uint64_t at = r.dte_addr(kDev);
    const size_t q0 = r.unit->last_store(at);
    REQUIRE(q0 >= before);
    REQUIRE(q0 < r.unit->stores.size());
    for (unsigned i = 1; i < 4; ++i) CHECK(r.unit->last_store(at + 8 * i) < q0);
    REQUIRE(r.unit->ops() == std::vector<unsigned>{INV_DEVTAB, COMPLETION_WAIT});
    CHECK(r.unit->cmds[0].devid() == kDev);
    // A DeviceID beyond the table, and another driver's domain, are refused.
    CHECK(r.driver->attach(*d, 0x200) == Errno::Inval);
    Rig other;
    CHECK(other.driver->attach(*d, kDev) == Errno::Inval);
}

TEST_CASE("amdvi driver: the identity domain is DTE Mode 0 with IR, IW and its DomainID, "
          "and each replacement flushes the DomainID the DTE named before", "[iommufd][amdvi-driver]") {
    Attached a;
    std::unique_ptr<Domain> id;
    REQUIRE(a.ops->alloc_identity_domain(id) == Errno::Ok);
    CHECK(id->map(0, 0, 0x1000, kRead) == Errno::Inval);
    REQUIRE(a.ops->attach(*id) == Errno::Ok);
    const Dte e = a.r.dte(kDev);
    CHECK(e.v());
    CHECK(e.tv());
    CHECK(e.mode() == 0);
    CHECK(e.root() == 0);
    CHECK(e.ir());
    CHECK(e.iw());
    CHECK(e.domid() == 1);
    const std::vector<unsigned> replace{INV_DEVTAB, COMPLETION_WAIT, INV_PAGES, COMPLETION_WAIT};
    REQUIRE(a.r.unit->ops() == replace);
    CHECK(a.r.unit->cmds[2].domid() == a.domid());
    CHECK(inv_range(a.r.unit->cmds[2]).bytes == 0);
    a.r.unit->cmds.clear();
    REQUIRE(a.ops->attach(*a.d) == Errno::Ok);
    CHECK(a.r.dte(kDev).mode() == 4);
    CHECK(a.r.dte(kDev).domid() == a.domid());
    REQUIRE(a.r.unit->ops() == replace);
    CHECK(a.r.unit->cmds[2].domid() == 1);
    a.r.unit->cmds.clear();
    REQUIRE(a.ops->attach(*a.d) == Errno::Ok);  // the same domain again: nothing to do
    CHECK(a.r.unit->cmds.empty());
}

TEST_CASE("amdvi driver: detach is Linux's blocked domain: DTE V alone, flushed, the old "
          "domain's pages flushed, the DTE written and flushed again", "[iommufd][amdvi-driver]") {
    Attached a;
    const uint16_t domid = a.domid();
    a.ops->detach();
    const Dte e = a.r.dte(kDev);
    CHECK(e.v());
    CHECK_FALSE(e.tv());
    CHECK(e.q[0] == 1);
    CHECK(e.q[1] == 0);
    REQUIRE(a.r.unit->ops() ==
            std::vector<unsigned>{INV_DEVTAB, COMPLETION_WAIT, INV_PAGES, COMPLETION_WAIT, INV_DEVTAB, COMPLETION_WAIT});
    CHECK(a.r.unit->cmds[2].domid() == domid);
    a.r.unit->cmds.clear();
    REQUIRE(a.d->map(0x1000, 0x1000, 0x1000, kRead) == Errno::Ok);
    a.d->unmap(0x1000, 0x1000);
    CHECK(a.r.unit->cmds.empty());  // no device uses the DomainID any more
}

TEST_CASE("amdvi driver: an ATS device gets DTE.I with ATS on before the DTE is written, "
          "and its IOTLB invalidated on attach and unmap, detach turns it off first",
          "[iommufd][amdvi-driver]") {
    Rig r;
    Endpoint ep(r, false);
    DeviceOps& ops = *ep.ops;
    Domain& d = *ep.d;
    REQUIRE(ep.calls.size() == 1);
    CHECK(ep.calls[0].first == "ats on");
    CHECK(ep.calls[0].second <= r.unit->last_store(r.dte_addr(kDev)));
    CHECK(r.dte(kDev).i());
    CHECK_FALSE(r.dte(kDev).ppr());
    REQUIRE(r.unit->ops() == std::vector<unsigned>{INV_DEVTAB, INV_IOTLB, COMPLETION_WAIT});
    const Command& whole = r.unit->cmds[1];
    CHECK(whole.devid() == kDev);
    CHECK(whole.queue_id() == kDev);
    CHECK(whole.maxpend() == 0);
    CHECK(inv_range(whole).bytes == 0);
    REQUIRE(d.map(0x5000, 0x5000, 0x1000, kRead) == Errno::Ok);
    r.unit->cmds.clear();
    d.unmap(0x5000, 0x1000);
    REQUIRE(r.unit->ops() == std::vector<unsigned>{INV_PAGES, INV_IOTLB, COMPLETION_WAIT});
    CHECK(r.unit->cmds[1].dw[2] == 0x5000);  // one page: no S
    CHECK(r.unit->cmds[1].dw[3] == 0);
    r.unit->cmds.clear();
    const size_t stores = r.unit->stores.size();
    ops.detach();
    REQUIRE(ep.calls.size() == 2);
    CHECK(ep.calls[1] == std::make_pair(std::string("ats off"), stores));
    for (const Command& c : r.unit->cmds) CHECK(c.op() != INV_IOTLB);
    CHECK_FALSE(r.dte(kDev).i());
}

TEST_CASE("amdvi driver: no ATS where the firmware reports no IotlbSup, PRI and DTE.PPR only "
          "with a PPR log", "[iommufd][amdvi-driver]") {
    SECTION("iotlb_sup off") {
        drv::DriverParams p = Rig::small();
        p.iotlb_sup = false;
        Rig r(kEfr, p);
        Endpoint ep(r, true);
        CHECK(ep.calls.empty());
        CHECK_FALSE(r.dte(kDev).i());
        CHECK_FALSE(r.dte(kDev).ppr());
    }
    SECTION("PRI with EFR.PPRSup") {
        Rig r;
        Endpoint ep(r, true);
        REQUIRE(ep.calls.size() == 2);
        CHECK(ep.calls[0].first == "pri on");
        CHECK(ep.calls[1].first == "ats on");
        CHECK(r.dte(kDev).ppr());
        CHECK(r.dte(kDev).i());
    }
    SECTION("PRI without EFR.PPRSup") {
        Rig r(GTSup | IASup);
        Endpoint ep(r, true);
        REQUIRE(ep.calls.size() == 1);
        CHECK(ep.calls[0].first == "ats on");
        CHECK_FALSE(r.dte(kDev).ppr());
        CHECK_FALSE(r.driver->ppr_log());
    }
}

TEST_CASE("amdvi driver: more commands than the buffer's 512 entries wrap it, CMD_HEAD "
          "read again for room, every command intact", "[iommufd][amdvi-driver]") {
    Attached a;
    constexpr uint64_t kPages = 300;  // 600 commands
    for (uint64_t i = 0; i < kPages; ++i) REQUIRE(a.d->map(0x1000 * (2 * i + 1), 0x1000, 0x1000, kRead) == Errno::Ok);
    const size_t head_reads_before = a.r.stat("mmio");
    for (uint64_t i = 0; i < kPages; ++i) a.d->unmap(0x1000 * (2 * i + 1), 0x1000);
    const auto& cmds = a.r.unit->cmds;
    REQUIRE(cmds.size() == 2 * kPages);
    for (uint64_t i = 0; i < kPages; ++i) {
        CHECK(cmds[2 * i].op() == INV_PAGES);
        CHECK(cmds[2 * i].address() == 0x1000 * (2 * i + 1));
        CHECK(cmds[2 * i + 1].op() == COMPLETION_WAIT);
    }
    CHECK(a.r.stat("wait_timeouts") == 0);
    CHECK(a.r.stat("mmio") - head_reads_before > 2 * kPages);  // doorbells and CMD_HEAD reads
}

TEST_CASE("amdvi driver under iommufd: the MSI window is reserved, huge pages map as 2M "
          "pages, and unmap invalidates", "[iommufd][amdvi-driver]") {
    Rig r;
    OneDeviceEngine e(r.driver->device(kDev, {}));
    Process& proc = e.proc;
    Context& ctx = e.ctx;
    const uint32_t ioas = e.attach_new_ioas();
    CHECK(r.dte(kDev).mode() == 4);
    constexpr uint64_t kHuge = 0x7e00'0000'0000, kAnon = 0x7f00'0000'0000;
    REQUIRE(proc.mmap(kHuge, 4u << 20, true) == Errno::Ok);
    REQUIRE(proc.mmap(kAnon, 1u << 20, false) == Errno::Ok);
    const uint32_t rw = kReadable | kWriteable | kFixedIova;
    uint64_t msi = 0xfee0'0000, n = 0;
    CHECK(ctx.ioas_map(ioas, rw, kAnon, 0x1000, msi) == Errno::Inval);
    uint64_t iova = 0x4000'0000;
    REQUIRE(ctx.ioas_map(ioas, rw, kHuge, 4u << 20, iova) == Errno::Ok);
    const Page p = r.walk(iova + 0x21'2345);
    REQUIRE_FALSE(p.fault);
    CHECK(p.size >= (1u << 21));
    CHECK(p.pa == *proc.frame(kHuge + 0x21'2345 - 0x345) + 0x345);
    CHECK((p.entry & (uint64_t(3) << 61)) == (uint64_t(3) << 61));
    r.unit->cmds.clear();
    REQUIRE(ctx.ioas_unmap(ioas, iova, 4u << 20, n) == Errno::Ok);
    REQUIRE_FALSE(r.unit->cmds.empty());
    CHECK(r.unit->cmds.front().op() == INV_PAGES);
    CHECK(r.unit->cmds.back().op() == COMPLETION_WAIT);
    CHECK(r.walk(iova).fault);
}
