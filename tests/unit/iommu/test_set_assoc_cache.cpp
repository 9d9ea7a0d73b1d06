// SetAssocCache and its replacement policies: statistics, each policy's victim order
// worked out by hand, set indexing, invalidation, and randomized runs checked against
// a reference model (exact for LRU, invariants for every policy).
#include <catch2/catch.hpp>

#include <algorithm>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/iommu/replacement.h"
#include "models/iommu/set_assoc_cache.h"
#include "models/sim/error.h"
#include "models/sim/rng.h"
#include "tests/support/iommu/page_cache.h"

namespace {

using iommu::Replacement;

using page_cache::Cache;
using page_cache::stats_of;
using page_cache::Tag;
using Displaced = std::optional<std::pair<Tag, uint64_t>>;

Tag tag(uint64_t page, uint16_t domain = 0) { return Tag{domain, page}; }

uint64_t counter(const sim::StatGroup& g, const std::string& name) {
    return stats_of(g).at("c." + name).get<uint64_t>();
}

// Inserts pages [first, last] of domain 0 (value = page) and returns the page each
// insertion displaced, or -1 when it displaced nothing.
std::vector<int64_t> insert_pages(Cache& c, uint64_t first, uint64_t last) {
    std::vector<int64_t> out;
    for (uint64_t p = first; p <= last; ++p) {
        const Displaced d = c.insert(tag(p), p);
        out.push_back(d ? int64_t(d->first.page) : -1);
    }
    return out;
}

std::vector<uint64_t> pages_in_order(const Cache& c) {
    std::vector<uint64_t> pages;
    c.for_each([&](const Tag& k, const uint64_t&) { pages.push_back(k.page); });
    return pages;
}

}  // namespace

TEST_CASE("replacement names parse and print", "[iommu][cache]") {
    CHECK(iommu::replacement_names() ==
          std::vector<std::string>{"lru", "plru", "round_robin", "random"});
    for (const std::string& name : iommu::replacement_names())
        CHECK(iommu::to_string(iommu::parse_replacement(name)) == name);
    CHECK(iommu::parse_replacement("plru") == Replacement::PseudoLru);
    CHECK(iommu::parse_replacement("round_robin") == Replacement::RoundRobin);
    CHECK_THROWS_MATCHES(iommu::parse_replacement("LRU"), sim::InputError,
                         Catch::Message("replacement: 'LRU' is not one of "
                                        "lru|plru|round_robin|random"));
    CHECK_THROWS_AS(iommu::parse_replacement(""), sim::InputError);
}

TEST_CASE("bad geometry is an input error naming the parameter", "[iommu][cache]") {
    CHECK_THROWS_MATCHES(Cache(0, 4, Replacement::Lru, 1, "c"), sim::InputError,
                         Catch::Message("sets: must be at least 1"));
    CHECK_NOTHROW(Cache(87, 4, Replacement::Lru, 1, "c"));  // gem5's stage 1 level 2 walk cache
    CHECK_THROWS_MATCHES(Cache(4, 0, Replacement::Lru, 1, "c"), sim::InputError,
                         Catch::Message("ways: must be at least 1"));
    CHECK_THROWS_MATCHES(Cache(4, 6, Replacement::PseudoLru, 1, "c"), sim::InputError,
                         Catch::Message("ways: plru needs a power-of-two number of ways"));
    for (uint32_t ways : {1u, 2u, 8u}) CHECK_NOTHROW(Cache(4, ways, Replacement::PseudoLru, 1, "c"));
    for (Replacement p : {Replacement::Lru, Replacement::RoundRobin, Replacement::Random})
        CHECK_NOTHROW(Cache(1, 6, p, 1, "c"));  // only PLRU needs a power of two
    Cache c(2, 3, Replacement::Lru, 1, "c");
    CHECK(c.sets() == 2);
    CHECK(c.ways() == 3);
    CHECK(c.size() == 0);
}

