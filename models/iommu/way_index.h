// WayIndex: a hash index from a cache key to the slot (set * ways + way) that holds it,
// so that a probe of a fully associative or many-way SetAssocCache costs a hash and a
// compare or two instead of a scan of every way.
//
// It only finds entries; it never decides anything. The cache still places fills in
// the lowest invalid way or its replacement policy's victim, so an indexed cache makes
// exactly the decisions of a scanned one (tests/unit/iommu/test_way_index.cpp checks
// that against a reference linear cache).
//
// Open addressing with linear probing, at most half full (twice as many buckets as the
// cache has entries, a power of two), and backward-shift deletion, so there are no
// tombstones and a probe stops at the first empty bucket. Each bucket keeps 32 bits of
// the key's hash next to the slot, so most non-matching buckets are passed without
// reading the entry. Allocated once; adding and removing never allocate.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace iommu {

class WayIndex {
public:
    static constexpr uint32_t kNone = ~uint32_t(0);

    // An index for a cache of `entries` slots.
    explicit WayIndex(size_t entries);

    // The slot holding the key of this hash for which is_key(slot) is true, or kNone.
    template <class IsKey>
    uint32_t find(uint64_t hash, IsKey&& is_key) const {
        const uint32_t tag = tag_of(hash);
        for (size_t b = home(tag);; b = (b + 1) & mask_) {
            const Bucket& bucket = buckets_[b];
            if (bucket.slot == kNone) return kNone;
            if (bucket.tag == tag && is_key(bucket.slot)) return bucket.slot;
        }
    }

    // The key of `hash` now lives in `slot` (not already indexed).
    void add(uint64_t hash, uint32_t slot);
    // The key of `hash` has left `slot`.
    void remove(uint64_t hash, uint32_t slot);

private:
    struct Bucket {
        uint32_t slot = kNone;
        uint32_t tag = 0;  // the high half of the mixed hash
    };

    // The key's own hash (a set index, often a plain page number) is mixed so that
    // neighbouring pages spread over the table.
    static uint64_t mix(uint64_t hash) { return hash * 0x9e3779b97f4a7c15ull; }
    static uint32_t tag_of(uint64_t hash) { return uint32_t(mix(hash) >> 32); }
    // The home bucket is the tag's top bits, so a bucket's home is known without its key.
    size_t home(uint32_t tag) const { return size_t(tag >> shift_); }

    std::vector<Bucket> buckets_;
    size_t mask_;
    unsigned shift_;  // 32 - log2(buckets)
};

}  // namespace iommu
