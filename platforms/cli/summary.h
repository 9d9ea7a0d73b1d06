// What a run ends with: its statistics collected and written, the short human summary
// it prints on stdout (read from those statistics), and its exit status.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "models/sim/run_control.h"
#include "platforms/platform_config.h"
#include "platforms/trace_recorder.h"

namespace cli {

struct HostCost {
    double seconds = 0;        // host wall-clock time of the simulation
    uint64_t transactions = 0;  // DMA requests completed
};

void print_summary(std::ostream& os, const nlohmann::json& stats, const HostCost& host);

// Collects every statistic and adds the run's metadata (platforms/stats.schema.json,
// "sim.*"); `finished`: every device and trace line completed.
nlohmann::json run_statistics(const platform::SimParams& sim, const sim::RunOutcome& out, bool finished);

// Writes the statistics and the recorded trace where asked (an empty path: not
// asked); false, said on stderr, when a file cannot be written.
bool write_results(const nlohmann::json& stats, const std::string& stats_json,
                   const platform::TraceRecorder& recorder, const std::string& record);

// 0 for a run that ended; for one a signal stopped, says so on stderr and gives
// 128 + the signal.
int exit_status(const sim::RunOutcome& out);

}  // namespace cli
