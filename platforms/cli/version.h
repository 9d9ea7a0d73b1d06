// The program's version (CMake project VERSION) and the commit it was configured from.
#pragma once

#include <string>

namespace cli {

// "0.9.0": recorded in the statistics (sim.version).
std::string version_number();
// `git describe --always --dirty` at configure time, "unknown" outside git. Kept out
// of the statistics: goldens compare byte for byte across commits.
std::string commit();
// "iommu-sim 0.9.0 (commit abc1234)": --version and a run directory's version.txt.
std::string version_line();

}  // namespace cli
