// The mapping engine's uAPI semantics, ported from the scenarios of Linux's iommufd
// selftests (tools/testing/selftests/iommu/iommufd.c), each with the errno Linux gives.
// Devices attach through a mock domain that records every page it is given.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "models/sim/rng.h"

#include "models/iommufd/context.h"
#include "tests/unit/iommufd/mock_domain.h"

using namespace iommufd;

namespace {

constexpr uint64_t MiB = uint64_t(1) << 20, GiB = uint64_t(1) << 30;

// One user, one process with 1 GiB of anonymous memory at 0x7f00'0000'0000, a context.
struct Rig {
    FrameAllocator frames{uint64_t(1) << 36, uint64_t(1) << 36};
    User user{"u0"};
    Process proc{"p0", user, 64 * GiB, frames};
    std::map<uint64_t, std::pair<uint64_t, unsigned>> mapped;  // what the domains hold
    uint64_t domain_pages = 0;
    MockOps ops{&mapped, &domain_pages};
    Device dev{"dev0", {}, &ops};
    Context ctx{proc};  // last: its domains unmap into `mapped` when it goes
    uint32_t ioas = 0;
    static constexpr uint64_t kBuf = 0x7f00'0000'0000;

    Rig() {
        REQUIRE(proc.mmap(kBuf, GiB, false) == Errno::Ok);
        REQUIRE(ctx.ioas_alloc(ioas) == Errno::Ok);
    }
    Errno map(uint64_t user_va, uint64_t length, uint64_t& iova, bool fixed = false) {
        const uint32_t flags = kReadable | kWriteable | (fixed ? uint32_t(kFixedIova) : 0u);
        return ctx.ioas_map(ioas, flags, user_va, length, iova);
    }
    Errno map_fixed(uint64_t iova, uint64_t length, uint64_t user_va = kBuf) {
        return map(user_va, length, iova, true);
    }
    Errno unmap(uint64_t iova, uint64_t length, uint64_t* out = nullptr) {
        uint64_t n = 0;
        const Errno e = ctx.ioas_unmap(ioas, iova, length, n);
        if (out) *out = n;
        return e;
    }
    uint32_t attach() {
        uint32_t id = 0;
        REQUIRE(ctx.bind(dev, id) == Errno::Ok);
        REQUIRE(ctx.attach(id, ioas) == Errno::Ok);
        return id;
    }
};

}  // namespace

TEST_CASE("iommufd: object IDs start at 1, destroying an unknown one is ENOENT", "[iommufd]") {
    Rig r;
    CHECK(r.ioas == 1);
    uint32_t second = 0;
    CHECK(r.ctx.ioas_alloc(second) == Errno::Ok);
    CHECK(second == 2);
    CHECK(r.ctx.destroy(second) == Errno::Ok);
    CHECK(r.ctx.destroy(second) == Errno::NoEnt);
    CHECK(r.ctx.destroy(99) == Errno::NoEnt);
}

TEST_CASE("iommufd: IOAS_MAP flag and argument checks", "[iommufd]") {
    Rig r;
    uint64_t iova = 0;
    CHECK(r.ctx.ioas_map(r.ioas, 1u << 3 | kReadable, Rig::kBuf, 4096, iova) == Errno::OpNotSupp);
    CHECK(r.ctx.ioas_map(r.ioas, kFixedIova, Rig::kBuf, 4096, iova) == Errno::Inval);
    CHECK(r.ctx.ioas_map(r.ioas, kReadable, Rig::kBuf, 0, iova) == Errno::Inval);
    CHECK(r.ctx.ioas_map(r.ioas, kReadable, ~uint64_t(0) - 4095, 8192, iova) == Errno::Overflow);
    CHECK(r.ctx.ioas_map(r.ioas, kReadable, Rig::kBuf, ~uint64_t(0), iova) == Errno::Overflow);
    CHECK(r.ctx.ioas_map(7, kReadable, Rig::kBuf, 4096, iova) == Errno::NoEnt);
    CHECK(r.map_fixed(~uint64_t(0) - 4095, 8192) == Errno::Overflow);
    // Without a domain an IOAS has no alignment: any byte range maps...
    REQUIRE(r.map_fixed(0x1001, 0x10, Rig::kBuf + 0x80) == Errno::Ok);
    CHECK(r.ctx.iopt(r.ioas)->iova_alignment() == 1);
    uint64_t off = 0;  // HUGE_PAGES off means 4 KiB alignment, which that area lacks
    CHECK(r.ctx.option(kOptionHugePages, kOptionSet, r.ioas, off) == Errno::AddrInUse);
    // ...but a domain cannot take such an area (iopt_check_iova_alignment).
    uint32_t dev = 0;
    REQUIRE(r.ctx.bind(r.dev, dev) == Errno::Ok);
    CHECK(r.ctx.attach(dev, r.ioas) == Errno::AddrInUse);
    REQUIRE(r.unmap(0x1001, 0x10) == Errno::Ok);
    REQUIRE(r.ctx.attach(dev, r.ioas) == Errno::Ok);
    CHECK(r.ctx.iopt(r.ioas)->iova_alignment() == 4096);
    CHECK(r.map_fixed(0x1001, 4096) == Errno::Inval);                   // IOVA
    CHECK(r.map_fixed(0x1000, 0x1800) == Errno::Inval);                 // length
    CHECK(r.map_fixed(0x1000, 4096, Rig::kBuf + 0x80) == Errno::Inval);  // page offset
    CHECK(r.map(Rig::kBuf + 0x80, 4096, iova) == Errno::Inval);          // automatic too
    CHECK(r.map_fixed(0x1000, 4096) == Errno::Ok);
}

