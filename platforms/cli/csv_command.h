// `iommu-sim csv`: chosen statistics of one or more runs as CSV, one row per
// statistics file, for spreadsheets, plots and sweeps.
//
//   iommu-sim csv --keys KEY[,KEY...] FILE.json...
//
// A key names a statistic (`system.iommu.iotlb.hit_rate`) or a field of an average or
// histogram (`system.dev0.read_latency_ns.mean`, `.p99`, `.count`). The first column is
// the file. Bad input (a missing file, key or field, a key naming a whole histogram):
// exit status 2 and one line naming the file and key, nothing on stdout.
#pragma once

#include <string>
#include <vector>

namespace cli {

int run_csv(const std::vector<std::string>& args);

}  // namespace cli