// A set count that is not a power of two takes the index modulo the sets: pages 0, 1
// and 2 of a 3-set direct-mapped cache live side by side, page 3 shares page 0's set.
TEST_CASE("a non-power-of-two set count indexes modulo the sets", "[iommu][cache]") {
    Cache c(3, 1, Replacement::Lru, 1, "c");
    for (uint64_t page = 0; page < 3; ++page) c.insert({1, page}, 10 + page);
    CHECK(c.size() == 3);
    const auto displaced = c.insert({1, 3}, 13);
    REQUIRE(displaced);
    CHECK(displaced->first.page == 0);
    CHECK(c.peek({1, 1}));
    CHECK(c.peek({1, 2}));
}

TEST_CASE("statistics count lookups, hits, misses, fills, evictions", "[iommu][cache]") {
    Cache c(1, 2, Replacement::Lru, 1, "c");
    nlohmann::json fresh = stats_of(c);
    CHECK(fresh == nlohmann::json{{"c.lookups", 0}, {"c.hits", 0}, {"c.misses", 0},
                                  {"c.fills", 0}, {"c.evictions", 0},
                                  {"c.invalidations", 0}, {"c.hit_rate", 0.0}});

    CHECK(c.lookup(tag(1)) == nullptr);             // miss
    CHECK_FALSE(c.insert(tag(1), 10));              // fill
    uint64_t* v = c.lookup(tag(1));                 // hit
    REQUIRE(v);
    CHECK(*v == 10);
    *v = 11;                                        // the pointer reaches the entry
    CHECK(*c.peek(tag(1)) == 11);
    CHECK_FALSE(c.insert(tag(1), 12));              // overwrite: not a fill
    CHECK(*c.peek(tag(1)) == 12);
    CHECK_FALSE(c.insert(tag(2), 20));              // fill
    const Displaced d = c.insert(tag(3), 30);       // fill, evicts LRU page 1
    REQUIRE(d);
    CHECK(d->first == tag(1));
    CHECK(d->second == 12);
    CHECK(c.lookup(tag(1)) == nullptr);             // miss
    CHECK(c.lookup(tag(2)) != nullptr);             // hit
    CHECK(c.lookup(tag(3)) != nullptr);             // hit
    CHECK(c.size() == 2);
    CHECK(stats_of(c) == nlohmann::json{{"c.lookups", 5}, {"c.hits", 3}, {"c.misses", 2},
                                        {"c.fills", 3}, {"c.evictions", 1},
                                        {"c.invalidations", 0}, {"c.hit_rate", 0.6}});
    c.reset_stats();
    CHECK(counter(c, "lookups") == 0);
    CHECK(c.size() == 2);  // resetting statistics keeps the contents
}

TEST_CASE("LRU evicts the least recently used way after hits reorder it", "[iommu][cache]") {
    Cache c(1, 4, Replacement::Lru, 1, "c");
    CHECK(insert_pages(c, 0, 3) == std::vector<int64_t>{-1, -1, -1, -1});
    c.lookup(tag(1));
    c.lookup(tag(0));  // oldest first: 2 3 1 0
    CHECK(insert_pages(c, 4, 7) == std::vector<int64_t>{2, 3, 1, 0});
    CHECK(counter(c, "evictions") == 4);
}

