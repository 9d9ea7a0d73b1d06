// The blocks of the run summary, each read from the statistics JSON by key pattern so
// that a new architecture's caches or a new workload's figures show up without code
// here. A block whose keys are absent prints nothing.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

namespace cli {

// A number statistic, 0 when absent; a histogram's field ("mean", "p99"), 0 when absent.
double stat_number(const nlohmann::json& s, const std::string& key);
double stat_field(const nlohmann::json& s, const std::string& key, const char* f);

// system.devN: requests, Gb/s each way, read and write latency mean and p99.
void print_devices(std::ostream& os, const nlohmann::json& s);
// system.linkN: payload Gb/s and busy time per direction over the simulated time.
void print_links(std::ostream& os, const nlohmann::json& s);
// system.iommu: translations, walks, every cache with lookups (hit rate), faults by
// reason code (faults.0xN), invalidations (inv.*) or commands.
void print_iommu(std::ostream& os, const nlohmann::json& s);
// Every top-level prefix other than sim and system is a workload: its throughput,
// drops, CPU cost, latency and nonzero errors, and a table per family of numbered
// subgroups (window_sweep.window_4096.gbps: one row per window).
void print_workloads(std::ostream& os, const nlohmann::json& s);

}  // namespace cli
