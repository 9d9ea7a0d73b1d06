#include "models/iommu/way_index.h"

namespace iommu {

namespace {

// log2 of the bucket count: a power of two at least twice `entries` (and at least 2, so
// the home bucket's shift stays below 32).
unsigned bucket_bits(size_t entries) {
    unsigned bits = 1;
    while ((size_t(1) << bits) < 2 * entries) ++bits;
    return bits;
}

}  // namespace

WayIndex::WayIndex(size_t entries)
    : buckets_(size_t(1) << bucket_bits(entries)),
      mask_(buckets_.size() - 1),
      shift_(32 - bucket_bits(entries)) {}

void WayIndex::add(uint64_t hash, uint32_t slot) {
    const uint32_t tag = tag_of(hash);
    size_t b = home(tag);
    while (buckets_[b].slot != kNone) b = (b + 1) & mask_;
    buckets_[b] = Bucket{slot, tag};
}

// Backward-shift deletion: after emptying a bucket, each later bucket of the same run
// moves into the hole unless that would put it before its home bucket, so every key
// stays reachable from its home without tombstones.
void WayIndex::remove(uint64_t hash, uint32_t slot) {
    size_t hole = home(tag_of(hash));
    while (buckets_[hole].slot != slot) hole = (hole + 1) & mask_;
    for (size_t b = (hole + 1) & mask_; buckets_[b].slot != kNone; b = (b + 1) & mask_) {
        const size_t h = home(buckets_[b].tag);
        // Distance from home to b, and from home to the hole, going forwards (wrapping).
        if (((b - h) & mask_) >= ((b - hole) & mask_)) {
            buckets_[hole] = buckets_[b];
            hole = b;
        }
    }
    buckets_[hole] = Bucket{};
}

}  // namespace iommu