TEST_CASE("tree PLRU: victims in bit-reversed way order when streaming", "[iommu][cache]") {
    SECTION("4 ways: 0 2 1 3") {
        Cache c(1, 4, Replacement::PseudoLru, 1, "c");
        insert_pages(c, 0, 3);  // page p sits in way p
        // Touching 0..3 leaves root->left, left node->way 0, right node->way 2.
        CHECK(insert_pages(c, 4, 5) == std::vector<int64_t>{0, 2});
        CHECK(pages_in_order(c) == std::vector<uint64_t>{4, 1, 5, 3});  // ways 0 and 2 refilled
        CHECK(insert_pages(c, 6, 11) == std::vector<int64_t>{1, 3, 4, 5, 6, 7});
    }
    SECTION("8 ways: 0 4 2 6 1 5 3 7") {
        Cache c(1, 8, Replacement::PseudoLru, 1, "c");
        insert_pages(c, 0, 7);
        CHECK(insert_pages(c, 8, 15) == std::vector<int64_t>{0, 4, 2, 6, 1, 5, 3, 7});
    }
    SECTION("a hit turns the tree away: PLRU is not exact LRU") {
        // After filling 0..3 and hitting 1, LRU order is 0 2 3 1: exact LRU evicts 0.
        // The PLRU root now points right (away from way 1) and the right node at way 2.
        Cache plru(1, 4, Replacement::PseudoLru, 1, "c");
        Cache lru(1, 4, Replacement::Lru, 1, "c");
        for (Cache* c : {&plru, &lru}) {
            insert_pages(*c, 0, 3);
            c->lookup(tag(1));
        }
        CHECK(insert_pages(plru, 4, 4) == std::vector<int64_t>{2});
        CHECK(insert_pages(lru, 4, 4) == std::vector<int64_t>{0});
    }
    SECTION("1 way: always way 0") {
        Cache c(1, 1, Replacement::PseudoLru, 1, "c");
        CHECK(insert_pages(c, 0, 3) == std::vector<int64_t>{-1, 0, 1, 2});
    }
}

TEST_CASE("round robin cycles through the ways, ignoring hits", "[iommu][cache]") {
    Cache c(1, 4, Replacement::RoundRobin, 1, "c");
    insert_pages(c, 0, 3);
    c.lookup(tag(3));
    c.lookup(tag(0));
    CHECK(insert_pages(c, 4, 8) == std::vector<int64_t>{0, 1, 2, 3, 4});
    // Ways now hold 8 5 6 7 and the pointer is at way 1. A fill into a freed way
    // does not move it.
    CHECK(c.erase(tag(6)));
    CHECK(insert_pages(c, 9, 11) == std::vector<int64_t>{-1, 5, 9});
    CHECK(pages_in_order(c) == std::vector<uint64_t>{8, 10, 11, 7});
}

namespace {

// Victim ways of `evictions` fills of new pages into a full 1-set cache of `ways` ways
// (pages 0..ways-1 fill ways 0..ways-1 first).
std::vector<uint32_t> random_victims(uint64_t seed, const std::string& stream, uint32_t ways,
                                     int evictions, bool refill_a_way_first = false) {
    Cache c(1, ways, Replacement::Random, seed, stream);
    std::vector<uint64_t> in_way(ways);
    for (uint32_t w = 0; w < ways; ++w) {
        c.insert(tag(w), w);
        in_way[w] = w;
    }
    uint64_t next = ways;
    if (refill_a_way_first) {  // a fill into an invalid way must not draw
        c.erase(tag(1));
        REQUIRE_FALSE(c.insert(tag(next), next));
        in_way[1] = next++;
    }
    std::vector<uint32_t> victims;
    for (int i = 0; i < evictions; ++i, ++next) {
        const Displaced d = c.insert(tag(next), next);
        REQUIRE(d);
        const auto it = std::find(in_way.begin(), in_way.end(), d->first.page);
        REQUIRE(it != in_way.end());
        *it = next;
        victims.push_back(uint32_t(it - in_way.begin()));
    }
    return victims;
}

}  // namespace

TEST_CASE("random replacement is deterministic per seed and stream", "[iommu][cache]") {
    const std::vector<uint32_t> a = random_victims(7, "iotlb", 4, 200);
    CHECK(a == random_victims(7, "iotlb", 4, 200));
    CHECK(a != random_victims(8, "iotlb", 4, 200));
    CHECK(a != random_victims(7, "walk_cache", 4, 200));
    for (uint32_t w = 0; w < 4; ++w)  // every way gets chosen
        CHECK(std::count(a.begin(), a.end(), w) > 20);
    // Draws happen only for valid victims: an extra fill into a freed way leaves the
    // sequence of victims unchanged.
    CHECK(a == random_victims(7, "iotlb", 4, 200, true));
}

