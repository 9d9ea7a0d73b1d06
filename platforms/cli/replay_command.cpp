#include "platforms/cli/replay_command.h"

#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>

#include <boost/program_options.hpp>
#include <systemc>

#include "models/sim/cli.h"
#include "models/sim/config.h"
#include "models/sim/config_dump.h"
#include "models/sim/error.h"
#include "models/sim/stats_tree.h"
#include "platforms/cli/run_dir.h"
#include "platforms/cli/help_text.h"
#include "platforms/cli/summary.h"
#include "platforms/mapping_engine.h"
#include "platforms/platform_config.h"
#include "platforms/system.h"
#include "platforms/walk_input.h"
#include "traces/trace.h"
#include "workloads/replay/replay_run.h"
#include "workloads/replay/replay_setup.h"

namespace po = boost::program_options;

namespace cli {

using namespace platform;  // the command builds a platform
using namespace workload;  // and replays the trace on it

namespace {

struct ReplayArgs {
    std::vector<std::string> configs, sets;
    std::string trace, op_log, stats_json, stats_schema, record, timeline, timeline_events, out_dir;
    bool quiet = false, check_isolation = false;
};

constexpr const char* kUsage =
    "usage: iommu-sim replay --config FILE --trace FILE [--op-log FILE] [--stats-json PATH]\n"
    "                        [--stats-schema PATH] [--record-trace PATH] [--timeline PATH]\n"
    "                        [--timeline-events CLASS[,CLASS...]] [--set KEY=VALUE]...\n"
    "                        [--check-isolation] [--out DIR] [--quiet]\n"
    "Replays a trace of mapping-engine operations and DMA (traces/FORMAT.md) on the platform\n"
    "the configuration describes; each operation's result goes to the op log (stdout).\n";

void describe(po::options_description& d, ReplayArgs& r) {
    d.add_options()("config", po::value(&r.configs)->required(), "platform configuration")(
        "trace", po::value(&r.trace)->required(), "trace file")(
        "op-log", po::value(&r.op_log), "where each operation's result goes")(
        "stats-json", po::value(&r.stats_json), "statistics file")(
        "stats-schema", po::value(&r.stats_schema), "each statistic's description and unit")(
        "record-trace", po::value(&r.record), "write what the run did as a trace")(
        "timeline", po::value(&r.timeline), "write a Perfetto / Chrome trace-event timeline")(
        "out", po::value(&r.out_dir), "run directory (platforms/cli/run_dir.h)")(
        "timeline-events", po::value(&r.timeline_events), "event classes on the timeline")(
        "set", po::value(&r.sets)->composing(), "key=value")(
        "quiet", po::bool_switch(&r.quiet), "no summary")(
        "check-isolation", po::bool_switch(&r.check_isolation), "check every translation ([sim] check_isolation)");
}

ReplayArgs parse_args(const std::vector<std::string>& args) {
    po::options_description d("replay");
    ReplayArgs r;
    describe(d, r);
    sim::parse_options(d, args);
    return r;
}

// `digest`: the configuration's sim::config_digest, for the statistics; `ini`: its
// dump, for --out.
PlatformConfig read_platform(const ReplayArgs& a, bool engine, std::string& digest, std::string& ini) {
    sim::Config cfg;
    for (const std::string& f : a.configs) cfg.load_ini(f);
    if (a.check_isolation) cfg.set("sim.check_isolation", "true");
    for (const std::string& s : a.sets) {
        const auto kv = parse_set_assignment(s);
        cfg.set(kv.first, kv.second);
    }
    sim::ParamSchema schema;
    PlatformConfig::declare(schema, device_count(cfg));
    schema.check_known(cfg);
    PlatformConfig pc = PlatformConfig::read(cfg);
    if (engine) require_engine(pc, cfg, "the trace");
    check_passthrough(pc, cfg, engine);
    adjust_for_replay(pc, engine);
    check_build_sizes(pc, cfg);
    digest = sim::config_digest(cfg, schema);
    if (!a.out_dir.empty()) ini = sim::dump_config(cfg, schema);
    return pc;
}

void open_output(std::ofstream& f, const std::string& path) {
    if (path.empty()) return;
    f.open(path);
    if (!f) throw sim::InputError(path + ": cannot write file");
}

// What the command reads before anything is simulated.
struct Input {
    ReplayArgs a;
    PlatformConfig pc;
    TraceScan scan;
    std::unique_ptr<trace::Reader> trace;  // the replay's own read of the file
    std::vector<Replayer::DeviceInfo> infos;
    std::ofstream log_file;
    bool engine = false;
    std::string config_digest, config_ini;
};

// Everything that can fail on bad input happens here, before any model exists.
void prepare(const std::vector<std::string>& args, Input& in, const std::string& program) {
    in.a = parse_args(args);
    in.scan = scan_trace(in.a.trace);
    in.engine = in.scan.engine;
    in.pc = read_platform(in.a, in.engine, in.config_digest, in.config_ini);
    in.infos = device_infos(in.pc);
    check_trace(in.scan, in.infos);
    in.trace = std::make_unique<trace::Reader>(in.a.trace);
    sim::Timeline::parse_classes(in.a.timeline_events);  // a bad list stops before the run
    const std::vector<std::string> outputs{in.a.op_log, in.a.stats_json, in.a.stats_schema, in.a.record,
                                           in.a.timeline};
    if (in.a.out_dir.empty()) {
        sim::check_outputs_writable(outputs);
    } else {  // the directory first: the outputs may name files inside it
        std::vector<std::string> argv{program, "replay"};
        argv.insert(argv.end(), args.begin(), args.end());
        start_run_dir(in.a.out_dir, in.config_ini, argv, outputs);
    }
    open_output(in.log_file, in.a.op_log);
}

}  // namespace

int run_replay(const std::vector<std::string>& args, const std::string& program) {
    Input in;
    if (subcommand_help(args, kUsage, [&](po::options_description& d) { describe(d, in.a); })) return 0;
    try {
        prepare(args, in, program);
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim: " << sim::message_line(e) << "\n";
        return sim::kExitBadInput;
    }
    const ReplayArgs& a = in.a;
    const PlatformConfig& pc = in.pc;
    std::ofstream& log_file = in.log_file;
    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    sim::RunControl control;
    // Before the platform, so that it outlives the models that write to it.
    std::unique_ptr<sim::Timeline> timeline;
    if (!a.timeline.empty()) timeline = std::make_unique<sim::Timeline>(a.timeline, sim::Timeline::parse_classes(a.timeline_events));
    std::ostream& log = log_file.is_open() ? log_file : std::cout;
    System sys("system", pc);
    sys.preload([&] { return control.stopping(); });
    ReplayRun replay("iommufd", sys, std::move(in.trace), in.infos, in.engine, pc, log, pc.engine.policy());
    if (timeline) {
        sys.set_timeline(*timeline);
        replay.set_timeline(*timeline);
    }
    TraceRecorder recorder;
    if (!a.record.empty()) {
        recorder.watch(sys);
        replay.record(&recorder);
    }
    if (!replay.probed()) {
        std::cerr << "iommu-sim: the IOMMU driver could not probe the unit\n";
        return 1;
    }
    const auto t0 = std::chrono::steady_clock::now();
    const sim::RunOutcome out = sys.run(control);
    sys.end_timeline();
    const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const nlohmann::json stats = run_statistics(pc.sim, in.config_digest, out, replay.finished() && sys.finished());
    const std::string& dir = a.out_dir;
    const bool written = write_results(stats, {a.stats_json, dir.empty() ? "" : run_dir_stats(dir), a.stats_schema,
                                               dir.empty() ? "" : run_dir_schema(dir), &recorder, a.record,
                                               timeline.get(), &log_file, a.op_log, {}});
    // The summary shares stdout with an op log that has no file; lost outputs put it on
    // stderr then, so that the results survive.
    const HostCost cost{host_s, stats.value("iommufd.dma.requests", uint64_t(0))};
    const bool log_to_file = !a.op_log.empty();
    if ((log_to_file && !a.quiet) || !written) print_summary(log_to_file ? std::cout : std::cerr, stats, cost);
    if (!written) return sim::kExitBadInput;
    return sys.isolation_breaches() ? kExitBreach : exit_status(out);
}

}  // namespace cli
