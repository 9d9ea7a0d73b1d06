// What a run ends with: its statistics collected and written, the short human summary
// it prints on stdout (read from those statistics), and its exit status.
#pragma once

#include <fstream>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/sim/run_control.h"
#include "platforms/platform_config.h"
#include "models/sim/timeline.h"
#include "platforms/trace_recorder.h"

namespace cli {

struct HostCost {
    double seconds = 0;        // host wall-clock time of the simulation
    uint64_t transactions = 0;  // DMA requests completed
};

void print_summary(std::ostream& os, const nlohmann::json& stats, const HostCost& host);

// Collects every statistic and adds the run's metadata (platforms/stats.schema.json,
// "sim.*"); `finished`: every device and trace line completed.
// `config_digest`: sim::config_digest of the run's configuration.
nlohmann::json run_statistics(const platform::SimParams& sim, const std::string& config_digest,
                              const sim::RunOutcome& out, bool finished);

// One "sim.*" key run_statistics writes: platforms/stats.schema.json's "properties"
// name the same keys (a unit test keeps the two equal).
struct RunMetadata {
    const char* key;
    const char* unit;  // "none": not a quantity
    const char* description;
};
const std::vector<RunMetadata>& run_metadata();

// The run's statistics schema (--stats-schema, --out DIR's stats.schema.json): a JSON
// Schema whose "properties" give every key of `stats` its description, unit and kind.
// Reads the statistics' declarations from the models, so the models must still exist.
nlohmann::json run_schema(const nlohmann::json& stats);

// What a run writes besides its summary; an empty path or a null pointer: not asked.
struct Outputs {
    std::string stats_json;
    std::string stats_copy;    // --out DIR's stats.json
    std::string stats_schema;  // --stats-schema PATH: run_schema(stats)
    std::string schema_copy;   // --out DIR's stats.schema.json
    const platform::TraceRecorder* recorder = nullptr;
    std::string record;
    sim::Timeline* timeline = nullptr;
    std::ofstream* op_log = nullptr;
    std::string op_log_path;
    std::function<std::string()> close_workload;  // the workload's own files: a failed path
};

// Writes and closes every output, each checked after its last write and close (a full
// disk shows only then); every failure is said on stderr, naming the file. False when
// any failed: the caller then prints the summary whatever --quiet says, so that the
// run's results are not lost.
bool write_results(const nlohmann::json& stats, const Outputs& out);

// A run the isolation check stopped (--check-isolation found a breach).
constexpr int kExitBreach = 3;

// 0 for a run that ended; for one a signal stopped, says so on stderr and gives
// 128 + the signal.
int exit_status(const sim::RunOutcome& out);

}  // namespace cli
