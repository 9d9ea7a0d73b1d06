// What a replay needs from the platform, shared by `iommu-sim replay` and
// `[workload] type = replay`.
#pragma once

#include <vector>

#include "platforms/platform_config.h"
#include "traces/trace.h"
#include "workloads/replay/replayer.h"

namespace workload {

// A trace with control operations needs the mapping engine (and an IOMMU); one of
// DMA only (a recording of a run without the engine) replays on the platform as it is.
bool needs_engine(const std::vector<trace::Op>& ops);
// Devices do only the trace's DMA; with the engine, no boot map and no preloaded data.
void adjust_for_replay(platform::PlatformConfig& pc, bool engine);
// The platform's devices as the engine binds them: name and requester ID.
std::vector<Replayer::DeviceInfo> device_infos(const platform::PlatformConfig& pc);

}  // namespace workload
