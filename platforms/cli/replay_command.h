// `iommu-sim replay`: replay a trace of mapping-engine operations on a platform.
//
//   iommu-sim replay --config FILE --trace FILE [--op-log FILE] [--stats-json PATH]
//                    [--set KEY=VALUE]... [--check-isolation] [--out DIR] [--quiet]
//
// A trace with control operations needs an IOMMU ([iommu] arch); the engine's driver
// programs it (no boot map). Each operation's result goes to the op log (stdout when
// none is given). A malformed trace, or one naming an object it never created, stops
// the run before anything is replayed: exit status 2 and one line naming file and line.
// The devices do only what the trace's `dma` lines say (no synthetic requests).
#pragma once

#include <string>
#include <vector>

namespace cli {

// `program`: argv[0], for --out DIR's cmdline.txt.
int run_replay(const std::vector<std::string>& args, const std::string& program = "iommu-sim");

}  // namespace cli
