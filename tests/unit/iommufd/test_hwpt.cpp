// HWPT objects, attach and replace, enforced cache coherency, GET_HW_INFO, HUGE_PAGES
// and IOAS_COPY over several areas: Linux's semantics (drivers/iommu/iommufd/
// hw_pagetable.c, device.c, io_pagetable.c, ioas.c), each with the errno it gives.
#include <catch2/catch.hpp>

#include "models/iommufd/context.h"
#include "tests/unit/iommufd/mock_domain.h"

using namespace iommufd;

namespace {

constexpr uint64_t MiB = uint64_t(1) << 20;
constexpr uint64_t kBuf = 0x7f00'0000'0000, kHuge = 0x7e00'0000'0000;

// One process with 64 MiB of anonymous and 64 MiB of huge-page memory; two devices,
// each with its own mock driver, the first with an MSI window.
struct Rig {
    FrameAllocator frames{uint64_t(1) << 36, uint64_t(1) << 36};
    User user{"u0"};
    Process proc{"p0", user, uint64_t(1) << 32, frames};
    PageMap mapped0, mapped1;
    uint64_t pages0 = 0, pages1 = 0;
    MockOps ops0{&mapped0, &pages0}, ops1{&mapped1, &pages1};
    Device dev0{"dev0", {{0xfee0'0000, 0xfeef'ffff}}, &ops0}, dev1{"dev1", {}, &ops1};
    Context ctx{proc};
    uint32_t ioas = 0, d0 = 0, d1 = 0;

    Rig() {
        REQUIRE(proc.mmap(kBuf, 64 * MiB, false) == Errno::Ok);
        REQUIRE(proc.mmap(kHuge, 64 * MiB, true) == Errno::Ok);
        REQUIRE(ctx.ioas_alloc(ioas) == Errno::Ok);  // 1
        REQUIRE(ctx.bind(dev0, d0) == Errno::Ok);    // 2
        REQUIRE(ctx.bind(dev1, d1) == Errno::Ok);    // 3
    }
    uint64_t map(uint64_t user_va, uint64_t length, uint32_t in = 0) {
        uint64_t iova = 0;
        REQUIRE(ctx.ioas_map(in ? in : ioas, kReadable | kWriteable, user_va, length, iova) == Errno::Ok);
        return iova;
    }
};

}  // namespace

TEST_CASE("HWPT_ALLOC: errors as Linux gives them, and a HWPT holds the IOAS's mappings",
          "[iommufd][hwpt]") {
    Rig r;
    const uint64_t iova = r.map(kBuf, 0x4000);
    uint32_t hwpt = 0;
    CHECK(r.ctx.hwpt_alloc(99, r.ioas, 0, hwpt) == Errno::NoEnt);      // no such device
    CHECK(r.ctx.hwpt_alloc(r.d0, 99, 0, hwpt) == Errno::Inval);        // no such parent
    CHECK(r.ctx.hwpt_alloc(r.d0, r.d1, 0, hwpt) == Errno::Inval);      // a device is no parent
    CHECK(r.ctx.hwpt_alloc(r.d0, r.ioas, 1u << 7, hwpt) == Errno::OpNotSupp);
    CHECK(r.ctx.hwpt_alloc(r.d0, r.ioas, kHwptNestParent, hwpt) == Errno::OpNotSupp);  // driver
    CHECK(r.ctx.hwpt_alloc(r.d0, r.ioas, kHwptDirtyTracking, hwpt) == Errno::OpNotSupp);
    CHECK(r.ctx.hwpt_alloc(r.d0, r.ioas, kHwptFaultIdValid, hwpt) == Errno::NoEnt);  // no fault object
    CHECK(r.pages0 == 0);
    REQUIRE(r.ctx.hwpt_alloc(r.d0, r.ioas, 0, hwpt) == Errno::Ok);
    CHECK(hwpt == 4);
    CHECK(r.mapped0.size() == 4);     // the IOAS's area, mapped at allocation
    CHECK(r.ops0.attached == nullptr);  // but nothing attached yet
    uint32_t nested = 0;
    CHECK(r.ctx.hwpt_alloc(r.d0, hwpt, 0, nested) == Errno::OpNotSupp);  // nesting needs data
    r.map(kBuf + MiB, 0x1000);
    CHECK(r.mapped0.size() == 5);     // later maps reach it too
    CHECK(r.ctx.destroy(r.ioas) == Errno::Busy);  // the HWPT holds the IOAS
    uint32_t pt = 0;
    REQUIRE(r.ctx.attach(r.d0, hwpt, &pt) == Errno::Ok);
    CHECK(pt == hwpt);
    CHECK(r.ctx.destroy(hwpt) == Errno::Busy);    // a device uses it
    REQUIRE(r.ctx.detach(r.d0) == Errno::Ok);
    CHECK(r.mapped0.size() == 5);     // a HWPT the user made outlives its devices
    REQUIRE(r.ctx.destroy(hwpt) == Errno::Ok);
    CHECK(r.mapped0.empty());
    CHECK(r.ctx.destroy(hwpt) == Errno::NoEnt);
    uint64_t n = 0;
    REQUIRE(r.ctx.ioas_unmap(r.ioas, iova, 0x4000, n) == Errno::Ok);
    uint32_t again = 0;
    REQUIRE(r.ctx.hwpt_alloc(r.d1, r.ioas, 0, again) == Errno::Ok);
    CHECK(again == 4);  // the lowest free ID, as the xarray hands them out
}

