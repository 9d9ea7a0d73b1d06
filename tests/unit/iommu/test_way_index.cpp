// WayIndex, and SetAssocCache geometries that use it: an indexed cache must make exactly
// the decisions of a linear scan (the same ways filled, the same victims, the same
// random draws), checked against a reference linear cache kept here.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/iommu/replacement.h"
#include "models/iommu/set_assoc_cache.h"
#include "models/iommu/way_index.h"
#include "models/sim/rng.h"
#include "tests/support/iommu/page_cache.h"

namespace {

using iommu::Replacement;
using iommu::WayIndex;

// The slots a test stores, by the hash each was added with.
struct Table {
    WayIndex index;
    std::vector<uint64_t> hash_of;  // by slot
    explicit Table(size_t slots) : index(slots), hash_of(slots) {}
    void add(uint64_t hash, uint32_t slot) {
        hash_of[slot] = hash;
        index.add(hash, slot);
    }
    uint32_t find(uint64_t hash, uint32_t slot) const {
        return index.find(hash, [&](uint32_t s) { return s == slot; });
    }
};

}  // namespace

TEST_CASE("way index finds every slot among equal hashes and keeps them after removals",
          "[iommu][cache][index]") {
    Table t(8);
    for (uint32_t s = 0; s < 8; ++s) t.add(s < 5 ? 42 : s, s);  // slots 0-4 share a hash
    for (uint32_t s = 0; s < 8; ++s) CHECK(t.find(t.hash_of[s], s) == s);
    CHECK(t.find(42, 7) == WayIndex::kNone);  // 7 has another hash
    t.index.remove(42, 1);
    t.index.remove(6, 6);
    CHECK(t.find(42, 1) == WayIndex::kNone);
    CHECK(t.find(6, 6) == WayIndex::kNone);
    for (uint32_t s : {0u, 2u, 3u, 4u, 5u, 7u}) CHECK(t.find(t.hash_of[s], s) == s);
    t.add(42, 1);  // a slot may come back with the same hash
    CHECK(t.find(42, 1) == 1);
}

TEST_CASE("way index: random adds and removes at full load", "[iommu][cache][index]") {
    constexpr uint32_t kSlots = 64;
    Table t(kSlots);
    std::vector<bool> in(kSlots, false);
    sim::Rng rng(7, "way_index");
    for (int op = 0; op < 50000; ++op) {
        INFO("operation " << op);
        const uint32_t s = uint32_t(rng.uniform(kSlots));
        if (in[s]) {
            t.index.remove(t.hash_of[s], s);
        } else {
            t.add(rng.uniform(24), s);  // few hashes: long runs that wrap around the table
        }
        in[s] = !in[s];
        for (uint32_t x = 0; x < kSlots; ++x)
            REQUIRE((t.find(t.hash_of[x], x) == x) == bool(in[x]));
    }
}

namespace {

// The domains of one page share an index hash: the index must still tell them apart.
using page_cache::Cache;
using page_cache::Tag;

// The cache as it was before the index: every probe scans its set, a fill takes the
// lowest invalid way, else the policy's victim. Its policies are restated here from
// replacement.h's description, so the model's own replacement code is checked too.
struct LinearCache {
    struct Entry {
        Tag key;
        uint64_t value = 0;
        bool valid = false;
    };
    uint32_t sets, ways;
    Replacement policy;
    std::vector<Entry> entries;
    std::vector<uint64_t> stamps;   // Lru: last use of each way
    uint64_t clock = 0;
    std::vector<uint8_t> tree;      // PseudoLru: per set, nodes 1..ways-1 of a heap
    std::vector<uint32_t> next;     // RoundRobin: per set
    sim::Rng rng;                   // Random

    LinearCache(uint32_t s, uint32_t w, Replacement p, uint64_t seed, const std::string& stream)
        : sets(s), ways(w), policy(p), entries(size_t(s) * w), stamps(entries.size()),
          tree(entries.size()), next(s), rng(seed, stream) {}
    Entry& at(uint32_t set, uint32_t way) { return entries[size_t(set) * ways + way]; }
    uint32_t set_of(const Tag& t) const { return uint32_t(t.page % sets); }

    void use(uint32_t set, uint32_t way) {
        stamps[size_t(set) * ways + way] = ++clock;
        for (uint32_t node = way + ways; node > 1; node /= 2)  // point away from `way`
            tree[size_t(set) * ways + node / 2] = (node & 1) ? 0 : 1;
    }
    uint32_t victim(uint32_t set) {
        for (uint32_t w = 0; w < ways; ++w)
            if (!at(set, w).valid) return w;
        switch (policy) {
        case Replacement::Lru: {
            uint32_t oldest = 0;
            for (uint32_t w = 1; w < ways; ++w)
                if (stamps[size_t(set) * ways + w] < stamps[size_t(set) * ways + oldest]) oldest = w;
            return oldest;
        }
        case Replacement::PseudoLru: {
            uint32_t node = 1;
            while (node < ways) node = 2 * node + tree[size_t(set) * ways + node];
            return node - ways;
        }
        case Replacement::RoundRobin: {
            const uint32_t w = next[set];
            next[set] = (w + 1) % ways;
            return w;
        }
        case Replacement::Random:
            return uint32_t(rng.uniform(ways));
        }
        return 0;
    }

