#include "platforms/cli/summary.h"

#include <cstdio>
#include <iostream>
#include <string>

#include "models/sim/error.h"
#include "models/sim/stats_tree.h"
#include "platforms/cli/version.h"

namespace cli {
namespace {

double num(const nlohmann::json& s, const std::string& key) {
    auto it = s.find(key);
    return it != s.end() && it->is_number() ? it->get<double>() : 0.0;
}

double field(const nlohmann::json& s, const std::string& key, const char* f) {
    auto it = s.find(key);
    return it != s.end() && it->is_object() && it->contains(f) ? (*it)[f].get<double>() : 0.0;
}

std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c, d);
    return buf;
}

void print_device(std::ostream& os, const nlohmann::json& s, unsigned i, double sim_ns) {
    const std::string d = "system.dev" + std::to_string(i) + ".";
    const std::string l = "system.link" + std::to_string(i) + ".";
    os << fmt("  dev%.0f   reads %.0f, writes %.0f; read %.2f Gb/s", i, num(s, d + "reads"),
              num(s, d + "writes"), num(s, d + "read_gbps"))
       << fmt(", write %.2f Gb/s\n", num(s, d + "write_gbps"));
    os << fmt("         read latency mean %.1f ns, p99 <= %.0f ns; write commit mean %.1f ns\n",
              field(s, d + "read_latency_ns", "mean"), field(s, d + "read_latency_ns", "p99"),
              field(s, d + "write_latency_ns", "mean"));
    os << fmt("         error completions %.0f, data errors %.0f", num(s, d + "error_completions"),
              num(s, d + "data_errors"));
    if (sim_ns > 0)
        os << fmt("; link%.0f busy up %.1f%%, down %.1f%%", i,
                  100 * num(s, l + "up.busy_ns") / sim_ns, 100 * num(s, l + "down.busy_ns") / sim_ns);
    os << "\n";
}

}  // namespace

void print_summary(std::ostream& os, const nlohmann::json& s, const HostCost& host) {
    const double sim_ns = num(s, "sim.time_ns");
    unsigned devices = 0;
    while (s.contains("system.dev" + std::to_string(devices) + ".reads")) ++devices;
    os << "iommu-sim: " << s.value("sim.mode", std::string("?")) << " mode, seed "
       << s.value("sim.seed", uint64_t(0)) << ", " << devices << " device(s), simulated "
       << fmt("%.3f us\n", sim_ns / 1000);
    for (unsigned i = 0; i < devices; ++i) print_device(os, s, i, sim_ns);
    const std::string c = "system.memory.cache.";
    os << fmt("  memory reads %.0f, writes %.0f, address errors %.0f\n",
              num(s, "system.memory.reads"), num(s, "system.memory.writes"),
              num(s, "system.memory.address_errors"));
    os << fmt("  coherence: snooped dirty hits %.0f, non-snooped stale reads %.0f, lost writes "
              "%.0f, stale CPU lines %.0f\n",
              num(s, c + "snoop_dirty_hits"), num(s, c + "nosnoop_stale_reads"),
              num(s, c + "nosnoop_lost_writes"), num(s, c + "nosnoop_stale_cpu_lines"));
    if (!s.value("sim.finished", true))
        os << "  NOTE: not every device finished (sim.duration_ns reached, or a stall)\n";
    os << fmt("  host %.3f s, %.0f DMA transactions, %.0f transactions per host second\n",
              host.seconds, double(host.transactions),
              host.seconds > 0 ? double(host.transactions) / host.seconds : 0.0);
}

nlohmann::json run_statistics(const platform::SimParams& sim, const std::string& config_digest,
                              const sim::RunOutcome& out, bool finished) {
    nlohmann::json stats = sim::collect_stats();
    stats["sim.time_ns"] = double(out.end.value()) / 1000.0;
    stats["sim.seed"] = sim.seed;
    stats["sim.mode"] = sim.mode;
    stats["sim.version"] = version_number();
    stats["sim.config_digest"] = config_digest;
    stats["sim.finished"] = finished && !out.signal;
    if (out.signal) stats["sim.stopped_by"] = sim::RunControl::signal_name(out.signal);
    return stats;
}

bool write_results(const nlohmann::json& stats, const Outputs& out) {
    bool ok = true;
    const auto report = [&](bool written, const std::string& path) {
        if (written) return;
        std::cerr << "iommu-sim: " << sim::printable_input(path, 2000) << ": cannot write file\n";
        ok = false;
    };
    for (const std::string& path : {out.stats_json, out.stats_copy})
        if (!path.empty()) report(sim::try_write_json_file(path, stats), path);
    if (out.recorder && !out.record.empty()) report(out.recorder->write(out.record), out.record);
    if (out.timeline) report(out.timeline->close(), out.timeline->path());
    if (out.close_workload) {
        const std::string failed = out.close_workload();
        report(failed.empty(), failed);
    }
    if (out.op_log && out.op_log->is_open()) {
        out.op_log->close();
        report(bool(*out.op_log), out.op_log_path);
    }
    return ok;
}

int exit_status(const sim::RunOutcome& out) {
    if (!out.signal) return 0;
    std::cerr << "iommu-sim: stopped by " << sim::RunControl::signal_name(out.signal)
              << "; the statistics so far are written\n";
    return sim::RunControl::exit_status(out.signal);
}

}  // namespace cli
