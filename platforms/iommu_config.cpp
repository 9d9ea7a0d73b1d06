#include "platforms/iommu_config.h"

namespace platform {

void IommuChoice::bind(sim::ParamBinder& b) {
    b.choice("arch", arch, {"none", "vtd"},
             "IOMMU on the DMA path: none, or vtd (Intel VT-d, [vtd] sections)");
}

void BootMapParams::bind(sim::ParamBinder& b) {
    b.choice("map", map, {"identity", "none"},
             "boot tables: identity maps each device's window 1:1 (until the mapping "
             "engine drives the unit); none leaves translation disabled");
    b.u64("page_size", page_size, "B", "leaf size of the boot mapping: 4096, 2M or 1G", 4096,
          uint64_t(1) << 30);
    b.u32("levels", levels, "", "second-level table levels: 3, 4 or 5", 3, 5);
    b.u64("table_base", table_base, "B", "where the boot tables are placed in memory", 4096,
          ~uint64_t(0));
    b.flag("snoop", snoop, "set SNP in every leaf, so that DMA snoops whatever its No Snoop "
           "attribute (snoop control; needs vtd.sc)");
}

void BootMapParams::validate() const {
    if (page_size != 4096 && page_size != (uint64_t(1) << 21) && page_size != (uint64_t(1) << 30))
        throw sim::InputError("page_size: " + std::to_string(page_size) +
                              " is not 4096, 2097152 or 1073741824");
    if (table_base % 4096) throw sim::InputError("table_base: not 4 KiB aligned");
}

void declare_vtd(sim::ParamSchema& s) {
    s.declare("vtd", [](sim::ParamBinder& b) { vtd::Capabilities().bind(b); });
    for (const char* cache : {"vtd.iotlb", "vtd.context_cache", "vtd.pasid_cache", "vtd.walk_cache"})
        s.declare(cache, [](sim::ParamBinder& b) { vtd::CacheGeometry().bind(b); });
}

VtdConfig read_vtd(const sim::Config& cfg, uint64_t seed) {
    VtdConfig v;
    v.caps = sim::read_checked<vtd::Capabilities>(cfg, "vtd");
    v.unit.iotlb = sim::read_checked<vtd::CacheGeometry>(cfg, "vtd.iotlb");
    v.unit.context_cache = sim::read_checked<vtd::CacheGeometry>(cfg, "vtd.context_cache");
    v.unit.pasid_cache = sim::read_checked<vtd::CacheGeometry>(cfg, "vtd.pasid_cache");
    v.unit.walk_cache = sim::read_checked<vtd::CacheGeometry>(cfg, "vtd.walk_cache");
    v.unit.seed = seed;
    return v;
}

}  // namespace platform
