// What the SetAssocCache tests share: an IOTLB-like page tag, a cache of them, and the
// statistics of a cache as JSON.
#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "models/iommu/set_assoc_cache.h"
#include "models/sim/stats.h"

namespace page_cache {

// A domain tag and a page number; the page alone selects the set (and is the index's
// hash), so the domains of one page share a set and a hash.
struct Tag {
    uint16_t domain = 0;
    uint64_t page = 0;
    bool operator==(const Tag& o) const { return domain == o.domain && page == o.page; }
};
struct ByPage {
    uint64_t operator()(const Tag& t) const { return t.page; }
};
using Cache = iommu::SetAssocCache<Tag, uint64_t, ByPage>;

// The statistics under the prefix "c": "c.lookups", "c.hits", ...
inline nlohmann::json stats_of(const sim::StatGroup& g) {
    nlohmann::json out = nlohmann::json::object();
    g.write(out, "c");
    return out;
}

}  // namespace page_cache