TEST_CASE("iommufd: overlapping fixed maps are EEXIST, neighbours are fine", "[iommufd]") {
    Rig r;
    CHECK(r.map_fixed(0x100000, 0x4000) == Errno::Ok);
    CHECK(r.map_fixed(0x100000, 0x4000) == Errno::Exist);
    CHECK(r.map_fixed(0x103000, 0x2000) == Errno::Exist);  // overlaps the last page
    CHECK(r.map_fixed(0x0ff000, 0x2000) == Errno::Exist);  // overlaps the first page
    CHECK(r.map_fixed(0x104000, 0x1000) == Errno::Ok);     // right after
    CHECK(r.map_fixed(0x0ff000, 0x1000) == Errno::Ok);     // right before
}

TEST_CASE("iommufd: unmap takes whole areas, reports their length, never splits", "[iommufd]") {
    Rig r;
    REQUIRE(r.map_fixed(0x100000, 0x4000) == Errno::Ok);
    REQUIRE(r.map_fixed(0x104000, 0x4000) == Errno::Ok);
    uint64_t n = 0;
    CHECK(r.unmap(0x101000, 0x1000) == Errno::NoEnt);     // part of an area
    CHECK(r.unmap(0x200000, 0x1000) == Errno::NoEnt);     // nothing there
    CHECK(r.unmap(0x100000, 0, &n) == Errno::Inval);
    CHECK(r.unmap(0x100000, ~uint64_t(0), &n) == Errno::Overflow);
    CHECK(r.ctx.iopt(r.ioas)->areas().size() == 2);
    // Lowest area first: the first goes, then the cut second one stops the unmap.
    CHECK(r.unmap(0x100000, 0x6000) == Errno::NoEnt);
    CHECK(r.ctx.iopt(r.ioas)->areas().size() == 1);
    CHECK(r.unmap(0x0f0000, 0x20000, &n) == Errno::Ok);   // covers it, with room around
    CHECK(n == 0x4000);
    CHECK(r.unmap(0x100000, 0x8000) == Errno::NoEnt);     // gone
}

TEST_CASE("iommufd: unmap-all removes everything, and succeeds on an empty IOAS", "[iommufd]") {
    Rig r;
    uint64_t iova = 0, n = 1;
    CHECK(r.unmap(0, ~uint64_t(0), &n) == Errno::Ok);
    CHECK(n == 0);
    REQUIRE(r.map(Rig::kBuf, 0x4000, iova) == Errno::Ok);
    REQUIRE(r.map(Rig::kBuf + MiB, 0x2000, iova) == Errno::Ok);
    CHECK(r.unmap(0, ~uint64_t(0), &n) == Errno::Ok);
    CHECK(n == 0x6000);
    CHECK(r.ctx.iopt(r.ioas)->areas().empty());
}

