#include "platforms/cli/prepare.h"

#include "models/sim/config_dump.h"
#include "models/sim/params.h"

namespace cli {
namespace {

constexpr const char* kUsage =
    "usage: iommu-sim [--config FILE]... [--KEY=VALUE]... [--seed N] [--mode timing|atomic]\n"
    "                 [--stats-json PATH] [--record-trace PATH] [--timeline PATH] [--check-isolation]\n"
    "                 [--out DIR] [--timeline-events CLASS[,CLASS...]] [--quiet] [--help]\n"
    "       iommu-sim --dump-config [--config FILE]... [--KEY=VALUE]...\n"
    "                 (the effective configuration as INI, with where each value came from)\n"
    "       iommu-sim --version\n"
    "       iommu-sim walk --arch ARCH --image MEM --requests REQS [--reg NAME=VALUE]...\n"
    "                 [--set KEY=VALUE]...   (offline translation; see README)\n"
    "       iommu-sim replay --config FILE --trace FILE [--op-log FILE] [--stats-json PATH]\n"
    "                 [--record-trace PATH] [--set KEY=VALUE]... [--check-isolation] [--out DIR] [--quiet]\n"
    "                 (replay mapping-engine operations; see traces/FORMAT.md)\n"
    "       iommu-sim csv --keys KEY[,KEY...] STATS.json...\n"
    "                 (chosen statistics of runs as CSV, one row per file)\n"
    "Runs the platform a configuration describes. Every parameter below can be set in an\n"
    "INI file (section = the part before the last dot) or overridden on the command line.\n"
    "[link] and [dev] apply to every link and device; [link0], [dev1], ... to one.\n\n";

sim::ParamSchema schema_for(const sim::Config& cfg) {
    sim::ParamSchema schema;
    platform::PlatformConfig::declare(schema, platform::device_count(cfg));
    workload::Config::declare(schema);
    return schema;
}

}  // namespace

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

void print_help(std::ostream& out, const sim::Config& cfg) {
    out << kUsage;
    schema_for(cfg).print_help(out);
}

}  // namespace cli
