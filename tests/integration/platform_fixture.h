// Builds a platform from key=value settings, as a configuration file would, checking
// every key against the schema so that a typo in a test fails loudly.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "models/sim/config.h"
#include "models/sim/params.h"
#include "platforms/platform_config.h"

inline platform::PlatformConfig make_platform(
    const std::vector<std::pair<std::string, std::string>>& settings) {
    sim::Config cfg;
    for (auto& kv : settings) cfg.set(kv.first, kv.second);
    sim::ParamSchema schema;
    platform::PlatformConfig::declare(schema, platform::device_count(cfg));
    schema.check_known(cfg);
    return platform::PlatformConfig::read(cfg);
}

// A shipped configuration file with key=value overrides on top, as on the command line.
inline platform::PlatformConfig load_platform(
    const std::string& file, const std::vector<std::pair<std::string, std::string>>& overrides) {
    sim::Config cfg;
    cfg.load_ini(file);
    for (auto& kv : overrides) cfg.set(kv.first, kv.second);
    sim::ParamSchema schema;
    platform::PlatformConfig::declare(schema, platform::device_count(cfg));
    schema.check_known(cfg);
    return platform::PlatformConfig::read(cfg);
}

// The repository root, for shipped configurations.
inline std::string source_root() { return IOMMU_SIM_SOURCE_DIR; }
