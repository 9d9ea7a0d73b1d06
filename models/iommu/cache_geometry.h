// The shape of one set-associative translation cache, as configuration gives it
// ([<arch>.iotlb] and the like): sets, ways and a replacement policy.
#pragma once

#include <cstdint>
#include <string>

namespace sim { class ParamBinder; }

namespace iommu {

struct CacheGeometry {
    uint32_t sets = 16;
    uint32_t ways = 4;
    std::string replacement = "lru";

    void bind(sim::ParamBinder& b);
    void validate() const;
};

}  // namespace iommu
