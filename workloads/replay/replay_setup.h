// What a replay needs from the platform, shared by `iommu-sim replay` and
// `[workload] type = replay`.
#pragma once

#include <string>
#include <vector>

#include "platforms/platform_config.h"
#include "traces/trace.h"
#include "workloads/replay/replayer.h"
#include "workloads/replay/trace_scan.h"

namespace workload {

// Replayer::check's answer for the scanned trace, now that the platform's devices are
// known: throws sim::InputError "FILE:LINE: op.key: reason" at the first bad line.
void check_trace(const TraceScan& scan, const std::vector<Replayer::DeviceInfo>& devices);
// Devices do only the trace's DMA; with the engine, no boot map and no preloaded data.
void adjust_for_replay(platform::PlatformConfig& pc, bool engine);
// The platform's devices as the engine binds them: name and requester ID.
std::vector<Replayer::DeviceInfo> device_infos(const platform::PlatformConfig& pc);

}  // namespace workload