    std::optional<uint32_t> find(const Tag& t) {
        for (uint32_t w = 0; w < ways; ++w)
            if (at(set_of(t), w).valid && at(set_of(t), w).key == t) return w;
        return std::nullopt;
    }
    std::optional<uint64_t> lookup(const Tag& t) {
        const auto w = find(t);
        if (!w) return std::nullopt;
        use(set_of(t), *w);
        return at(set_of(t), *w).value;
    }
    std::optional<std::pair<Tag, uint64_t>> insert(const Tag& t, uint64_t v) {
        const uint32_t set = set_of(t);
        std::optional<std::pair<Tag, uint64_t>> displaced;
        std::optional<uint32_t> w = find(t);
        if (!w) {
            w = victim(set);
            Entry& e = at(set, *w);
            if (e.valid) displaced.emplace(e.key, e.value);
            e = Entry{t, 0, true};
        }
        at(set, *w).value = v;
        use(set, *w);
        return displaced;
    }
    template <class Pred>
    size_t invalidate_if(Pred pred) {
        size_t n = 0;
        for (Entry& e : entries)
            if (e.valid && pred(e.key)) e.valid = false, ++n;
        return n;
    }
    // Every valid entry in (set, way) order: equal lists mean equal placements.
    std::vector<std::pair<Tag, uint64_t>> contents() const {
        std::vector<std::pair<Tag, uint64_t>> out;
        for (const Entry& e : entries)
            if (e.valid) out.emplace_back(e.key, e.value);
        return out;
    }
};

std::vector<std::pair<Tag, uint64_t>> contents(const Cache& c) {
    std::vector<std::pair<Tag, uint64_t>> out;
    c.for_each([&](const Tag& k, const uint64_t& v) { out.emplace_back(k, v); });
    return out;
}

// One random operation on both caches, checking that they answer alike.
void step(Cache& c, LinearCache& ref, sim::Rng& rng, uint64_t pages, int op) {
    const Tag t{uint16_t(rng.uniform(3)), rng.uniform(pages)};
    const uint64_t r = rng.uniform(100);
    if (r < 35) {
        const uint64_t* got = c.lookup(t);
        const std::optional<uint64_t> want = ref.lookup(t);
        REQUIRE(bool(got) == bool(want));
        if (got) REQUIRE(*got == *want);
    } else if (r < 50) {  // probe, then count the hit
        const Cache::Slot s = c.probe(t);
        const std::optional<uint64_t> want = ref.lookup(t);
        REQUIRE(bool(s) == bool(want));
        if (s) REQUIRE(c.record_hit(s) == *want);
        else c.record_miss();
    } else if (r < 90) {
        const auto got = c.insert(t, uint64_t(op));
        const auto want = ref.insert(t, uint64_t(op));
        REQUIRE(bool(got) == bool(want));
        if (got) REQUIRE((got->first == want->first && got->second == want->second));
    } else if (r < 96) {
        REQUIRE(c.erase(t) == (ref.invalidate_if([&](const Tag& k) { return k == t; }) == 1));
    } else if (r < 99) {  // a range of pages of one domain
        auto in_range = [&](const Tag& k) { return k.domain == t.domain && k.page / 8 == t.page / 8; };
        REQUIRE(c.invalidate_if([&](const Tag& k, const uint64_t&) { return in_range(k); }) ==
                ref.invalidate_if(in_range));
    } else if (rng.uniform(10) == 0) {
        c.invalidate_all();
        ref.invalidate_if([](const Tag&) { return true; });
    }
}

}  // namespace

TEST_CASE("indexed caches, and scanned ones, make the reference's decisions for every policy",
          "[iommu][cache][index]") {
    struct Shape {
        uint32_t sets, ways;
    };
    for (const Shape shape : {Shape{1, 64}, Shape{4, 16}, Shape{3, 8}, Shape{8, 4}, Shape{2, 128}}) {
        for (const std::string& name : iommu::replacement_names()) {
            INFO("policy " << name << ", " << shape.sets << " x " << shape.ways);
            const Replacement policy = iommu::parse_replacement(name);
            Cache c(shape.sets, shape.ways, policy, 11, "c");
            LinearCache ref(shape.sets, shape.ways, policy, 11, "c");
            REQUIRE(c.indexed() == (shape.ways >= 8));
            // Three domains over 1.5x the entries in pages: many evictions, and the
            // domains of a page collide in the index.
            const uint64_t pages = shape.sets * shape.ways / 2;
            sim::Rng rng(2026, name);
            for (int op = 0; op < 30000; ++op) {
                INFO("operation " << op);
                step(c, ref, rng, pages, op);
                REQUIRE(contents(c) == ref.contents());
            }
        }
    }
}

TEST_CASE("small sets are scanned, not indexed", "[iommu][cache][index]") {
    CHECK_FALSE(Cache(16, 4, Replacement::Lru, 1, "c").indexed());
    CHECK(Cache(1, 64, Replacement::Lru, 1, "c").indexed());
}

TEST_CASE("generation changes on every fill, overwrite and removal, not on lookups",
          "[iommu][cache][index]") {
    Cache c(1, 4, Replacement::Lru, 1, "c");
    uint64_t g = c.generation();
    auto changed = [&] {
        const bool moved = c.generation() != g;
        g = c.generation();
        return moved;
    };
    c.insert({0, 1}, 1);
    CHECK(changed());
    c.insert({0, 1}, 2);  // overwrite
    CHECK(changed());
    c.lookup({0, 1});
    c.lookup({0, 9});
    c.probe({0, 1});
    CHECK_FALSE(changed());
    CHECK_FALSE(c.erase({0, 9}));
    CHECK_FALSE(changed());
    CHECK(c.erase({0, 1}));
    CHECK(changed());
    c.insert({0, 1}, 1);
    changed();
    c.invalidate_all();
    CHECK(changed());
}