TEST_CASE("random replacement never evicts while a way is invalid", "[iommu][cache]") {
    Cache c(1, 4, Replacement::Random, 3, "c");
    CHECK(insert_pages(c, 0, 3) == std::vector<int64_t>{-1, -1, -1, -1});
    for (uint64_t p = 4; p < 100; ++p) {
        c.erase(tag(p - 1 - (p % 3)));  // may or may not be present
        const bool had_room = c.size() < 4;
        const Displaced d = c.insert(tag(p), p);
        CHECK(bool(d) == !had_room);
        CHECK(c.size() == 4);
    }
}

TEST_CASE("keys in different sets never evict each other", "[iommu][cache]") {
    Cache c(4, 2, Replacement::Lru, 1, "c");
    CHECK(insert_pages(c, 0, 7) == std::vector<int64_t>(8, -1));  // two per set
    CHECK(c.size() == 8);
    // Set order in for_each: set 0 holds 0 4, set 1 holds 1 5, ...
    CHECK(pages_in_order(c) == std::vector<uint64_t>{0, 4, 1, 5, 2, 6, 3, 7});
    c.lookup(tag(0));
    CHECK(insert_pages(c, 8, 8) == std::vector<int64_t>{4});  // set 0's LRU, nothing else
    // Only the low bits of the index pick the set.
    const Displaced d = c.insert(tag((uint64_t(1) << 40) | 1), 0);
    REQUIRE(d);
    CHECK(d->first == tag(1));
    // Same page, another domain: another key in the same set.
    CHECK(insert_pages(c, 2, 2) == std::vector<int64_t>{-1});  // already present
    CHECK(c.insert(tag(2, 9), 0)->first == tag(6));
    CHECK(c.peek(tag(2, 9)) != nullptr);
    CHECK(c.peek(tag(2)) != nullptr);
    CHECK(c.peek(tag(2, 8)) == nullptr);
}

TEST_CASE("invalidate_if, erase and invalidate_all", "[iommu][cache]") {
    Cache c(4, 4, Replacement::Lru, 1, "c");
    for (uint16_t d : {0, 1})
        for (uint64_t p = 0; p < 8; ++p) c.insert(tag(p, d), 100 * d + p);
    REQUIRE(c.size() == 16);

    const size_t n = c.invalidate_if([](const Tag& k, const uint64_t&) { return k.domain == 1; });
    CHECK(n == 8);
    CHECK(c.size() == 8);
    CHECK(counter(c, "invalidations") == 8);
    for (uint64_t p = 0; p < 8; ++p) {
        CHECK(c.lookup(tag(p, 1)) == nullptr);
        CHECK(c.lookup(tag(p, 0)) != nullptr);
    }
    // By value, and nothing matching counts nothing.
    CHECK(c.invalidate_if([](const Tag&, const uint64_t& v) { return v >= 6; }) == 2);
    CHECK(c.invalidate_if([](const Tag&, const uint64_t& v) { return v >= 6; }) == 0);
    CHECK(counter(c, "invalidations") == 10);

    CHECK(c.erase(tag(3)));
    CHECK_FALSE(c.erase(tag(3)));
    CHECK_FALSE(c.erase(tag(3, 1)));
    CHECK(c.size() == 5);
    CHECK(counter(c, "invalidations") == 11);

    c.invalidate_all();
    CHECK(c.size() == 0);
    CHECK(pages_in_order(c).empty());
    CHECK(counter(c, "invalidations") == 16);
    c.invalidate_all();
    CHECK(counter(c, "invalidations") == 16);
    // Freed ways refill without evicting.
    CHECK(insert_pages(c, 0, 15) == std::vector<int64_t>(16, -1));
    CHECK(counter(c, "evictions") == 0);
}