TEST_CASE("Attach to an IOAS: automatic HWPTs are shared, and go with their last device",
          "[iommufd][hwpt]") {
    Rig r;
    uint32_t manual = 0, pt0 = 0, pt1 = 0;
    REQUIRE(r.ctx.hwpt_alloc(r.d1, r.ioas, 0, manual) == Errno::Ok);
    REQUIRE(r.ctx.attach(r.d0, r.ioas, &pt0) == Errno::Ok);
    CHECK(pt0 != manual);  // automatic selection never picks a HWPT the user made
    REQUIRE(r.ctx.attach(r.d1, r.ioas, &pt1) == Errno::Ok);
    CHECK(pt1 == pt0);     // the second device shares the first's automatic HWPT
    CHECK(r.ops1.attached == r.ops0.attached);
    r.map(kBuf, 0x2000);
    CHECK(r.mapped0.size() == 2);  // one automatic domain (dev0's driver made it)...
    CHECK(r.mapped1.size() == 2);  // ...and the manual one, made by dev1's
    uint32_t nope = 0;
    CHECK(r.ctx.attach(99, r.ioas) == Errno::NoEnt);
    CHECK(r.ctx.attach(r.d0, 99, &nope) == Errno::NoEnt);
    CHECK(r.ctx.attach(r.d0, r.d1, &nope) == Errno::Inval);  // a device is no page table
    REQUIRE(r.ctx.detach(r.d0) == Errno::Ok);
    CHECK(r.mapped0.size() == 2);  // dev1 still uses it
    REQUIRE(r.ctx.detach(r.d1) == Errno::Ok);
    CHECK(r.mapped0.empty());      // gone with its last device
    CHECK(r.ctx.destroy(pt0) == Errno::NoEnt);
    CHECK(r.ctx.detach(r.d1) == Errno::Inval);  // not attached
}

