#include "platforms/cli/prepare.h"

#include "models/sim/config_dump.h"
#include "models/sim/params.h"

namespace cli {

sim::ParamSchema schema_for(const sim::Config& cfg) {
    sim::ParamSchema schema;
    platform::PlatformConfig::declare(schema, platform::device_count(cfg));
    workload::Config::declare(schema);
    return schema;
}

Run prepare(const sim::CommandLine& cl, const sim::Config& cfg) {
    const sim::ParamSchema schema = schema_for(cfg);
    schema.check_known(cfg);
    Run run;
    run.cl = cl;
    run.pc = platform::PlatformConfig::read(cfg);
    run.wc = workload::Config::read(cfg);
    run.wc.check(run.pc, cfg);
    run.wc.adjust(run.pc);
    platform::check_build_sizes(run.pc, cfg);
    run.config_digest = sim::config_digest(cfg, schema);
    if (cl.dump_config || !cl.out_dir.empty()) run.config_ini = sim::dump_config(cfg, schema);
    return run;
}

}  // namespace cli
