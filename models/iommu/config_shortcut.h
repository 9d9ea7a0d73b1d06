// ConfigShortcut: remembers where each recent requester's entry sits in a configuration
// cache (VT-d context-cache, and the like), so that the next request of the same
// requester goes straight to it instead of hashing and searching its set.
//
// A remembered Slot is used only while the cache's generation() is the one it was
// taken at: any fill, overwrite or removal in that cache (a walk's fill, an eviction,
// an invalidation) forgets every shortcut at once. A shortcut hit is counted exactly as
// the cache's own lookup would count it (a lookup, a hit, a use for replacement), so
// statistics and replacement decisions do not depend on it.
//
// Direct-mapped by the low bits of the requester ID: a requester whose slot another
// has taken simply looks the cache up.
#pragma once

#include <array>
#include <cstdint>

namespace iommu {

template <class Cache>
class ConfigShortcut {
public:
    using Key = typename Cache::key_type;
    using Value = typename Cache::value_type;

    // cache.lookup(k), for a key that belongs to `requester`.
    Value* lookup(Cache& cache, const Key& k, uint16_t requester) {
        Memo& m = memo_[requester % kMemos];
        if (m.slot && m.generation == cache.generation() && m.key == k)
            return &cache.record_hit(m.slot);
        const typename Cache::Slot s = cache.probe(k);
        if (!s) {
            cache.record_miss();
            return nullptr;
        }
        m = Memo{k, s, cache.generation()};
        return &cache.record_hit(s);
    }

    // cache.peek(k): no statistics, no use for replacement (a walk starting below the
    // entry its lookup stage found).
    const Value* peek(const Cache& cache, const Key& k, uint16_t requester) const {
        const Memo& m = memo_[requester % kMemos];
        if (m.slot && m.generation == cache.generation() && m.key == k) return m.slot.value;
        return cache.peek(k);
    }

private:
    static constexpr unsigned kMemos = 64;
    struct Memo {
        Key key{};
        typename Cache::Slot slot{};
        uint64_t generation = 0;
    };
    std::array<Memo, kMemos> memo_{};
};

}  // namespace iommu
