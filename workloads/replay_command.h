// `iommu-sim replay`: replay a trace of mapping-engine operations on a platform.
//
//   iommu-sim replay --config FILE --trace FILE [--op-log FILE] [--stats-json PATH]
//                    [--set KEY=VALUE]... [--quiet]
//
// A trace with control operations needs an IOMMU ([iommu] arch); the engine's driver
// programs it (no boot map). Each operation's result goes to the op log (stdout when
// none is given). A malformed trace, or one naming an object it never created, stops
// the run before anything is replayed: exit status 2 and one line naming file and line.
// The devices do only what the trace's `dma` lines say (no synthetic requests).
#pragma once

#include <string>
#include <vector>

#include "platforms/platform_config.h"
#include "platforms/replay.h"
#include "traces/trace.h"

namespace workload {

int run_replay(const std::vector<std::string>& args);

// Shared with `[workload] type = replay`:
// A trace with control operations needs the mapping engine (and an IOMMU); one of
// DMA only (a recording of a run without the engine) replays on the platform as it is.
bool needs_engine(const std::vector<trace::Op>& ops);
// Devices do only the trace's DMA; with the engine, no boot map and no preloaded data.
void adjust_for_replay(platform::PlatformConfig& pc, bool engine);
// The platform's devices as the engine binds them: name and requester ID.
std::vector<platform::Replayer::DeviceInfo> device_infos(const platform::PlatformConfig& pc);

}  // namespace workload
