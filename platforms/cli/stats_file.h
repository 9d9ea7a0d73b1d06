// A statistics file as `iommu-sim csv` reads it: a JSON object of statistics, some of
// them objects of fields (averages, histograms). Shared by the csv command and its
// fuzz target.
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cli {

// Throws sim::InputError "NAME: not a statistics file (...)" for anything but a JSON
// object nested at most kMaxStatsDepth levels.
constexpr int kMaxStatsDepth = 16;
nlohmann::json read_stats(std::istream& in, const std::string& name);

// The statistic `key`, or field F of statistic K where key = K.F, as a CSV cell;
// throws sim::InputError "FILE: KEY: why" when there is no such number or text.
std::string stats_cell(const nlohmann::json& stats, const std::string& key, const std::string& file);

// A value as a CSV cell: numbers as JSON writes them (exact), text quoted when needed.
std::string csv_cell(const nlohmann::json& v, const std::string& file, const std::string& key);

// The file at `path` through read_stats; "PATH: cannot open file" when unreadable.
nlohmann::json read_stats_file(const std::string& path);

// A statistics command's body writing to `out`: its output goes to stdout only when
// it completes; a sim::InputError gives one line on stderr and exit status 2 instead.
int run_stats_command(const std::function<void(std::ostream& out)>& body);

// --keys K1,K2 --keys K3: the keys in order, empty ones dropped.
std::vector<std::string> split_keys(const std::vector<std::string>& given);

}  // namespace cli
