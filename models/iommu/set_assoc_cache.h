// SetAssocCache: the set-associative store behind the IOTLB, the walk caches and the
// context and PASID caches of every architecture.
//
// Key carries whatever tags the cache needs (domain, PASID, page number, level) and
// operator==; Index hashes a key to choose its set (set = Index()(key) mod sets: a mask
// for a power of two, a division otherwise, so gem5's 87-set walk cache fits as is).
// Key and Value must be default-constructible and copyable. A cache holding several
// page sizes is looked up once per size by the caller, each with its own key.
//
// Storage is one flat array of sets*ways entries allocated in the constructor; lookups
// and fills never allocate. A fill goes to the lowest invalid way of its set, else to
// the replacement policy's victim (see replacement.h). Fully associative = 1 set.
//
// Statistics: lookups, hits, misses, fills (insertions of a key not present),
// evictions (valid entries displaced by a fill), invalidations (valid entries removed
// by erase, invalidate_if or invalidate_all), and hit_rate = hits / lookups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/iommu/cache_geometry.h"
#include "models/iommu/replacement.h"
#include "models/sim/error.h"
#include "models/sim/stats.h"

namespace iommu {

template <class Key, class Value, class Index>
class SetAssocCache : public sim::StatGroup {
public:
    // Throws sim::InputError("sets: ...") when sets is 0, and
    // ("ways: ...") when ways is 0 or the policy cannot use that many ways.
    SetAssocCache(uint32_t sets, uint32_t ways, Replacement policy, uint64_t seed,
                  const std::string& rng_stream)
        : sets_(checked_sets(sets)),
          ways_(checked_ways(ways)),
          pow2_((sets & (sets - 1)) == 0),
          repl_(policy, sets, ways, seed, rng_stream),
          entries_(size_t(sets) * ways) {}
    // The shape configuration gives ([<arch>.iotlb] and the like).
    SetAssocCache(const CacheGeometry& g, uint64_t seed, const std::string& rng_stream)
        : SetAssocCache(g.sets, g.ways, parse_replacement(g.replacement), seed, rng_stream) {}

    // Counts a lookup and a hit or a miss; a hit is a use for replacement. The pointer
    // stays valid until the next insert, erase or invalidation.
    Value* lookup(const Key& k) {
        ++lookups_;
        const uint32_t set = set_of(k);
        const uint32_t way = find(set, k);
        if (way == kNone) {
            ++misses_;
            return nullptr;
        }
        ++hits_;
        repl_.touch(set, way);
        return &at(set, way).value;
    }

    // Counts a lookup that missed, for a caller that probed with peek() and found
    // nothing it could use.
    void record_miss() {
        ++lookups_;
        ++misses_;
    }

    // A look without side effects: no statistics, no replacement update.
    const Value* peek(const Key& k) const {
        const uint32_t set = set_of(k);
        const uint32_t way = find(set, k);
        return way == kNone ? nullptr : &at(set, way).value;
    }

    // Inserts k, or overwrites its value if present (not a fill). Either way the entry
    // counts as used. Returns the valid entry of another key that the fill displaced.
    std::optional<std::pair<Key, Value>> insert(const Key& k, const Value& v) {
        const uint32_t set = set_of(k);
        uint32_t way = find(set, k);
        std::optional<std::pair<Key, Value>> displaced;
        if (way == kNone) {
            ++fills_;
            way = repl_.victim(set, [&](uint32_t w) { return at(set, w).valid; });
            Entry& e = at(set, way);
            if (e.valid) {
                ++evictions_;
                displaced.emplace(e.key, e.value);
            } else {
                e.valid = true;
                ++valid_;
            }
            e.key = k;
        }
        at(set, way).value = v;
        repl_.touch(set, way);
        return displaced;
    }

    bool erase(const Key& k) {
        const uint32_t set = set_of(k);
        const uint32_t way = find(set, k);
        if (way == kNone) return false;
        drop(at(set, way));
        return true;
    }

    // Removes every valid entry for which pred(const Key&, const Value&) is true.
    template <class Pred>
    size_t invalidate_if(Pred pred) {
        size_t n = 0;
        for (Entry& e : entries_) {
            if (e.valid && pred(std::as_const(e.key), std::as_const(e.value))) {
                drop(e);
                ++n;
            }
        }
        return n;
    }

    void invalidate_all() {
        invalidate_if([](const Key&, const Value&) { return true; });
    }

    size_t size() const { return valid_; }
    uint32_t sets() const { return sets_; }
    uint32_t ways() const { return ways_; }
    Replacement policy() const { return repl_.policy(); }

    // f(const Key&, const Value&) for each valid entry in (set, way) order, so output
    // built from it is deterministic.
    template <class F>
    void for_each(F f) const {
        for (const Entry& e : entries_)
            if (e.valid) f(e.key, e.value);
    }

private:
    struct Entry {
        Key key{};
        Value value{};
        bool valid = false;
    };
    static constexpr uint32_t kNone = ~uint32_t(0);

    static uint32_t checked_sets(uint32_t sets) {
        if (sets == 0) throw sim::InputError("sets: must be at least 1");
        return sets;
    }
    static uint32_t checked_ways(uint32_t ways) {
        if (ways == 0) throw sim::InputError("ways: must be at least 1");
        return ways;
    }

    uint32_t set_of(const Key& k) const {
        const uint64_t h = Index()(k);
        return uint32_t(pow2_ ? h & (sets_ - 1) : h % sets_);
    }
    Entry& at(uint32_t set, uint32_t way) { return entries_[size_t(set) * ways_ + way]; }
    const Entry& at(uint32_t set, uint32_t way) const {
        return entries_[size_t(set) * ways_ + way];
    }

    uint32_t find(uint32_t set, const Key& k) const {
        for (uint32_t w = 0; w < ways_; ++w) {
            const Entry& e = at(set, w);
            if (e.valid && e.key == k) return w;
        }
        return kNone;
    }

    void drop(Entry& e) {
        e.valid = false;
        --valid_;
        ++invalidations_;
    }

    uint32_t sets_, ways_;
    bool pow2_;  // sets is a power of two: the set is a mask of the index
    ReplacementState repl_;
    std::vector<Entry> entries_;
    size_t valid_ = 0;

    sim::Counter lookups_{*this, "lookups", "", "lookups (one per key probed)"};
    sim::Counter hits_{*this, "hits", "", "lookups that found their key"};
    sim::Counter misses_{*this, "misses", "", "lookups that did not find their key"};
    sim::Counter fills_{*this, "fills", "", "insertions of a key not present"};
    sim::Counter evictions_{*this, "evictions", "", "valid entries displaced by a fill"};
    sim::Counter invalidations_{*this, "invalidations", "",
                                "valid entries removed by erase or invalidation"};
    sim::Formula hit_rate_{*this, "hit_rate", "", "hits / lookups (0 with no lookups)",
                           [this] {
                               const uint64_t n = lookups_.value();
                               return n ? double(hits_.value()) / double(n) : 0.0;
                           }};
};

}  // namespace iommu