TEST_CASE("Replace: an attached device moves to another IOAS or HWPT without a gap",
          "[iommufd][hwpt]") {
    Rig r;
    uint32_t other = 0, pt = 0, pt2 = 0;
    REQUIRE(r.ctx.ioas_alloc(other) == Errno::Ok);
    r.map(kBuf, 0x1000);
    r.map(kBuf + MiB, 0x3000, other);
    REQUIRE(r.ctx.attach(r.d0, r.ioas, &pt) == Errno::Ok);
    Domain* first = r.ops0.attached;
    REQUIRE(r.ctx.attach(r.d0, pt, &pt2) == Errno::Ok);  // onto the same: nothing changes
    CHECK(pt2 == pt);
    CHECK(r.ops0.attaches == 1);
    // The MSI window moves with the device: the old IOAS is free there again.
    uint64_t msi = 0xfee0'0000;
    CHECK(r.ctx.ioas_map(r.ioas, kReadable | kFixedIova, kBuf, 0x1000, msi) == Errno::Inval);
    REQUIRE(r.ctx.attach(r.d0, other, &pt2) == Errno::Ok);
    CHECK(pt2 != pt);
    CHECK(r.ops0.attaches == 2);
    CHECK(r.ops0.attached != first);
    CHECK(r.mapped0.size() == 3);   // only the new IOAS's pages: the old HWPT is gone
    CHECK(r.ctx.destroy(pt) == Errno::NoEnt);
    REQUIRE(r.ctx.ioas_map(r.ioas, kReadable | kFixedIova, kBuf, 0x1000, msi) == Errno::Ok);
    // A replace that cannot reserve the MSI window in the target changes nothing.
    Domain* now = r.ops0.attached;
    CHECK(r.ctx.attach(r.d0, r.ioas) == Errno::AddrInUse);
    CHECK(r.ops0.attached == now);
    CHECK(r.ctx.destroy(r.ioas) == Errno::Ok);  // nothing holds the old IOAS
}

TEST_CASE("Enforced coherency: a device that can enforce it takes only HWPTs that do",
          "[iommufd][hwpt]") {
    Rig r;
    r.ops0.enforce = true;   // dev0's unit has snoop control; dev1's has not
    r.ops1.pages = nullptr;  // dev1's two domains would record over each other
    uint32_t plain = 0, pt = 0;
    REQUIRE(r.ctx.hwpt_alloc(r.d1, r.ioas, 0, plain) == Errno::Ok);  // by dev1: no snooping
    r.map(kBuf, 0x1000);                                             // and now it has mappings
    CHECK(r.ctx.attach(r.d0, plain) == Errno::Inval);                // too late to upgrade
    REQUIRE(r.ctx.attach(r.d1, r.ioas, &pt) == Errno::Ok);           // a non-CC automatic HWPT
    REQUIRE(r.ctx.attach(r.d0, r.ioas, &pt) == Errno::Ok);           // incompatible: skipped,
    auto* d0 = dynamic_cast<MockDomain*>(r.ops0.attached);           // a new one made for dev0
    REQUIRE(d0);
    CHECK(d0->snoops);
    CHECK(r.ops1.attached != r.ops0.attached);
    // A HWPT without mappings yet is upgraded when such a device attaches (a domain
    // can force snooping while no unit without snoop control uses it).
    r.ops1.domains_can_snoop = true;
    uint32_t other = 0, fresh = 0;
    REQUIRE(r.ctx.ioas_alloc(other) == Errno::Ok);
    REQUIRE(r.ctx.hwpt_alloc(r.d1, other, 0, fresh) == Errno::Ok);
    REQUIRE(r.ctx.attach(r.d0, fresh) == Errno::Ok);
    CHECK(dynamic_cast<MockDomain*>(r.ops0.attached)->snoops);
}

TEST_CASE("GET_HW_INFO reports the device's unit", "[iommufd][hwpt]") {
    Rig r;
    HwInfo h;
    CHECK(r.ctx.get_hw_info(99, h) == Errno::NoEnt);
    CHECK(r.ctx.get_hw_info(r.ioas, h) == Errno::NoEnt);
    REQUIRE(r.ctx.get_hw_info(r.d0, h) == Errno::Ok);
    CHECK(h.type == 1);
    REQUIRE(h.data.size() == 2);
    CHECK(h.data[0] == std::make_pair(std::string("cap_reg"), uint64_t(0x1234)));
    CHECK(h.data[1] == std::make_pair(std::string("ecap_reg"), uint64_t(0x5678)));
}

