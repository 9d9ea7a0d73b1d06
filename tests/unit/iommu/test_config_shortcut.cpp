// ConfigShortcut: a hit through the shortcut counts and replaces exactly as the cache's
// own lookup, and no shortcut outlives a fill, an eviction or an invalidation.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "models/iommu/config_shortcut.h"
#include "models/iommu/set_assoc_cache.h"
#include "models/sim/rng.h"
#include "tests/support/iommu/page_cache.h"

namespace {

using iommu::Replacement;

// A context-cache-like key: one requester ID.
struct Requester {
    uint16_t sid = 0;
    bool operator==(const Requester& o) const { return sid == o.sid; }
};
struct BySid {
    uint64_t operator()(const Requester& k) const { return k.sid; }
};
using Cache = iommu::SetAssocCache<Requester, uint64_t, BySid>;

using page_cache::stats_of;

std::vector<uint16_t> sids_in_order(const Cache& c) {
    std::vector<uint16_t> out;
    c.for_each([&](const Requester& k, const uint64_t&) { out.push_back(k.sid); });
    return out;
}

}  // namespace

TEST_CASE("a shortcut hit counts as a lookup hit and as a use", "[iommu][cache][shortcut]") {
    Cache c(1, 2, Replacement::Lru, 1, "c");
    iommu::ConfigShortcut<Cache> shortcut;
    c.insert({1}, 10);
    c.insert({2}, 20);
    REQUIRE(shortcut.lookup(c, {1}, 1) != nullptr);  // remembered
    REQUIRE(*shortcut.lookup(c, {1}, 1) == 10);      // through the shortcut
    CHECK(stats_of(c)["c.lookups"] == 2);
    CHECK(stats_of(c)["c.hits"] == 2);
    CHECK(c.insert({3}, 30)->first.sid == 2);  // 1 was used last: 2 goes
}

TEST_CASE("a fill or an invalidation forgets every shortcut", "[iommu][cache][shortcut]") {
    Cache c(1, 2, Replacement::Lru, 1, "c");
    iommu::ConfigShortcut<Cache> shortcut;
    c.insert({1}, 10);
    REQUIRE(*shortcut.lookup(c, {1}, 1) == 10);
    c.insert({2}, 20);
    c.insert({3}, 30);  // evicts 1: its slot now holds 3
    CHECK(shortcut.lookup(c, {1}, 1) == nullptr);
    REQUIRE(*shortcut.lookup(c, {3}, 3) == 30);
    c.erase({3});
    CHECK(shortcut.lookup(c, {3}, 3) == nullptr);
    CHECK(stats_of(c)["c.misses"] == 2);
}

TEST_CASE("requesters sharing a shortcut entry still find their own entries", "[iommu][cache][shortcut]") {
    Cache c(4, 4, Replacement::Lru, 1, "c");
    iommu::ConfigShortcut<Cache> shortcut;
    c.insert({1}, 10);
    c.insert({65}, 650);  // 65 % 64 == 1: the same shortcut entry as requester 1
    for (int i = 0; i < 3; ++i) {
        CHECK(*shortcut.lookup(c, {1}, 1) == 10);
        CHECK(*shortcut.lookup(c, {65}, 65) == 650);
    }
}

TEST_CASE("with and without the shortcut: the same statistics and contents", "[iommu][cache][shortcut]") {
    for (const std::string& name : iommu::replacement_names()) {
        INFO("policy " << name);
        const Replacement policy = iommu::parse_replacement(name);
        Cache plain(2, 4, policy, 3, "c"), fast(2, 4, policy, 3, "c");
        iommu::ConfigShortcut<Cache> shortcut;
        sim::Rng rng(5, name);
        for (int op = 0; op < 20000; ++op) {
            INFO("operation " << op);
            const Requester k{uint16_t(rng.uniform(80))};  // some share a shortcut entry
            const uint64_t r = rng.uniform(100);
            if (r < 80) {
                const uint64_t* want = plain.lookup(k);
                const uint64_t* got = shortcut.lookup(fast, k, k.sid);
                REQUIRE(bool(got) == bool(want));
                if (got) REQUIRE(*got == *want);
                if (!got) plain.insert(k, op), fast.insert(k, op);  // a walk's fill
            } else if (r < 95) {
                REQUIRE(plain.erase(k) == fast.erase(k));
            } else {
                plain.invalidate_all();
                fast.invalidate_all();
            }
        }
        CHECK(stats_of(fast) == stats_of(plain));
        CHECK(sids_in_order(fast) == sids_in_order(plain));
    }
}
