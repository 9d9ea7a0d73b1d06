// Conformance, functionally (no simulated time): every registered architecture's
// driver, driven by iommufd, and its hardware model agree on what is mapped.
#include <catch2/catch.hpp>

#include <map>

#include "models/sim/rng.h"
#include "tests/conformance/conformance.h"

using namespace iommufd;
using conformance::Engine;
using conformance::Rig;

namespace {

constexpr uint64_t kUser = 0x7f00'0000'0000;
constexpr IovaRange kAllowed{0x100'0000, 0x1ff'ffff};

// Maps a random run of pages (read-only or writable) somewhere in the IOAS, or unmaps
// a random area: after a strict unmap, a page the unit had cached faults at once.
void random_step(Rig& r, Engine& e, sim::Rng& rng) {
    uint64_t iova = 0, n = 0;
    if (rng.chance(0.6)) {
        const uint32_t flags = kReadable | (rng.chance(0.5) ? uint32_t(kWriteable) : 0u);
        e.ctx.ioas_map(e.ioas, flags, kUser + rng.uniform(16000) * 4096, (1 + rng.uniform(8)) * 4096, iova);
        return;
    }
    const auto& areas = e.ctx.iopt(e.ioas)->areas();
    if (areas.empty()) return;
    auto it = areas.begin();
    std::advance(it, rng.uniform(areas.size()));
    const uint64_t page = it->second.page_iova();
    REQUIRE_FALSE(r.access(page, false).fault);
    REQUIRE(e.ctx.ioas_unmap(e.ioas, it->second.iova, it->second.length(), n) == Errno::Ok);
    REQUIRE(r.access(page, false).fault);
}

// Every page of the allowed range: a live area's page translates to its frame with its
// rights; any other page faults. Returns the pages that answered wrongly.
size_t wrong_pages(Rig& r, Engine& e, size_t& live_pages) {
    std::map<uint64_t, std::pair<uint64_t, bool>> live;  // iova page -> (frame, writable)
    for (const auto& [start, a] : e.ctx.iopt(e.ioas)->areas())
        for (uint64_t p = a.first_page(); p <= a.last_page(); ++p)
            live[a.page_iova() + (p - a.first_page()) * 4096] = {a.pages->frame(p), (a.prot & kWrite) != 0};
    live_pages = live.size();
    size_t wrong = 0;
    for (uint64_t a = kAllowed.start; a < kAllowed.last; a += 4096) {
        const iommu::Result rd = r.access(a, false), wr = r.access(a, true);
        auto it = live.find(a);
        if (it == live.end()) {
            wrong += !rd.fault || !wr.fault;
            continue;
        }
        wrong += rd.fault || rd.pa != it->second.first;
        wrong += wr.fault == it->second.second;
    }
    return wrong;
}

}  // namespace

TEST_CASE("conformance: the registry holds the product's architectures and the test ones",
          "[conformance]") {
    std::vector<std::string> names;
    for (const auto& v : conformance::variants())
        if (v.settings.empty()) names.push_back(v.arch->name);
    // The platform suite (test_platform.cpp) instantiates its cases for exactly these.
#define CONFORMANCE_NAME(ARCH) #ARCH,
    CHECK(names == std::vector<std::string>{CONFORMANCE_ARCHS(CONFORMANCE_NAME)});
#undef CONFORMANCE_NAME
}

TEST_CASE("conformance: after random maps and unmaps through iommufd, every architecture "
          "translates exactly the live mappings, and a strict unmap faults at once",
          "[conformance][fuzz]") {
    for (const conformance::Variant& v : conformance::variants()) {
        INFO(v.label());
        Rig r(v);
        Engine e(r);
        REQUIRE(e.proc.mmap(kUser, 64u << 20, false) == Errno::Ok);
        REQUIRE(e.ctx.ioas_allow_iovas(e.ioas, {kAllowed}) == Errno::Ok);
        sim::Rng rng(2026, "conformance");
        for (int i = 0; i < 2000; ++i) {
            random_step(r, e, rng);
            if (i % 100 == 0)  // translate everything now and then, filling the caches
                for (uint64_t a = kAllowed.start; a < kAllowed.last; a += 4096) r.access(a, false);
        }
        size_t live = 0;
        CHECK(wrong_pages(r, e, live) == 0);
        CHECK(live > 100);
        CHECK(r.driver->spent().waits > 0);
    }
}

TEST_CASE("conformance: a deferred unmap stays usable (and counted unflushed) until its "
          "flush, then faults", "[conformance]") {
    for (const conformance::Variant& v : conformance::variants()) {
        INFO(v.label());
        Rig r(v);
        Engine e(r);
        FlushPolicy deferred;
        deferred.deferred = true;
        e.ctx.set_flush_policy(deferred, [] { return uint64_t(0); });
        REQUIRE(e.proc.mmap(kUser, 1u << 20, false) == Errno::Ok);
        uint64_t iova = 0x40'0000, n = 0;
        REQUIRE(e.ctx.ioas_map(e.ioas, kFixedIova | kReadable, kUser, 16 * 4096, iova) == Errno::Ok);
        const uint64_t frame = *e.proc.frame(kUser + 0x3000);
        REQUIRE(r.access(iova + 0x3000, false).pa == frame);  // cached now
        const uint64_t waits = r.driver->spent().waits;
        REQUIRE(e.ctx.ioas_unmap(e.ioas, iova, 16 * 4096, n) == Errno::Ok);
        CHECK(r.driver->spent().waits == waits);  // nothing invalidated yet
        CHECK(e.ctx.unflushed(e.dev_id, iova + 0x3000));
        const iommu::Result stale = r.access(iova + 0x3000, false);
        CHECK_FALSE(stale.fault);
        CHECK(stale.pa == frame);
        e.ctx.iopt(e.ioas)->flush();
        CHECK_FALSE(e.ctx.unflushed(e.dev_id, iova + 0x3000));
        CHECK(r.access(iova + 0x3000, false).fault);
        CHECK(r.driver->spent().waits > waits);
    }
}
