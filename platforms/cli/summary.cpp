#include "platforms/cli/summary.h"

#include <cstdio>
#include <iostream>
#include <string>

#include "models/sim/error.h"
#include "models/sim/stats_tree.h"
#include "platforms/cli/summary_sections.h"
#include "platforms/cli/text_table.h"
#include "platforms/cli/version.h"

namespace cli {
namespace {

std::string fmt(const char* f, double a, double b = 0, double c = 0, double d = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c, d);
    return buf;
}

double num(const nlohmann::json& s, const std::string& key) { return stat_number(s, key); }

constexpr const char* kRunSchemaText =
    "One property per key of this run's stats.json (value shapes: platforms/stats.schema.json). "
    "kind: counter (an integer), average ({count,max,mean,min,sum} of samples), histogram (an "
    "average with buckets and percentiles), formula (a number worked out when written) or metadata "
    "(the run's sim.* facts). unit: of the value, or of an average's or histogram's samples (ns, "
    "ps, B, Gb/s, ...); 'count' for a counter of events, '1' for a dimensionless number (a ratio, "
    "a sampled count), 'none' for a value that is not a quantity.";

}  // namespace

void print_summary(std::ostream& os, const nlohmann::json& s, const HostCost& host) {
    const double sim_ns = num(s, "sim.time_ns");
    unsigned devices = 0;
    while (s.contains("system.dev" + std::to_string(devices) + ".reads")) ++devices;
    os << "iommu-sim: " << s.value("sim.mode", std::string("?")) << " mode, seed "
       << s.value("sim.seed", uint64_t(0)) << ", " << devices << " device(s), simulated "
       << fmt("%.3f us\n", sim_ns / 1000);
    print_devices(os, s);
    print_links(os, s);
    print_iommu(os, s);
    print_workloads(os, s);
    const std::string c = "system.memory.cache.";
    os << "memory\n";
    os << "  reads " << grouped(num(s, "system.memory.reads")) << ", writes "
       << grouped(num(s, "system.memory.writes")) << ", address errors "
       << grouped(num(s, "system.memory.address_errors")) << "\n";
    os << "  coherence: snooped dirty hits " << grouped(num(s, c + "snoop_dirty_hits"))
       << ", non-snooped stale reads " << grouped(num(s, c + "nosnoop_stale_reads")) << ", lost writes "
       << grouped(num(s, c + "nosnoop_lost_writes")) << ", stale CPU lines "
       << grouped(num(s, c + "nosnoop_stale_cpu_lines")) << "\n";
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

const std::vector<RunMetadata>& run_metadata() {
    static const std::vector<RunMetadata> table{
        {"sim.seed", "none", "the seed of every random choice"},
        {"sim.mode", "none", "timing (approximately timed, with back-pressure) or atomic (loosely timed)"},
        {"sim.version", "none", "iommu-sim's version (the commit is in a run directory's version.txt)"},
        {"sim.config_digest", "none", "FNV-1a 64 of the effective configuration (--dump-config without comments)"},
        {"sim.time_ns", "ns", "simulated time at the end"},
        {"sim.finished", "none", "every device and trace line completed"},
        {"sim.stopped_by", "none", "the signal that stopped the run (present only then)"},
    };
    return table;
}

nlohmann::json run_schema(const nlohmann::json& stats) {
    nlohmann::json properties = sim::describe_stats();
    for (const RunMetadata& m : run_metadata())
        if (stats.contains(m.key))
            properties[m.key] = {{"description", m.description}, {"kind", "metadata"}, {"unit", m.unit}};
    return {{"$schema", "https://json-schema.org/draft/2020-12/schema"},
            {"title", "iommu-sim statistics of one run: what each means, in what unit"},
            {"description", kRunSchemaText},
            {"type", "object"},
            {"properties", properties},
            {"additionalProperties", false}};
}

bool write_results(const nlohmann::json& stats, const Outputs& out) {
    bool ok = true;
    const auto report = [&](bool written, const std::string& path) {
        if (written) return;
        std::cerr << "iommu-sim: " << sim::printable_input(path, 2000) << ": cannot write file\n";
        ok = false;
    };
    const auto write_json = [&](const nlohmann::json& j, std::initializer_list<std::string> paths) {
        for (const std::string& path : paths)
            if (!path.empty()) report(sim::try_write_json_file(path, j), path);
    };
    write_json(stats, {out.stats_json, out.stats_copy});
    if (!out.stats_schema.empty() || !out.schema_copy.empty())
        write_json(run_schema(stats), {out.stats_schema, out.schema_copy});
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
