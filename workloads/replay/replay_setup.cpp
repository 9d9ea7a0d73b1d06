#include "workloads/replay/replay_setup.h"

#include <string>

namespace workload {

bool needs_engine(const std::vector<trace::Op>& ops) {
    for (const trace::Op& op : ops)
        if (op.op != "dma") return true;
    return false;
}

void adjust_for_replay(platform::PlatformConfig& pc, bool engine) {
    for (pcie::GeneratorParams& d : pc.devs) {
        d.requests = 0;
        d.write_first = false;
        if (engine) d.preload = "none";
    }
    if (engine) pc.boot_map.map = "none";
}

std::vector<Replayer::DeviceInfo> device_infos(const platform::PlatformConfig& pc) {
    std::vector<Replayer::DeviceInfo> out;
    for (size_t i = 0; i < pc.devs.size(); ++i)
        out.push_back({"dev" + std::to_string(i), uint16_t(pc.devs[i].requester_id)});
    return out;
}

}  // namespace workload