TEST_CASE("HUGE_PAGES: huge-page memory maps with 2 MiB leaves unless the option is off",
          "[iommufd][hwpt]") {
    std::map<uint64_t, uint64_t> leaves;
    for (const bool huge : {true, false}) {
        Rig r;
        leaves.clear();
        r.ops0.sizes = 4096 | (uint64_t(1) << 21);
        r.ops0.leaves = &leaves;
        uint64_t v = huge;
        REQUIRE(r.ctx.option(kOptionHugePages, kOptionSet, r.ioas, v) == Errno::Ok);
        REQUIRE(r.ctx.attach(r.d0, r.ioas) == Errno::Ok);
        const uint64_t iova = r.map(kHuge, 8 * MiB);     // 2 MiB-aligned IOVA, 2 MiB frames
        REQUIRE(r.proc.frame(kBuf + 0x1000));            // faulted in out of order: the first
        const uint64_t small = r.map(kBuf, 4 * MiB);     // page's frame is not 2 MiB-aligned
        INFO("huge_pages " << huge);
        CHECK(iova % (2 * MiB) == 0);
        CHECK(r.mapped0.size() == (12 * MiB) / 4096);
        CHECK(leaves.at(iova) == (huge ? 2 * MiB : 4096));
        CHECK(leaves.at(iova + 6 * MiB) == (huge ? 2 * MiB : 4096));
        CHECK(std::distance(leaves.lower_bound(iova), leaves.lower_bound(iova + 8 * MiB)) ==
              (huge ? 4 : 2048));
        CHECK(leaves.at(small) == 4096);
        // Turning large pages off once a domain holds mappings is refused.
        v = 0;
        CHECK(r.ctx.option(kOptionHugePages, kOptionSet, r.ioas, v) == (huge ? Errno::Inval : Errno::Ok));
        uint64_t n = 0;
        REQUIRE(r.ctx.ioas_unmap(r.ioas, 0, ~uint64_t(0), n) == Errno::Ok);
        CHECK(leaves.empty());
        CHECK(r.ctx.option(kOptionHugePages, kOptionSet, r.ioas, v) == Errno::Ok);  // empty now
    }
}

TEST_CASE("IOAS_COPY across several contiguous areas makes one area per source area",
          "[iommufd][hwpt]") {
    Rig r;
    uint32_t dst = 0;
    REQUIRE(r.ctx.ioas_alloc(dst) == Errno::Ok);
    uint64_t a = 0x10'0000, b = 0x10'3000, c = 0x10'8000;
    REQUIRE(r.ctx.ioas_map(r.ioas, kReadable | kWriteable | kFixedIova, kBuf, 0x3000, a) == Errno::Ok);
    REQUIRE(r.ctx.ioas_map(r.ioas, kReadable | kFixedIova, kBuf + MiB, 0x2000, b) == Errno::Ok);
    REQUIRE(r.ctx.ioas_map(r.ioas, kReadable | kFixedIova, kBuf + 2 * MiB, 0x1000, c) == Errno::Ok);
    uint64_t out = 0;
    CHECK(r.ctx.ioas_copy(dst, r.ioas, kReadable, a, 0x9000, out) == Errno::NoEnt);  // a gap
    uint64_t n = 0;
    REQUIRE(r.ctx.ioas_copy(dst, r.ioas, kReadable, a, 0x4000, out) == Errno::Ok);  // part of b
    const auto& areas = r.ctx.iopt(dst)->areas();
    REQUIRE(areas.size() == 2);
    CHECK(std::next(areas.begin())->second.length() == 0x1000);
    REQUIRE(r.ctx.ioas_unmap(dst, 0, ~uint64_t(0), n) == Errno::Ok);
    REQUIRE(r.ctx.ioas_copy(dst, r.ioas, kReadable, a, 0x5000, out) == Errno::Ok);
    REQUIRE(areas.size() == 2);
    CHECK(areas.begin()->second.iova == out);
    CHECK(areas.begin()->second.length() == 0x3000);
    CHECK(std::next(areas.begin())->second.iova == out + 0x3000);
    REQUIRE(r.ctx.attach(r.d0, dst) == Errno::Ok);
    CHECK(r.mapped0.at(out + 0x3000).first == *r.proc.frame(kBuf + MiB));  // b's first page
    CHECK(r.ctx.ioas_unmap(dst, out, 0x3000, n) == Errno::Ok);  // copies are separate areas
    CHECK(n == 0x3000);
}

