// SMMUv3 walk caches (IHI 0070 §16.2 "Caching", §4.4 "TLB invalidation" on intermediate
// table entries): table descriptors (non-leaf entries) a walk has read, per stage and
// per level, so a later walk starts below the top level and makes only the reads
// below the deepest cached entry. Leaves go to the TLB (caches.h), not here.
//
//   stage 1 entries: tagged by (VMID, ASID, level, VA prefix); under nesting the table
//                    address they hold is an IPA, so they do not derive from stage 2
//   stage 2 entries: tagged by (VMID, level, IPA prefix); nested walks use them for the
//                    stage 1 table addresses, the output IPA and the CD addresses
//
// Levels 0..2 only: a level 3 descriptor is always a leaf (Arm ARM D8.3), so the
// level-3 walk caches of gem5 (which keep leaves) have no counterpart here.
#pragma once

#include <cstdint>
#include <memory>

#include "models/iommu/cache_geometry.h"
#include "models/iommu/set_assoc_cache.h"
#include "models/sim/stats.h"
#include "models/smmuv3/vmsa_config.h"

namespace smmuv3 {

struct Command;

constexpr unsigned kWalkCacheLevels = 3;  // levels 0, 1 and 2 hold table descriptors

// Per stage, per level: gem5's SMMUv3 defaults (stage 1 levels 0-2 of 4/28/348 entries,
// stage 2 of 4/28/92, 4-way; shared/reference/measurements.md).
struct WalkCacheParams {
    iommu::CacheGeometry s1[kWalkCacheLevels] = {{1, 4, "lru"}, {7, 4, "lru"}, {87, 4, "lru"}};
    iommu::CacheGeometry s2[kWalkCacheLevels] = {{1, 4, "lru"}, {7, 4, "lru"}, {23, 4, "lru"}};
};

// The table descriptor at one level covering input >> span_log2 (span_log2 = the
// level's shift in its granule, so granules never alias).
struct WalkCacheKey {
    uint16_t vmid = 0;
    uint16_t asid = 0;  // stage 2 entries: 0
    uint8_t span_log2 = 0;
    uint64_t prefix = 0;
    bool operator==(const WalkCacheKey& o) const {
        return prefix == o.prefix && vmid == o.vmid && asid == o.asid && span_log2 == o.span_log2;
    }
};
// The next-level table (an IPA for nested stage 1) and, for stage 1, the hierarchical
// attributes (APTable, PXNTable, UXNTable) accumulated down to and including it.
struct WalkCacheValue {
    uint64_t table = 0;
    bool no_el0 = false, no_write = false, pxn = false, uxn = false;
};
struct WalkCacheIndex {
    uint64_t operator()(const WalkCacheKey& k) const {
        return k.prefix ^ (uint64_t(k.asid) << 5) ^ (uint64_t(k.vmid) << 9);
    }
};
using WalkCache = iommu::SetAssocCache<WalkCacheKey, WalkCacheValue, WalkCacheIndex>;

// The six caches, statistics as walk_cache.s1l0 .. walk_cache.s2l2.
class WalkCaches : public sim::StatGroup {
public:
    WalkCaches(const WalkCacheParams& p, uint64_t seed);
    ~WalkCaches();

    // The deepest cached table descriptor for `input`, probing level 2 up to g.start
    // (each probe a lookup of that level's cache); level: where it was found.
    const WalkCacheValue* find(bool s2, uint16_t vmid, uint16_t asid, uint64_t input,
                               const Geometry& g, unsigned& level);
    // A table descriptor the walk read at `level` (< 3).
    void fill(bool s2, uint16_t vmid, uint16_t asid, uint64_t input, const Geometry& g,
              unsigned level, const WalkCacheValue& v);
    // What a TLBI_* command removes (§4.4); vmid and asid already masked to the unit's
    // VMID16/ASID16 widths.
    void invalidate(const Command& c, uint16_t vmid, uint16_t asid);

private:
    WalkCache& at(bool s2, unsigned level) { return *(s2 ? s2_ : s1_)[level]; }
    std::unique_ptr<WalkCache> s1_[kWalkCacheLevels], s2_[kWalkCacheLevels];
};

}  // namespace smmuv3
