#include "platforms/cli/prepare.h"

#include "models/sim/params.h"

namespace cli {

sim::ParamSchema schema_for(const sim::Config& cfg) {
    sim::ParamSchema schema;
    platform::PlatformConfig::declare(schema, platform::device_count(cfg));
    workload::Config::declare(schema);
    return schema;
}

Run prepare(const sim::CommandLine& cl, const sim::Config& cfg) {
    schema_for(cfg).check_known(cfg);
    Run run;
    run.cl = cl;
    run.pc = platform::PlatformConfig::read(cfg);
    run.wc = workload::Config::read(cfg);
    run.wc.check(run.pc, cfg);
    run.wc.adjust(run.pc);
    platform::check_build_sizes(run.pc, cfg);
    return run;
}

}  // namespace cli