TEST_CASE("Deferred invalidation: unmaps queue until a batch or a timeout, pages and IOVAs "
          "held until the flush", "[iommufd][flush]") {
    Rig r;
    uint64_t now = 0;
    FlushPolicy p;
    p.deferred = true;
    p.batch = 3;
    p.timeout_ps = 1'000'000;  // 1 us
    std::vector<uint64_t> windows;
    r.ctx.set_flush_policy(p, [&] { return now; }, [&](uint64_t w) { windows.push_back(w); });
    REQUIRE(r.ctx.attach(r.d0, r.ioas) == Errno::Ok);
    IoPagetable& io = *r.ctx.iopt(r.ioas);
    uint64_t iova[3] = {0x10'0000, 0x20'0000, 0x30'0000}, n = 0;
    for (uint64_t& v : iova)
        REQUIRE(r.ctx.ioas_map(r.ioas, kReadable | kFixedIova, kBuf + (v >> 4), 0x1000, v) == Errno::Ok);
    CHECK(r.user.locked_pages == 3);
    now = 100'000;
    REQUIRE(r.ctx.ioas_unmap(r.ioas, iova[0], 0x1000, n) == Errno::Ok);
    CHECK(r.mapped0.count(iova[0]) == 0);   // the mapping is gone from the domain...
    CHECK(io.unflushed(iova[0]));           // ...but not yet from the IOMMU's caches
    CHECK(r.user.locked_pages == 3);        // so its page stays pinned
    CHECK(io.flushes() == 0);
    // Its IOVA is not handed out again before the flush: a fixed map there flushes.
    uint64_t again = iova[0];
    REQUIRE(r.ctx.ioas_map(r.ioas, kReadable | kFixedIova, kBuf + 0x8000, 0x1000, again) == Errno::Ok);
    CHECK(io.flushes() == 1);
    CHECK_FALSE(io.unflushed(iova[0]));
    REQUIRE(windows.size() == 1);
    CHECK(windows[0] == 0);                 // flushed at the same instant
    CHECK(r.user.locked_pages == 3);        // one page unpinned, one pinned again
    // The timeout.
    now = 200'000;
    REQUIRE(r.ctx.ioas_unmap(r.ioas, iova[1], 0x1000, n) == Errno::Ok);
    CHECK(io.flush_deadline_ps() == 1'200'000);
    now = 1'000'000;
    io.flush_if_due();
    CHECK(io.flushes() == 1);
    now = 1'200'000;
    io.flush_if_due();
    CHECK(io.flushes() == 2);
    CHECK(windows.back() == 1'000'000);
    CHECK(io.last_stale_window_ps() == 1'000'000);
    // The batch: three queued unmaps flush at once.
    REQUIRE(r.ctx.ioas_unmap(r.ioas, 0, ~uint64_t(0), n) == Errno::Ok);  // two areas left
    CHECK(io.flushes() == 2);
    REQUIRE(r.ctx.ioas_map(r.ioas, kReadable | kFixedIova, kBuf, 0x1000, iova[1]) == Errno::Ok);
    REQUIRE(r.ctx.ioas_unmap(r.ioas, iova[1], 0x1000, n) == Errno::Ok);
    CHECK(io.flushes() == 3);
    CHECK(r.user.locked_pages == 0);
}