TEST_CASE("iommufd: automatic IOVAs are aligned like the user address and keep its page offset",
          "[iommufd]") {
    Rig r;
    uint64_t iova = 0;
    REQUIRE(r.map(Rig::kBuf + 256 * MiB, 64 * MiB, iova) == Errno::Ok);
    CHECK(iova == 2 * MiB);  // alignment stops at a huge page: the first 2 MiB boundary
    uint64_t n = 0;
    REQUIRE(r.unmap(iova, 64 * MiB, &n) == Errno::Ok);
    REQUIRE(r.map(Rig::kBuf, MiB, iova) == Errno::Ok);  // user VA aligned far beyond 1 MiB
    CHECK(iova == MiB);
    REQUIRE(r.map(Rig::kBuf + 2 * MiB + 0x3000, 64 * 1024, iova) == Errno::Ok);
    CHECK(iova % 0x1000 == 0);  // the user address is only 4 KiB aligned
    REQUIRE(r.map(Rig::kBuf + 4 * MiB + 0x123, 0x100, iova) == Errno::Ok);
    CHECK(iova % 0x1000 == 0x123);  // the byte offset within the page is kept
    // Every automatic IOVA avoids every area.
    const auto& areas = r.ctx.iopt(r.ioas)->areas();
    CHECK(areas.size() == 3);
    uint64_t prev_last = 0;
    for (const auto& [start, a] : areas) {
        CHECK(start > prev_last);
        prev_last = a.last;
    }
}

