#include "platforms/iommu_config.h"

#include "models/sim/error.h"

namespace platform {

void IommuChoice::bind(sim::ParamBinder& b) {
    std::vector<std::string> names = {"none"};
    std::string desc = "IOMMU on the DMA path: none";
    for (const Arch& a : archs()) {
        names.push_back(a.name);
        desc += ", " + a.name + " (" + std::string(a.hardware->title) + ", [" + a.name + "] sections)";
    }
    b.choice("arch", arch, names, desc.c_str());
}

void BootMapParams::bind(sim::ParamBinder& b) {
    b.choice("map", map, {"identity", "none"},
             "boot tables: identity maps each device's window 1:1 through the architecture's "
             "driver (until the mapping engine drives the unit); none leaves translation disabled");
    b.u64("page_size", page_size, "B", "leaf size of the boot mapping: 4096, 2M or 1G", 4096,
          uint64_t(1) << 30);
    b.valid_values("page_size", "4K|2M|1G");
    b.u64("table_base", table_base, "B", "where the boot tables are placed in memory", 4096,
          ~uint64_t(0));
    b.flag("snoop", snoop, "the boot domains enforce cache coherency, so that DMA snoops "
           "whatever its No Snoop attribute (needs the unit's snoop control)");
}

void BootMapParams::validate() const {
    if (page_size != 4096 && page_size != (uint64_t(1) << 21) && page_size != (uint64_t(1) << 30))
        throw sim::InputError("page_size: " + std::to_string(page_size) +
                              " is not 4096, 2097152 or 1073741824");
    if (table_base % 4096) throw sim::InputError("table_base: not 4 KiB aligned");
}

void declare_archs(sim::ParamSchema& s) {
    for (const Arch& a : archs()) {
        a.hardware->declare(s);
        a.driver->declare(s, a.driver_section());
    }
}

ArchConfig read_arch(const sim::Config& cfg, const std::string& name, uint64_t seed) {
    ArchConfig chosen;
    for (const Arch& a : archs()) {
        ArchConfig c{&a, a.hardware->read(cfg, seed), a.driver->read(cfg, a.driver_section())};
        if (a.name == name) chosen = c;
    }
    return chosen;
}

}  // namespace platform
