#include "workloads/replay/replay_setup.h"

#include <string>

#include "workloads/replay/trace_check.h"

namespace workload {

TraceScan scan_trace(const std::string& path) {
    TraceScan scan;
    scan.names = TraceCheck(path);
    trace::Reader reader(path);
    for (trace::Op op; reader.next(op);) {
        scan.engine |= op.kind != trace::Kind::dma;
        scan.opened += op.kind == trace::Kind::iommufd_open;
        scan.names.op(op);
    }
    return scan;
}

void check_trace(const TraceScan& scan, const std::vector<Replayer::DeviceInfo>& devices) {
    scan.names.finish(devices, scan.opened);
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