TEST_CASE("iommufd: reserved regions, given unsorted, split the IOVA ranges and are avoided",
          "[iommufd]") {
    Rig r;
    r.dev.reserved = {{uint64_t(1) << 32, (uint64_t(2) << 32) - 1}, {0xfee0'0000, 0xfeef'ffff}};
    r.attach();
    uint32_t num = 1;
    std::vector<IovaRange> out;
    uint64_t align = 0;
    CHECK(r.ctx.ioas_iova_ranges(r.ioas, num, out, align) == Errno::MsgSize);
    CHECK(num == 3);
    REQUIRE(out.size() == 1);
    num = 3;
    REQUIRE(r.ctx.ioas_iova_ranges(r.ioas, num, out, align) == Errno::Ok);
    REQUIRE(out.size() == 3);
    CHECK(out[0].start == 0);
    CHECK(out[0].last == 0xfedf'ffff);
    CHECK(out[1].start == 0xfef0'0000);
    CHECK(out[1].last == 0xffff'ffff);
    CHECK(out[2].start == uint64_t(2) << 32);
    CHECK(out[2].last == ~uint64_t(0));
    CHECK(align == 4096);
    // A fixed map over a reserved region is EINVAL; automatic ones go around it.
    CHECK(r.map_fixed(0xfee0'0000, 0x1000) == Errno::Inval);
    uint64_t iova = 0;
    REQUIRE(r.map(Rig::kBuf, 512 * MiB, iova) == Errno::Ok);
    const uint64_t last = iova + 512 * MiB - 1;
    CHECK((last < 0xfee0'0000 || iova > 0xfeef'ffff));
    CHECK((last < (uint64_t(1) << 32) || iova >= (uint64_t(2) << 32)));
}

TEST_CASE("iommufd: allowed IOVAs confine automatic IOVAs, reserved or busy ranges refuse",
          "[iommufd]") {
    Rig r;
    r.dev.reserved = {{0xfee0'0000, 0xfeef'ffff}};
    r.attach();
    CHECK(r.ctx.ioas_allow_iovas(r.ioas, {{0xfe00'0000, 0xfeff'ffff}}) == Errno::AddrInUse);
    REQUIRE(r.ctx.ioas_allow_iovas(r.ioas, {{0x1000'0000, 0x1000'ffff}}) == Errno::Ok);
    uint64_t iova = 0;
    REQUIRE(r.map(Rig::kBuf, 0x4000, iova) == Errno::Ok);
    CHECK(iova >= 0x1000'0000);
    CHECK(iova + 0x4000 - 1 <= 0x1000'ffff);
    CHECK(r.map(Rig::kBuf, 0x20000, iova) == Errno::NoSpc);  // larger than what is allowed
    // Allowed ranges steer automatic IOVAs only: a fixed one may lie outside, and
    // areas outside a new allowed set stay (iopt_check_iova, iopt_set_allow_iova).
    CHECK(r.map_fixed(0x2000'0000, 0x1000) == Errno::Ok);
    CHECK(r.ctx.ioas_allow_iovas(r.ioas, {{0x3000'0000, 0x3000'ffff}}) == Errno::Ok);
    CHECK(r.ctx.iopt(r.ioas)->areas().size() == 2);
    CHECK(r.ctx.ioas_allow_iovas(r.ioas, {{0x5000, 0x5000}}) == Errno::Inval);  // start >= last
    CHECK(r.ctx.ioas_allow_iovas(r.ioas, {{0x5000, 0x8fff}, {0x8000, 0x9fff}}) == Errno::Inval);
    CHECK(r.ctx.ioas_allow_iovas(r.ioas, {}) == Errno::Ok);  // everything again
}

TEST_CASE("iommufd: IOAS_COPY shares the source's pages, they are pinned once", "[iommufd]") {
    Rig r;
    uint32_t dst = 0;
    REQUIRE(r.ctx.ioas_alloc(dst) == Errno::Ok);
    r.attach();
    uint64_t src_iova = 0, dst_iova = 0;
    REQUIRE(r.map(Rig::kBuf, 0x10000, src_iova) == Errno::Ok);
    const uint64_t charged = r.user.locked_pages;
    CHECK(charged == 16);
    CHECK(r.ctx.ioas_copy(dst, r.ioas, kReadable, src_iova, 0x20000, dst_iova) == Errno::NoEnt);
    CHECK(r.ctx.ioas_copy(dst, r.ioas, kReadable, src_iova - 0x1000, 0x2000, dst_iova) == Errno::NoEnt);
    // Part of an area copies too (iopt_get_pages takes partial areas).
    REQUIRE(r.ctx.ioas_copy(dst, r.ioas, kReadable, src_iova + 0x1000, 0x1000, dst_iova) == Errno::Ok);
    const Area& part = r.ctx.iopt(dst)->areas().at(dst_iova);
    CHECK(part.pages->frame(part.first_page()) == *r.proc.frame(Rig::kBuf + 0x1000));
    uint64_t removed = 0;
    REQUIRE(r.ctx.ioas_unmap(dst, dst_iova, 0x1000, removed) == Errno::Ok);
    CHECK(r.ctx.ioas_copy(dst, r.ioas, 1u << 5, src_iova, 0x10000, dst_iova) == Errno::OpNotSupp);
    REQUIRE(r.ctx.ioas_copy(dst, r.ioas, kReadable, src_iova, 0x10000, dst_iova) == Errno::Ok);
    // A second device on the destination: the same pages, no new charge.
    std::map<uint64_t, std::pair<uint64_t, unsigned>> dst_mapped;
    uint64_t dst_pages = 0;
    MockOps ops2{&dst_mapped, &dst_pages};
    Device dev2{"dev1", {}, &ops2};
    uint32_t id2 = 0;
    REQUIRE(r.ctx.bind(dev2, id2) == Errno::Ok);
    REQUIRE(r.ctx.attach(id2, dst) == Errno::Ok);
    CHECK(r.user.locked_pages == charged);
    REQUIRE(dst_mapped.size() == 16);
    CHECK(dst_mapped.at(dst_iova).first == r.mapped.at(src_iova).first);  // the same frame
    CHECK(dst_mapped.at(dst_iova).second == kRead);                       // the copy's rights
    uint64_t n = 0;
    REQUIRE(r.ctx.ioas_unmap(r.ioas, src_iova, 0x10000, n) == Errno::Ok);
    CHECK(r.user.locked_pages == charged);  // still pinned through the copy
    REQUIRE(r.ctx.detach(id2) == Errno::Ok);
    CHECK(r.user.locked_pages == 0);        // the last holder let go
    CHECK(dst_mapped.empty());
}

TEST_CASE("iommufd: OPTION RLIMIT_MODE and HUGE_PAGES", "[iommufd]") {
    FrameAllocator frames{uint64_t(1) << 36, GiB};
    User user{"u0"};
    Process proc{"p0", user, GiB, frames};
    Context ctx{proc};
    uint64_t v = 7;
    CHECK(ctx.option(kOptionRlimitMode, kOptionGet, 0, v) == Errno::Ok);
    CHECK(v == 0);  // per-user by default
    v = 1;
    CHECK(ctx.option(kOptionRlimitMode, kOptionSet, 1, v) == Errno::OpNotSupp);  // not an object option
    CHECK(ctx.option(kOptionRlimitMode, kOptionSet, 0, v) == Errno::Ok);
    CHECK(ctx.rlimit_mode() == RlimitMode::PerProcess);
    v = 2;
    CHECK(ctx.option(kOptionRlimitMode, kOptionSet, 0, v) == Errno::Inval);
    CHECK(ctx.option(9, kOptionGet, 0, v) == Errno::OpNotSupp);
    CHECK(ctx.option(kOptionRlimitMode, 5, 0, v) == Errno::OpNotSupp);
    uint32_t ioas = 0;
    REQUIRE(ctx.ioas_alloc(ioas) == Errno::Ok);
    v = 0;
    CHECK(ctx.option(kOptionRlimitMode, kOptionSet, 0, v) == Errno::Busy);  // objects exist
    v = 7;
    CHECK(ctx.option(kOptionRlimitMode, kOptionSet, 0, v) == Errno::Busy);  // before the value
    CHECK(ctx.option(kOptionHugePages, 5, 42, v) == Errno::NoEnt);          // the object first
    CHECK(ctx.option(kOptionHugePages, kOptionGet, ioas, v) == Errno::Ok);
    CHECK(v == 1);
    v = 0;
    CHECK(ctx.option(kOptionHugePages, kOptionSet, ioas, v) == Errno::Ok);
    CHECK(ctx.option(kOptionHugePages, kOptionGet, ioas, v) == Errno::Ok);
    CHECK(v == 0);
    CHECK(ctx.option(kOptionHugePages, kOptionGet, 42, v) == Errno::NoEnt);
}

TEST_CASE("iommufd: destroying an IOAS a device is attached to is EBUSY", "[iommufd]") {
    Rig r;
    const uint32_t dev = r.attach();
    CHECK(r.ctx.destroy(r.ioas) == Errno::Busy);
    REQUIRE(r.ctx.detach(dev) == Errno::Ok);
    CHECK(r.ctx.destroy(r.ioas) == Errno::Ok);
}

TEST_CASE("iommufd: with a domain attached, maps pin, map every page and unmap returns them",
          "[iommufd]") {
    Rig r;
    uint64_t early = 0;
    REQUIRE(r.map(Rig::kBuf, 0x3000, early) == Errno::Ok);  // before any domain: not pinned
    CHECK(r.user.locked_pages == 0);
    r.attach();                                              // attach pins and maps it
    CHECK(r.user.locked_pages == 3);
    CHECK(r.mapped.size() == 3);
    uint64_t iova = 0;
    REQUIRE(r.map(Rig::kBuf + 0x100000, 0x2000, iova) == Errno::Ok);
    REQUIRE(r.mapped.count(iova));
    CHECK(r.mapped.at(iova).first == *r.proc.frame(Rig::kBuf + 0x100000));
    CHECK(r.user.locked_pages == 5);
    // Memory the process does not have: EFAULT, nothing left behind.
    CHECK(r.map(0x1000'0000, 0x1000, iova) == Errno::Fault);
    CHECK(r.user.locked_pages == 5);
    uint64_t n = 0;
    REQUIRE(r.unmap(0, ~uint64_t(0), &n) == Errno::Ok);
    CHECK(r.user.locked_pages == 0);
    CHECK(r.mapped.empty());
}

namespace {

// One user, two processes, each with RLIMIT_MEMLOCK 4 GiB and 3 GiB mapped; each maps
// its 3 GiB into its own IOAS with a device attached.
std::pair<Errno, Errno> two_processes(RlimitMode mode, uint64_t* user_pages) {
    FrameAllocator frames{uint64_t(1) << 40, uint64_t(1) << 36};
    User user{"u0"};
    Process p0{"p0", user, 4 * GiB, frames}, p1{"p1", user, 4 * GiB, frames};
    uint64_t count = 0;
    MockOps ops{nullptr, &count};
    Device dev[2] = {{"dev0", {}, &ops}, {"dev1", {}, &ops}};  // one each: a device has one owner
    Context c0{p0}, c1{p1};
    Errno result[2];
    Context* ctx[2] = {&c0, &c1};
    Process* proc[2] = {&p0, &p1};
    for (int i = 0; i < 2; ++i) {
        uint64_t v = uint64_t(mode);
        REQUIRE(ctx[i]->option(kOptionRlimitMode, kOptionSet, 0, v) == Errno::Ok);
        uint32_t ioas = 0, id = 0;
        REQUIRE(proc[i]->mmap(0x7f00'0000'0000, 3 * GiB, false) == Errno::Ok);
        REQUIRE(ctx[i]->ioas_alloc(ioas) == Errno::Ok);
        REQUIRE(ctx[i]->bind(dev[i], id) == Errno::Ok);
        REQUIRE(ctx[i]->attach(id, ioas) == Errno::Ok);
        uint64_t iova = 0;
        result[i] = ctx[i]->ioas_map(ioas, kReadable | kWriteable, 0x7f00'0000'0000, 3 * GiB, iova);
    }
    *user_pages = user.locked_pages;
    return {result[0], result[1]};
}

}  // namespace

TEST_CASE("iommufd accounting: per-user mode charges one user for both processes",
          "[iommufd][accounting]") {
    uint64_t user_pages = 0;
    const auto [first, second] = two_processes(RlimitMode::PerUser, &user_pages);
    CHECK(first == Errno::Ok);
    CHECK(second == Errno::NoMem);
    CHECK(user_pages == 3 * GiB / 4096);
}

TEST_CASE("iommufd accounting: per-process mode charges each process", "[iommufd][accounting]") {
    uint64_t user_pages = 0;
    const auto [first, second] = two_processes(RlimitMode::PerProcess, &user_pages);
    CHECK(first == Errno::Ok);
    CHECK(second == Errno::Ok);
    CHECK(user_pages == 0);
}

TEST_CASE("iommufd: random maps and unmaps keep areas disjoint and domains exact",
          "[iommufd][fuzz]") {
    Rig r;
    r.dev.reserved = {{0x8000'0000, 0x8fff'ffff}};
    r.attach();
    sim::Rng rng(2026, "iommufd-fuzz");
    for (int i = 0; i < 3000; ++i) {
        uint64_t iova = 0, n = 0;
        const uint64_t length = (1 + rng.uniform(16)) * 4096 - (rng.chance(0.2) ? rng.uniform(4096) : 0);
        const uint64_t user = Rig::kBuf + rng.uniform(4096) * 4096 + (rng.chance(0.2) ? rng.uniform(4096) : 0);
        switch (rng.uniform(4)) {
            case 0: r.map(user, length, iova); break;
            case 1: r.map_fixed(rng.uniform(1u << 20) * 4096 + user % 4096, length, user); break;
            case 2: r.unmap(rng.uniform(1u << 20) * 4096, rng.uniform(1u << 8) * 4096); break;
            default: {
                const auto& areas = r.ctx.iopt(r.ioas)->areas();
                if (areas.empty()) break;
                auto it = areas.begin();
                std::advance(it, rng.uniform(areas.size()));
                REQUIRE(r.unmap(it->second.iova, it->second.length(), &n) == Errno::Ok);
            }
        }
        // Invariants: disjoint areas clear of the reserved region; the domain holds
        // exactly their pages; each distinct user page is charged once.
        std::set<uint64_t> want;
        std::map<const Pages*, std::set<uint64_t>> pinned;  // summed only: order-free
        uint64_t prev_last = 0;
        bool first = true;
        for (const auto& [start, a] : r.ctx.iopt(r.ioas)->areas()) {
            if (!first && start <= prev_last) FAIL("overlapping areas at " << start);
            first = false;
            prev_last = a.last;
            if (a.last >= 0x8000'0000 && a.iova <= 0x8fff'ffff) FAIL("area in the reserved region");
            for (uint64_t p = a.first_page(); p <= a.last_page(); ++p) {
                want.insert(a.iova - a.offset % 4096 + (p - a.first_page()) * 4096);
                pinned[a.pages.get()].insert(p);
            }
        }
        REQUIRE(r.mapped.size() == want.size());
        size_t missing = 0;
        for (uint64_t page : want) missing += r.mapped.count(page) == 0;
        REQUIRE(missing == 0);
        uint64_t charged = 0;
        for (const auto& [pages, set] : pinned) charged += set.size();
        REQUIRE(r.user.locked_pages == charged);
    }
}

TEST_CASE("iommufd access pin: boundaries, page offsets, two contiguous areas, permissions",
          "[iommufd][access]") {
    Rig r;
    uint64_t pin = 0;
    std::vector<uint64_t> frames;
    const uint32_t rw = kReadable | kWriteable | kFixedIova, ro = kReadable | kFixedIova;
    // Area A: user memory from 0x100 into a page, at IOVA 0x10'0100, ending on a page
    // boundary of its pages; area B right after it, read-only; then a hole.
    uint64_t a = 0x10'0100, b = 0x10'3000;
    REQUIRE(r.ctx.ioas_map(r.ioas, rw, Rig::kBuf + 0x100, 0x2f00, a) == Errno::Ok);
    REQUIRE(r.ctx.ioas_map(r.ioas, ro, Rig::kBuf + 0x10000, 0x2000, b) == Errno::Ok);
    CHECK(r.ctx.access_pin(r.ioas, 0x10'0100, 0, false, pin, frames) == Errno::Inval);
    CHECK(r.ctx.access_pin(r.ioas, ~uint64_t(0), 2, false, pin, frames) == Errno::Overflow);
    CHECK(r.ctx.access_pin(r.ioas, 0x10'0000, 0x200, false, pin, frames) == Errno::NoEnt);  // before A
    CHECK(r.ctx.access_pin(r.ioas, 0x10'4000, 0x2000, false, pin, frames) == Errno::NoEnt);  // past B
    // A's first byte is 0x100 into its page: pins need whole pages (EINVAL).
    CHECK(r.ctx.access_pin(r.ioas, 0x10'0100, 0x2f00, false, pin, frames) == Errno::Inval);
    CHECK(r.ctx.access_pin(r.ioas, 0x10'1f00, 0x100, false, pin, frames) == Errno::Inval);
    CHECK(r.ctx.access_pin(r.ioas, 0x10'2000, 0x2000, true, pin, frames) == Errno::Perm);   // into B
    CHECK(r.user.locked_pages == 0);  // failures pin nothing
    // From IOVA 0x10'2000, where A's user memory reaches a page boundary: A's last
    // page and B's first.
    REQUIRE(r.ctx.access_pin(r.ioas, 0x10'2000, 0x1100, false, pin, frames) == Errno::Ok);
    REQUIRE(frames.size() == 2);
    CHECK(frames[0] == *r.proc.frame(Rig::kBuf + 0x2000));
    CHECK(frames[1] == *r.proc.frame(Rig::kBuf + 0x10000));
    CHECK(r.user.locked_pages == 2);
    uint64_t again = 0;
    REQUIRE(r.ctx.access_pin(r.ioas, 0x10'3000, 0x2000, false, again, frames) == Errno::Ok);
    CHECK(r.user.locked_pages == 3);  // B's first page was pinned already
    // An area that ends inside its last page cannot be pinned across into the next.
    uint64_t e = 0x20'0000, f = 0x20'1800;
    REQUIRE(r.ctx.ioas_map(r.ioas, rw, Rig::kBuf + 0x40000, 0x1800, e) == Errno::Ok);
    REQUIRE(r.ctx.ioas_map(r.ioas, rw, Rig::kBuf + 0x50800, 0x800, f) == Errno::Ok);
    uint64_t no = 0;
    CHECK(r.ctx.access_pin(r.ioas, 0x20'0000, 0x2000, false, no, frames) == Errno::Inval);
    CHECK(r.ctx.access_pin(r.ioas, 0x20'0000, 0x1000, false, no, frames) == Errno::Ok);
    CHECK(r.ctx.access_unpin(r.ioas, no) == Errno::Ok);
    CHECK(r.ctx.access_unpin(r.ioas, pin) == Errno::Ok);
    CHECK(r.ctx.access_unpin(r.ioas, pin) == Errno::NoEnt);
    CHECK(r.user.locked_pages == 2);
    // Unmapping B drops the pin through it (the access's unmap callback unpins).
    uint64_t n = 0;
    REQUIRE(r.ctx.ioas_unmap(r.ioas, 0x10'3000, 0x2000, n) == Errno::Ok);
    CHECK(r.ctx.access_unpin(r.ioas, again) == Errno::NoEnt);
    CHECK(r.user.locked_pages == 0);
}

// Isolation (issue 11): a device bound to one context could be bound and attached by a
// second one, whose mappings then steered the first process's device.
TEST_CASE("iommufd: a device another context has bound is EPERM until that context closes",
          "[iommufd][isolation]") {
    Rig r;
    const uint32_t id = r.attach();
    Process other_proc{"p1", r.user, GiB, r.frames};
    auto other = std::make_unique<Context>(other_proc);
    uint32_t other_id = 0;
    CHECK(other->bind(r.dev, other_id) == Errno::Perm);
    uint32_t again = 0;
    CHECK(r.ctx.bind(r.dev, again) == Errno::Ok);  // the owner may bind it again
    CHECK(again != id);
    other.reset();
    Context third{other_proc};
    uint32_t third_id = 0;
    CHECK(third.bind(r.dev, third_id) == Errno::Perm);  // still r.ctx's
}

TEST_CASE("iommufd: once the owning context closes, another may bind the device",
          "[iommufd][isolation]") {
    Rig r;
    Process other_proc{"p1", r.user, GiB, r.frames};
    {
        Context first{other_proc};
        uint32_t id = 0;
        REQUIRE(first.bind(r.dev, id) == Errno::Ok);
    }
    CHECK(r.dev.owner == nullptr);
    r.attach();
    CHECK(r.dev.owner == &r.ctx);
}

// Fuzzing reproducers (issue 11): lengths near 2^63 sized per-page vectors before any
// check and died in bad_alloc. Now the kernel's errnos come back at once.
TEST_CASE("iommufd: huge lengths get errnos, never a huge allocation", "[iommufd][robustness]") {
    Rig r;
    constexpr uint64_t kHuge = uint64_t(1) << 62;
    CHECK(r.proc.mmap(0x1000'0000, kHuge, false) == Errno::NoMem);        // beyond TASK_SIZE
    CHECK(r.proc.mmap(uint64_t(1) << 47, 4096, false) == Errno::NoMem);
    CHECK(r.proc.mmap(0x7fff'ffff'e000, 4096, false) == Errno::Ok);       // the last page
    uint64_t iova = 0;
    // No domain yet: nothing is pinned, so the map needs only IOVA space (Linux alike).
    CHECK(r.map(Rig::kBuf, kHuge, iova) == Errno::Ok);
    CHECK(r.unmap(0, ~uint64_t(0)) == Errno::Ok);
    r.attach();
    // With a domain the pages must be pinned: the process has no such memory.
    CHECK(r.map(Rig::kBuf, kHuge, iova) == Errno::Fault);
    CHECK(r.map(Rig::kBuf, uint64_t(1) << 63, iova) == Errno::Overflow);  // no such IOVA span
    CHECK(r.map(Rig::kBuf, 8192, iova) == Errno::Ok);  // and the IOAS still works
}

// Fuzzing reproducer (fuzz_iommufd): an area of ~2^51 bytes, mapped while no domain
// needed its pages, then one page of it pinned by an access: the pin sized per-page
// vectors for the whole area and died asking for 2^43 bytes. Pins now cost what they
// pin (Linux keeps pinned pfns in an xarray).
TEST_CASE("iommufd: pinning a page of a huge area costs that page", "[iommufd][robustness]") {
    Rig r;
    uint64_t iova = 0x10'0000;
    const uint64_t huge = 0x0901'0103'feff'f7ff;
    REQUIRE(r.map(Rig::kBuf, huge, iova, true) == Errno::Ok);  // no domain: nothing pinned
    uint64_t pin = 0;
    std::vector<uint64_t> frames;
    REQUIRE(r.ctx.access_pin(r.ioas, 0x10'0000, 4096, true, pin, frames) == Errno::Ok);
    CHECK(frames == std::vector<uint64_t>{*r.proc.frame(Rig::kBuf)});
    CHECK(r.user.locked_pages == 1);
    uint64_t again = 0;
    REQUIRE(r.ctx.access_pin(r.ioas, 0x10'0000, 0x2000, false, again, frames) == Errno::Ok);
    CHECK(r.user.locked_pages == 2);
    CHECK(r.ctx.access_unpin(r.ioas, pin) == Errno::Ok);
    CHECK(r.user.locked_pages == 2);  // the second pin still holds both pages
    CHECK(r.ctx.access_unpin(r.ioas, again) == Errno::Ok);
    CHECK(r.user.locked_pages == 0);
    // A domain cannot take it: the area ends inside a page.
    uint32_t id = 0;
    REQUIRE(r.ctx.bind(r.dev, id) == Errno::Ok);
    CHECK(r.ctx.attach(id, r.ioas) == Errno::AddrInUse);
    CHECK(r.user.locked_pages == 0);
    CHECK(r.unmap(0, ~uint64_t(0)) == Errno::Ok);
}
