// The short human summary a run prints on stdout, read from the collected statistics.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include "models/sim/run_control.h"
#include "platforms/platform_config.h"

namespace cli {

struct HostCost {
    double seconds = 0;        // host wall-clock time of the simulation
    uint64_t transactions = 0;  // DMA requests completed
};

void print_summary(std::ostream& os, const nlohmann::json& stats, const HostCost& host);

// Collects every statistic and adds the run's metadata (platforms/stats.schema.json,
// "sim.*"); `finished`: every device and trace line completed.
nlohmann::json run_statistics(const platform::SimParams& sim, const sim::RunOutcome& out, bool finished);

// 0 for a run that ended; for one a signal stopped, says so on stderr and gives
// 128 + the signal.
int exit_status(const sim::RunOutcome& out);

}  // namespace cli