TEST_CASE("peek changes neither statistics nor LRU order", "[iommu][cache]") {
    Cache c(1, 4, Replacement::Lru, 1, "c");
    insert_pages(c, 0, 3);
    const nlohmann::json before = stats_of(c);
    const Cache& cc = c;
    REQUIRE(cc.peek(tag(0)) != nullptr);
    CHECK(*cc.peek(tag(0)) == 0);
    CHECK(cc.peek(tag(9)) == nullptr);
    CHECK(stats_of(c) == before);
    CHECK(insert_pages(c, 4, 4) == std::vector<int64_t>{0});  // 0 stayed the oldest
}

TEST_CASE("fully associative: one set holds any keys", "[iommu][cache]") {
    Cache c(1, 64, Replacement::Lru, 1, "c");
    for (uint64_t p = 0; p < 64; ++p) CHECK_FALSE(c.insert(tag(p * 4096), p));
    CHECK(c.size() == 64);
    CHECK(c.insert(tag(1 << 30), 0)->first == tag(0));
}

namespace {

// Exact LRU, restated: per set a map of contents and a recency list (front = newest).
struct ReferenceLru {
    using K = std::pair<uint16_t, uint64_t>;
    struct Set {
        std::map<K, uint64_t> values;
        std::list<K> recency;
    };
    std::vector<Set> sets;
    uint32_t ways;
    uint64_t lookups = 0, hits = 0, misses = 0, fills = 0, evictions = 0, invalidations = 0;

    ReferenceLru(uint32_t n_sets, uint32_t n_ways) : sets(n_sets), ways(n_ways) {}
    static K key(const Tag& t) { return {t.domain, t.page}; }
    Set& set_of(const Tag& t) { return sets[t.page % sets.size()]; }
    void use(Set& s, const K& k) {
        s.recency.remove(k);
        s.recency.push_front(k);
    }

    std::optional<uint64_t> lookup(const Tag& t) {
        ++lookups;
        Set& s = set_of(t);
        const auto it = s.values.find(key(t));
        if (it == s.values.end()) {
            ++misses;
            return std::nullopt;
        }
        ++hits;
        use(s, key(t));
        return it->second;
    }
    std::optional<K> insert(const Tag& t, uint64_t v) {
        Set& s = set_of(t);
        std::optional<K> displaced;
        if (!s.values.count(key(t))) {
            ++fills;
            if (s.values.size() == ways) {
                displaced = s.recency.back();
                s.recency.pop_back();
                s.values.erase(*displaced);
                ++evictions;
            }
        }
        s.values[key(t)] = v;
        use(s, key(t));
        return displaced;
    }
    bool erase(const Tag& t) {
        Set& s = set_of(t);
        if (!s.values.erase(key(t))) return false;
        s.recency.remove(key(t));
        ++invalidations;
        return true;
    }
    size_t erase_domain(uint16_t domain) {
        size_t n = 0;
        for (Set& s : sets)
            for (auto it = s.values.begin(); it != s.values.end();) {
                if (it->first.first == domain) {
                    s.recency.remove(it->first);
                    it = s.values.erase(it);
                    ++n;
                } else {
                    ++it;
                }
            }
        invalidations += n;
        return n;
    }
    size_t size() const {
        size_t n = 0;
        for (const Set& s : sets) n += s.values.size();
        return n;
    }
};

}  // namespace

