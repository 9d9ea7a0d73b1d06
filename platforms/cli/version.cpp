// The only source compiled with the commit (platforms/cli/CMakeLists.txt), so that a
// new commit rebuilds this file alone.
#include "platforms/cli/version.h"

#include "iommu_sim_commit.h"  // generated at build time: IOMMU_SIM_COMMIT

namespace cli {

std::string version_number() { return IOMMU_SIM_VERSION; }

std::string commit() { return IOMMU_SIM_COMMIT; }

std::string version_line() { return "iommu-sim " + version_number() + " (commit " + commit() + ")"; }

}  // namespace cli
