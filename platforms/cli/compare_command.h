// `iommu-sim compare`: statistics of two or more runs side by side, with each run's
// ratio to the first, the way an architect compares IOMMU on/off, strict/deferred or
// two cache sizes.
//
//   iommu-sim compare A.json B.json [C.json...] [--keys KEY[,KEY...]]
//
// Without --keys: every numeric statistic that differs between the files, plus the
// headline figures (the summary's) even when equal. Averages and histograms expand to
// their fields (K.mean, K.p99, ...). A statistic a file lacks shows as "-". Bad input
// (a missing file, not a statistics file, a key no file has): exit status 2 and one
// line, nothing on stdout.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace cli {

// A number for a person: integers with thousands separators (1,234,567), others with
// four or five significant digits, never in exponent form above 1e-4.
std::string readable_number(double v);

// One row per key: the key, the value in each file ("-" when absent), then the ratio
// of each later file to the first ("-" when either is absent or the first is zero).
struct CompareRow {
    std::string key;
    std::vector<std::string> cells;
};

// The numeric statistics of a stats file flattened: "K" for numbers, "K.F" for the
// numeric fields of averages and histograms (buckets are left out).
std::vector<std::pair<std::string, double>> flatten_stats(const nlohmann::json& stats);

// The rows the command prints for `runs` (flattened); `keys` empty: the default choice.
std::vector<CompareRow> compare_rows(const std::vector<nlohmann::json>& runs,
                                     const std::vector<std::string>& keys,
                                     const std::vector<std::string>& names);

// args: everything after "compare". Returns the exit status.
int run_compare(const std::vector<std::string>& args);

}  // namespace cli
