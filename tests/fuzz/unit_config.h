// The unit configuration of an architecture's strap variant, for the fuzz targets
// that run several (smmuv3_mmio, amdvi_mmio, amdvi_cmdbuf): read once per variant,
// since reading the schema costs more than a run.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/iommu/arch.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "platforms/archs.h"

namespace fuzz {

using Settings = std::vector<std::pair<std::string, std::string>>;

inline const iommu::UnitConfig& variant_config(const std::string& arch, unsigned variant, const Settings& settings) {
    static std::map<std::pair<std::string, unsigned>, std::shared_ptr<const iommu::UnitConfig>> configs;
    auto& c = configs[{arch, variant}];
    if (!c) {
        const iommu::HardwareArch& hw = *platform::find_arch(arch)->hardware;
        sim::Config cfg;
        for (const auto& [key, value] : settings) cfg.set(key, value);
        sim::ParamSchema schema;
        hw.declare(schema);
        schema.check_known(cfg);
        c = hw.read(cfg, 1);
    }
    return *c;
}

}  // namespace fuzz
