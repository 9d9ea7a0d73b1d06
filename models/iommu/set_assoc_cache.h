// SetAssocCache: the set-associative store behind the IOTLB, the walk caches and the
// context and PASID caches of every architecture.
//
// Key carries whatever tags the cache needs (domain, PASID, page number, level) and
// operator== (page number first: a probe compares every way of its set, and the page
// is what differs); Index hashes a key to choose its set (set = Index()(key) mod
// sets: a mask for a power of two, a division otherwise, so gem5's 87-set walk cache
// fits as is).
// Key and Value must be default-constructible and copyable. A cache holding several
// page sizes is looked up once per size by the caller, each with its own key.
//
// Storage is one flat array of sets*ways entries allocated in the constructor; lookups
// and fills never allocate. A fill goes to the lowest invalid way of its set (ValidWays),
// else to the replacement policy's victim (see replacement.h). Fully associative = 1 set.
// With kIndexedWays ways or more a WayIndex finds a key's way by hash instead of a scan
// of the set; it changes the cost of a probe, never a decision.
//
// A caller that must look at an entry before deciding whether it counts as a hit
// probes once (probe) and then counts what it decided (record_hit with the same Slot,
// or record_miss), so a hit searches the set once. generation() changes whenever an
// entry is filled, overwritten or removed: a Slot kept across calls is still good while
// it has not changed (config_shortcut.h).
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
#include "models/iommu/valid_ways.h"
#include "models/iommu/way_index.h"
#include "models/sim/error.h"
#include "models/sim/stats.h"

namespace iommu {

template <class Key, class Value, class Index>
class SetAssocCache : public sim::StatGroup {
public:
    using key_type = Key;
    using value_type = Value;

    // Throws sim::InputError("sets: ...") when sets is 0, and
    // ("ways: ...") when ways is 0 or the policy cannot use that many ways.
    SetAssocCache(uint32_t sets, uint32_t ways, Replacement policy, uint64_t seed,
                  const std::string& rng_stream)
        : sets_(checked_sets(sets)),
          ways_(checked_ways(ways)),
          pow2_((sets & (sets - 1)) == 0),
          repl_(policy, sets, ways, seed, rng_stream),
          entries_(size_t(sets) * ways),
          valid_ways_(sets, ways) {
        if (ways >= kIndexedWays) index_.emplace(entries_.size());
    }
    // The shape configuration gives ([<arch>.iotlb] and the like).
    SetAssocCache(const CacheGeometry& g, uint64_t seed, const std::string& rng_stream)
        : SetAssocCache(g.sets, g.ways, parse_replacement(g.replacement), seed, rng_stream) {}

    // Where a probe found its key: the entry and its place. Good until the next insert,
    // erase or invalidation (until generation() changes).
    struct Slot {
        Value* value = nullptr;
        uint32_t set = 0, way = 0;
        explicit operator bool() const { return value != nullptr; }
    };

    // Finds k without side effects; the caller counts the outcome with record_hit or
    // record_miss.
    Slot probe(const Key& k) {
        const Where p = where(k);
        const uint32_t way = find(p, k);
        if (way == kNone) return Slot{};
        return Slot{&at(p.set, way).value, p.set, way};
    }

    // Counts a lookup that hit the probed entry: a use for replacement.
    Value& record_hit(const Slot& s) {
        ++lookups_;
        ++hits_;
        repl_.touch(s.set, s.way);
        return *s.value;
    }

    // Counts a lookup and a hit or a miss; a hit is a use for replacement. The pointer
    // stays valid until the next insert, erase or invalidation.
    Value* lookup(const Key& k) {
        const Slot s = probe(k);
        if (!s) {
            record_miss();
            return nullptr;
        }
        return &record_hit(s);
    }

    // Counts a lookup that missed, for a caller that probed and found nothing it could
    // use.
    void record_miss() {
        ++lookups_;
        ++misses_;
    }

    // A look without side effects: no statistics, no replacement update.
    const Value* peek(const Key& k) const {
        const Where p = where(k);
        const uint32_t way = find(p, k);
        return way == kNone ? nullptr : &at(p.set, way).value;
    }

    // Inserts k, or overwrites its value if present (not a fill). Either way the entry
    // counts as used. Returns the valid entry of another key that the fill displaced.
    std::optional<std::pair<Key, Value>> insert(const Key& k, const Value& v) {
        std::optional<std::pair<Key, Value>> displaced;
        put(k, v, [&](const Entry& e) { displaced.emplace(e.key, e.value); });
        return displaced;
    }
    // insert() for a caller that does not look at what the fill displaced (a walk's
    // fills): no copy of it is made.
    void fill(const Key& k, const Value& v) {
        put(k, v, [](const Entry&) {});
    }