TEST_CASE("LRU matches a reference model over 100000 random operations", "[iommu][cache]") {
    constexpr uint32_t kSets = 8, kWays = 4;
    Cache c(kSets, kWays, Replacement::Lru, 1, "c");
    ReferenceLru ref(kSets, kWays);
    sim::Rng rng(2024, "lru_reference");
    for (int op = 0; op < 100000; ++op) {
        INFO("operation " << op);
        // 3 domains x 48 pages = 144 keys over 32 entries: plenty of evictions.
        const Tag t = tag(rng.uniform(48), uint16_t(rng.uniform(3)));
        const uint64_t r = rng.uniform(100);
        if (r < 45) {
            const uint64_t* got = c.lookup(t);
            const std::optional<uint64_t> want = ref.lookup(t);
            REQUIRE(bool(got) == bool(want));
            if (got) REQUIRE(*got == *want);
        } else if (r < 85) {
            const Displaced got = c.insert(t, uint64_t(op));
            const auto want = ref.insert(t, uint64_t(op));
            REQUIRE(bool(got) == bool(want));
            if (got) REQUIRE(ReferenceLru::key(got->first) == *want);
        } else if (r < 95) {
            REQUIRE(c.erase(t) == ref.erase(t));
        } else if (r < 99) {
            const uint64_t* got = c.peek(t);  // must not disturb the order
            REQUIRE(bool(got) == bool(ref.set_of(t).values.count(ReferenceLru::key(t))));
        } else {
            const size_t n = c.invalidate_if(
                [&](const Tag& k, const uint64_t&) { return k.domain == t.domain; });
            REQUIRE(n == ref.erase_domain(t.domain));
        }
        REQUIRE(c.size() == ref.size());
    }
    // Final contents, in (set, way) order: sets ascending, each set's keys complete.
    std::vector<std::map<ReferenceLru::K, uint64_t>> got(kSets);
    uint64_t last_set = 0;
    c.for_each([&](const Tag& k, const uint64_t& v) {
        const uint64_t set = k.page % kSets;
        CHECK(set >= last_set);
        last_set = set;
        got[set][ReferenceLru::key(k)] = v;
    });
    for (uint32_t s = 0; s < kSets; ++s) CHECK(got[s] == ref.sets[s].values);
    CHECK(ref.evictions > 1000);
    CHECK(ref.invalidations > 1000);
    const nlohmann::json j = stats_of(c);
    CHECK(j["c.lookups"] == ref.lookups);
    CHECK(j["c.hits"] == ref.hits);
    CHECK(j["c.misses"] == ref.misses);
    CHECK(j["c.fills"] == ref.fills);
    CHECK(j["c.evictions"] == ref.evictions);
    CHECK(j["c.invalidations"] == ref.invalidations);
}

TEST_CASE("every policy keeps contents consistent over random operations", "[iommu][cache]") {
    for (const std::string& name : iommu::replacement_names()) {
        INFO("policy " << name);
        constexpr uint32_t kSets = 4, kWays = 4;
        Cache c(kSets, kWays, iommu::parse_replacement(name), 5, "c");
        std::map<std::pair<uint16_t, uint64_t>, uint64_t> present;  // what must be cached
        auto per_set = [&](uint64_t set) {
            return std::count_if(present.begin(), present.end(),
                                 [&](const auto& e) { return e.first.second % kSets == set; });
        };
        sim::Rng rng(99, name);
        for (int op = 0; op < 20000; ++op) {
            const Tag t = tag(rng.uniform(24), uint16_t(rng.uniform(2)));
            const std::pair<uint16_t, uint64_t> k{t.domain, t.page};
            const uint64_t r = rng.uniform(10);
            if (r < 5) {
                const uint64_t* got = c.lookup(t);
                REQUIRE(bool(got) == bool(present.count(k)));
                if (got) REQUIRE(*got == present[k]);
            } else if (r < 9) {
                const bool full = !present.count(k) && per_set(t.page % kSets) == kWays;
                const Displaced d = c.insert(t, uint64_t(op));
                REQUIRE(bool(d) == full);  // evicts exactly when its set is full
                if (d) {
                    REQUIRE(d->first.page % kSets == t.page % kSets);
                    const auto it = present.find({d->first.domain, d->first.page});
                    REQUIRE(it != present.end());
                    REQUIRE(it->second == d->second);
                    present.erase(it);
                }
                present[k] = uint64_t(op);
            } else {
                REQUIRE(c.erase(t) == bool(present.erase(k)));
            }
            REQUIRE(c.size() == present.size());
        }
    }
}
