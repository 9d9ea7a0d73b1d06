// iommu-sim: build the platform a configuration describes, run it, write statistics.
//
//   iommu-sim [--config FILE]... [--KEY=VALUE]... [--seed N] [--mode timing|atomic]
//             [--stats-json PATH] [--stats-schema PATH] [--out DIR] [--check-isolation]
//             [--quiet] [--help]
//   iommu-sim --dump-config [--config FILE]... [--KEY=VALUE]...
//   iommu-sim --version
//   iommu-sim --list-configs | --list-workloads | help [SECTION]
//   iommu-sim walk --arch ARCH --image MEM --requests REQS [--reg NAME=VALUE]... [--set K=V]...
//   iommu-sim csv --keys KEY[,KEY...] STATS.json...
//   iommu-sim compare A.json B.json [C.json...] [--keys KEY[,KEY...]]
//   iommu-sim replay --config FILE --trace FILE [--op-log FILE] [--stats-json PATH]
//                    [--stats-schema PATH] [--set K=V]...
//
// Bad input exits with status 2 and one line naming file, line and key, before
// anything is simulated.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>

#include <systemc>

#include "models/sim/cli.h"
#include "models/sim/error.h"
#include "models/sim/stats_tree.h"
#include "platforms/cli/compare_command.h"
#include "platforms/cli/csv_command.h"
#include "platforms/cli/help_text.h"
#include "platforms/cli/prepare.h"
#include "platforms/cli/replay_command.h"
#include "platforms/cli/run_dir.h"
#include "platforms/cli/summary.h"
#include "platforms/cli/version.h"
#include "platforms/cli/walk_command.h"
#include "platforms/platform_config.h"
#include "platforms/system.h"
#include "platforms/trace_recorder.h"
#include "workloads/workload.h"

namespace {

// The platform run: builds the models from a prepared Run, runs them, reports.
int run_platform(const cli::Run& run) {
    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    sim::RunControl control;  // from here on SIGINT and SIGTERM stop the run cleanly
    std::unique_ptr<sim::Timeline> timeline;  // outlives the models that write to it
    if (!run.cl.timeline.empty()) timeline = std::make_unique<sim::Timeline>(run.cl.timeline, sim::Timeline::parse_classes(run.cl.timeline_events));
    platform::System system("system", run.pc);
    system.preload([&] { return control.stopping(); });
    std::unique_ptr<workload::Workload> work;
    try {
        work = workload::make(run.wc, system, run.pc);
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim: " << sim::message_line(e) << "\n";
        return sim::kExitBadInput;
    }
    platform::TraceRecorder recorder;
    if (!run.cl.record_trace.empty()) {
        recorder.watch(system);
        if (work) work->record(&recorder);
    }
    if (timeline) {
        system.set_timeline(*timeline);
        if (work) work->set_timeline(*timeline);
    }

    const auto t0 = std::chrono::steady_clock::now();
    const sim::RunOutcome out = system.run(control);
    system.end_timeline();
    const double host_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    const nlohmann::json stats =
        cli::run_statistics(run.pc.sim, run.config_digest, out, system.finished() && (!work || work->finished()));
    const std::string& dir = run.cl.out_dir;
    const bool written = cli::write_results(
        stats, {run.cl.stats_json, dir.empty() ? "" : cli::run_dir_stats(dir), run.cl.stats_schema,
                dir.empty() ? "" : cli::run_dir_schema(dir), &recorder, run.cl.record_trace, timeline.get(), nullptr, "",
                [&] { return work ? work->close_outputs() : std::string(); }});
    if (!run.cl.quiet || !written) cli::print_summary(std::cout, stats, {host_s, system.completed()});
    if (!written) return sim::kExitBadInput;
    return system.isolation_breaches() ? cli::kExitBreach : cli::exit_status(out);
}

}  // namespace

int sc_main(int argc, char* argv[]) {
    const std::string sub = argc > 1 ? argv[1] : "";
    const std::vector<std::string> rest(argv + std::min(argc, 2), argv + argc);
    if (sub == "walk") return cli::run_walk(rest);
    if (sub == "replay") return cli::run_replay(rest, argv[0]);
    if (sub == "csv") return cli::run_csv(rest);
    if (sub == "compare") return cli::run_compare(rest);
    if (sub == "help") return cli::run_help(rest);
    if (sub == "--list-configs") return cli::list_configs(std::cout);
    if (sub == "--list-workloads") return cli::list_workloads(std::cout), 0;
    cli::Run run;
    try {
        const sim::CommandLine cl = sim::parse_command_line(std::vector<std::string>(argv + 1, argv + argc));
        if (cl.version) {
            std::cout << cli::version_line() << "\n";
            return 0;
        }
        const sim::Config cfg = sim::build_config(cl);
        if (cl.help) {
            cli::print_help(std::cout, cfg);
            return 0;
        }
        run = cli::prepare(cl, cfg);
        sim::Timeline::parse_classes(cl.timeline_events);  // a bad list stops before the run
        if (cl.dump_config) {
            std::cout << run.config_ini;
            return 0;
        }
        const std::vector<std::string> outputs{cl.stats_json, cl.stats_schema, cl.record_trace, cl.timeline};
        if (cl.out_dir.empty()) sim::check_outputs_writable(outputs);
        else cli::start_run_dir(cl.out_dir, run.config_ini, {argv, argv + argc}, outputs);
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim: " << sim::message_line(e) << "\n";
        return sim::kExitBadInput;
    }
    return run_platform(run);
}

// libsystemc.so defines main() too; the executable's own wins. SystemC prints its
// banner when its kernel starts, before sc_main, and stdout belongs to the summary.
int main(int argc, char* argv[]) {
    setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
    return sc_core::sc_elab_and_sim(argc, argv);
}
