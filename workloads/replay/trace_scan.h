// What one read of a whole trace tells before the platform is built; the lines
// themselves are not kept (the replay reads the file again as it runs).
#pragma once

#include <cstddef>
#include <string>

#include "workloads/replay/trace_check.h"

namespace workload {

struct TraceScan {
    // Control operations need the mapping engine (and an IOMMU); a trace of DMA only
    // (a recording of a run without the engine) replays on the platform as it is.
    bool engine = false;
    size_t opened = 0;  // iommufd_open lines
    TraceCheck names;   // fed every line; check_trace() reports its first bad one
};

// Throws sim::InputError "FILE:LINE: message" at the first malformed line.
TraceScan scan_trace(const std::string& path);

}  // namespace workload
