// The mapping engine's compact bookkeeping: taken IOVAs as merged runs, a process's
// frames and a mapping's pinned pages as runs. Each must answer exactly what a
// per-page or per-area record would.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "models/iommufd/context.h"
#include "models/iommufd/range_set.h"
#include "models/sim/rng.h"

using namespace iommufd;

TEST_CASE("RangeSet: touching ranges merge, erasing splits, lookups find the run", "[iommufd][compact]") {
    RangeSet s;
    for (uint64_t i = 0; i < 1000; ++i) s.insert(0x1000 + i * 0x1000, 0x1fff + i * 0x1000);
    CHECK(s.runs() == 1);
    IovaRange r;
    REQUIRE(s.first_ending_at_or_after(0, r));
    CHECK((r.start == 0x1000 && r.last == 0x3e8fff));
    s.erase(0x5000, 0x5fff);
    CHECK(s.runs() == 2);
    REQUIRE(s.first_ending_at_or_after(0x5000, r));
    CHECK(r.start == 0x6000);
    REQUIRE(s.first_ending_at_or_after(0x4fff, r));
    CHECK((r.start == 0x1000 && r.last == 0x4fff));
    s.insert(0x5000, 0x5fff);
    CHECK(s.runs() == 1);
    s.insert(~uint64_t(0) - 0xfff, ~uint64_t(0));  // the top of the space
    CHECK(s.runs() == 2);
    REQUIRE(s.first_ending_at_or_after(0x3e9000, r));  // past the first run: the top one
    CHECK((r.start == ~uint64_t(0) - 0xfff && r.last == ~uint64_t(0)));
}

namespace {

// The lowest fit of [lo, hi] by exhaustive search over every area: what the
// allocator answered before it stepped over runs.
uint64_t lowest_fit(const IoPagetable& t, uint64_t length, uint64_t align) {
    uint64_t at = 0x1000;
    for (const auto& [iova, a] : t.areas()) {
        const uint64_t aligned = (at + align - 1) & ~(align - 1);
        if (aligned + length - 1 < a.iova) return aligned;
        at = std::max(at, a.last + 1);
    }
    return (at + align - 1) & ~(align - 1);
}

}  // namespace

TEST_CASE("IOVA allocation: the lowest fit among many areas, as an exhaustive search finds",
          "[iommufd][compact]") {
    FrameAllocator frames{uint64_t(1) << 36, uint64_t(1) << 36};
    User user{"u0"};
    Process proc{"p0", user, uint64_t(1) << 40, frames};
    REQUIRE(proc.mmap(0x7f00'0000'0000, uint64_t(1) << 30, false) == Errno::Ok);
    Context ctx{proc};
    uint32_t ioas = 0;
    REQUIRE(ctx.ioas_alloc(ioas) == Errno::Ok);
    sim::Rng rng(2026, "iova-first-fit");
    std::vector<uint64_t> live;
    for (int i = 0; i < 3000; ++i) {
        if (!live.empty() && rng.chance(0.4)) {
            const size_t k = rng.uniform(live.size());
            uint64_t n = 0;
            const uint64_t len = ctx.iopt(ioas)->areas().at(live[k]).length();
            REQUIRE(ctx.ioas_unmap(ioas, live[k], len, n) == Errno::Ok);
            live.erase(live.begin() + long(k));
            continue;
        }
        const uint64_t pages = 1 + rng.uniform(8);  // power-of-two alignment up to 8 pages
        uint64_t align = 1;
        while (align < pages) align <<= 1;
        const uint64_t length = pages * 0x1000;
        const uint64_t want = lowest_fit(*ctx.iopt(ioas), length, align * 0x1000);
        uint64_t iova = 0;
        REQUIRE(ctx.ioas_map(ioas, kReadable, 0x7f00'0000'0000, length, iova) == Errno::Ok);
        REQUIRE(iova == want);
        live.push_back(iova);
    }
}

TEST_CASE("Pages: pinned runs give each page its process frame and count holders exactly",
          "[iommufd][compact]") {
    FrameAllocator frames{uint64_t(1) << 36, uint64_t(1) << 36};
    User user{"u0"};
    Process proc{"p0", user, uint64_t(1) << 30, frames};
    REQUIRE(proc.mmap(0x10000000, 64 * 0x1000, false) == Errno::Ok);
    // Touch some pages out of order so that frames are not all consecutive.
    for (uint64_t p : {9, 3, 4, 5, 40}) REQUIRE(proc.frame(0x10000000 + p * 0x1000));
    Pages pages(proc, 0x10000000, 64 * 0x1000, true, RlimitMode::PerUser);
    std::map<uint64_t, int> holders;  // the per-page record
    sim::Rng rng(2026, "pages-runs");
    std::vector<std::pair<uint64_t, uint64_t>> pins;
    for (int i = 0; i < 400; ++i) {
        if (!pins.empty() && rng.chance(0.45)) {
            const size_t k = rng.uniform(pins.size());
            pages.unpin(pins[k].first, pins[k].second);
            for (uint64_t p = pins[k].first; p <= pins[k].second; ++p)
                if (--holders[p] == 0) holders.erase(p);
            pins.erase(pins.begin() + long(k));
        } else {
            const uint64_t first = rng.uniform(64), last = std::min<uint64_t>(63, first + rng.uniform(12));
            REQUIRE(pages.pin(first, last) == Errno::Ok);
            for (uint64_t p = first; p <= last; ++p) ++holders[p];
            pins.push_back({first, last});
        }
        REQUIRE(pages.pinned_pages() == holders.size());
        REQUIRE(user.locked_pages == holders.size());
        for (uint64_t p = 0; p < 64; ++p) {
            REQUIRE(pages.pinned(p) == (holders.count(p) != 0));
            if (pages.pinned(p)) REQUIRE(pages.frame(p) == *proc.frame(0x10000000 + p * 0x1000));
        }
    }
}

TEST_CASE("Process frames: pages touched in order share a run, each keeps its frame", "[iommufd][compact]") {
    FrameAllocator frames{uint64_t(1) << 36, uint64_t(1) << 36};
    User user{"u0"};
    Process proc{"p0", user, uint64_t(1) << 30, frames};
    REQUIRE(proc.mmap(0x10000000, 256 * 0x1000, false) == Errno::Ok);
    std::map<uint64_t, uint64_t> first_seen;
    sim::Rng rng(2026, "frame-runs");
    for (int i = 0; i < 2000; ++i) {
        const uint64_t page = rng.chance(0.5) ? uint64_t(i % 256) : rng.uniform(256);
        const uint64_t f = *proc.frame(0x10000000 + page * 0x1000 + rng.uniform(0x1000));
        const auto [it, fresh] = first_seen.emplace(page, f);
        REQUIRE(it->second == f);  // a page keeps its frame
        if (fresh) REQUIRE(f == (uint64_t(1) << 36) + (first_seen.size() - 1) * 0x1000);  // handed out in order
    }
}