    bool erase(const Key& k) {
        const Where p = where(k);
        const uint32_t way = find(p, k);
        if (way == kNone) return false;
        drop(p.set, way);
        return true;
    }

    // Removes every valid entry for which pred(const Key&, const Value&) is true.
    template <class Pred>
    size_t invalidate_if(Pred pred) {
        size_t n = 0;
        for (uint32_t set = 0; set < sets_; ++set) {
            for (uint32_t way = 0; way < ways_; ++way) {
                const Entry& e = at(set, way);
                if (valid_ways_.test(set, way) && pred(e.key, e.value)) {
                    drop(set, way);
                    ++n;
                }
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
    bool indexed() const { return index_.has_value(); }
    uint64_t generation() const { return generation_; }

    // f(const Key&, const Value&) for each valid entry in (set, way) order, so output
    // built from it is deterministic.
    template <class F>
    void for_each(F f) const {
        for (uint32_t set = 0; set < sets_; ++set)
            for (uint32_t way = 0; way < ways_; ++way)
                if (valid_ways_.test(set, way)) f(at(set, way).key, at(set, way).value);
    }

private:
    struct Entry {
        Key key{};
        Value value{};
    };
    static constexpr uint32_t kNone = ~uint32_t(0);
    // From this many ways a probe uses the WayIndex: a scan of 4 ways is as quick as a
    // hash, one of 64 is not.
    static constexpr uint32_t kIndexedWays = 8;

    static uint32_t checked_sets(uint32_t sets) {
        if (sets == 0) throw sim::InputError("sets: must be at least 1");
        return sets;
    }
    static uint32_t checked_ways(uint32_t ways) {
        if (ways == 0) throw sim::InputError("ways: must be at least 1");
        return ways;
    }

    // A key's hash and the set it selects.
    struct Where {
        uint64_t hash;
        uint32_t set;
    };
    Where where(const Key& k) const {
        const uint64_t h = Index()(k);
        return Where{h, uint32_t(pow2_ ? h & (sets_ - 1) : h % sets_)};
    }
    Entry& at(uint32_t set, uint32_t way) { return entries_[size_t(set) * ways_ + way]; }
    const Entry& at(uint32_t set, uint32_t way) const {
        return entries_[size_t(set) * ways_ + way];
    }

    // insert() and fill(): `evicted` sees the valid entry of another key that a fill
    // displaces.
    template <class Evicted>
    void put(const Key& k, const Value& v, Evicted evicted) {
        ++generation_;
        const Where p = where(k);
        uint32_t way = find(p, k);
        if (way == kNone) {
            ++fills_;
            way = valid_ways_.lowest_free(p.set);
            if (way == ValidWays::kNone) way = repl_.victim(p.set);
            Entry& e = at(p.set, way);
            const uint32_t slot = p.set * ways_ + way;
            if (valid_ways_.test(p.set, way)) {
                ++evictions_;
                evicted(e);
                if (index_) index_->remove(Index()(e.key), slot);
            } else {
                valid_ways_.mark(p.set, way);
                ++valid_;
            }
            e.key = k;
            if (index_) index_->add(p.hash, slot);
        }
        at(p.set, way).value = v;
        repl_.touch(p.set, way);
    }

    // The way of p.set holding k, or kNone.
    uint32_t find(const Where& p, const Key& k) const {
        if (index_) {
            const uint32_t slot = index_->find(p.hash, [&](uint32_t s) { return entries_[s].key == k; });
            return slot == WayIndex::kNone ? kNone : slot - p.set * ways_;
        }
        for (uint32_t w = 0; w < ways_; ++w) {
            if (at(p.set, w).key == k && valid_ways_.test(p.set, w)) return w;
        }
        return kNone;
    }

    void drop(uint32_t set, uint32_t way) {
        if (index_) index_->remove(Index()(at(set, way).key), set * ways_ + way);
        valid_ways_.clear(set, way);
        --valid_;
        ++invalidations_;
        ++generation_;
    }

    uint32_t sets_, ways_;
    bool pow2_;  // sets is a power of two: the set is a mask of the index
    ReplacementState repl_;
    std::vector<Entry> entries_;
    ValidWays valid_ways_;
    std::optional<WayIndex> index_;  // kIndexedWays or more
    size_t valid_ = 0;
    uint64_t generation_ = 0;

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
