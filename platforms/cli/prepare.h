// A platform run as the command line and configuration files describe it, read and
// checked completely before any model exists: bad input stops here, exit status 2.
#pragma once

#include <ostream>

#include "models/sim/cli.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "platforms/platform_config.h"
#include "workloads/workload.h"

namespace cli {

struct Run {
    sim::CommandLine cl;
    platform::PlatformConfig pc;
    workload::Config wc;
    std::string config_digest;  // sim::config_digest of the configuration
    std::string config_ini;     // sim::dump_config, when --dump-config or --out asks for it
};

// Every parameter, cross-check and limit of `cfg` (the configuration `cl` built);
// throws sim::InputError naming file, line and key. Output files are not touched.
// The configuration's dump and digest are made here too.
Run prepare(const sim::CommandLine& cl, const sim::Config& cfg);

// Every parameter the configuration may hold (its device count sets the [devN] ones).
sim::ParamSchema schema_for(const sim::Config& cfg);

}  // namespace cli
