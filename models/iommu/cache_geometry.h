// The shape of one set-associative translation cache, as configuration gives it
// ([<arch>.iotlb] and the like): sets, ways and a replacement policy.
#pragma once

#include <cstdint>
#include <string>

namespace sim {
class Config;
class ParamBinder;
}  // namespace sim

namespace iommu {

struct CacheGeometry {
    uint32_t sets = 16;
    uint32_t ways = 4;
    std::string replacement = "lru";

    void bind(sim::ParamBinder& b);
    void validate() const;
};

// A cache's section ([<arch>.iotlb]) read over the unit's own default shape, then
// validated (sim::read_checked would start from CacheGeometry{}, not the default
// --help shows). Throws sim::InputError naming origin and key.
CacheGeometry read_geometry(const sim::Config& cfg, const std::string& section, CacheGeometry defaults);

}  // namespace iommu
