// The short human summary a run prints on stdout, read from the collected statistics.
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

namespace platform {

struct HostCost {
    double seconds = 0;        // host wall-clock time of the simulation
    uint64_t transactions = 0;  // DMA requests completed
};

void print_summary(std::ostream& os, const nlohmann::json& stats, const HostCost& host);

}  // namespace platform
