#include "models/iommu/cache_geometry.h"

#include "models/iommu/replacement.h"
#include "models/sim/error.h"
#include "models/sim/params.h"

namespace iommu {

void CacheGeometry::bind(sim::ParamBinder& b) {
    b.u32("sets", sets, "", "sets (any number; a power of two indexes by mask)", 1, 1 << 20);
    b.u32("ways", ways, "", "ways per set", 1, 4096);
    b.choice("replacement", replacement, replacement_names(), "replacement policy");
}

// Entries a cache may hold: sets and ways are each bounded, and so is their product,
// before anything is allocated.
constexpr uint64_t kMaxEntries = uint64_t(1) << 20;

void CacheGeometry::validate() const {
    if (uint64_t(sets) * ways > kMaxEntries)
        throw sim::InputError("sets|ways: " + std::to_string(sets) + " sets of " + std::to_string(ways) +
                              " ways is more than the " + std::to_string(kMaxEntries) +
                              " entries a cache may hold");
    if (replacement == "plru" && (ways & (ways - 1)))
        throw sim::InputError("ways: plru needs a power-of-two number of ways");
}

CacheGeometry read_geometry(const sim::Config& cfg, const std::string& section, CacheGeometry g) {
    sim::ParamReader r(cfg, section, "");
    g.bind(r);
    sim::with_origin(r, [&] { g.validate(); });
    return g;
}

}  // namespace iommu
