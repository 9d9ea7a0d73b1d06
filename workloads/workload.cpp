#include "workloads/workload.h"

#include <fstream>
#include <map>
#include <ostream>

#include "models/sim/error.h"
#include "platforms/archs.h"
#include "workloads/gpu_stream.h"
#include "workloads/nic_ring.h"
#include "workloads/nvme.h"
#include "workloads/replay/replay_run.h"
#include "workloads/replay/replay_setup.h"
#include "workloads/window_sweep.h"

namespace workload {

namespace {
void bind_type(std::string& type, sim::ParamBinder& b) {
    std::vector<std::string> names;
    std::string desc;
    for (const TypeInfo& t : types()) {
        names.push_back(t.name);
        desc += std::string(desc.empty() ? "" : "; ") + t.name + ": " + t.what;
    }
    b.choice("type", type, names, desc.c_str());
}
}  // namespace

const std::vector<TypeInfo>& types() {
    static const std::vector<TypeInfo> all{
        {"synthetic", "each device's [dev] stream"},
        {"nic_ring", "a NIC's RX and TX rings ([nic])"},
        {"nvme", "an SSD's I/O queues ([nvme])"},
        {"gpu_stream", "large copies ([gpu_stream])"},
        {"window_sweep", "random reads over growing windows ([window_sweep])"},
        {"replay", "a trace ([replay])"},
    };
    return all;
}

void Config::declare(sim::ParamSchema& schema) {
    std::string type = "synthetic";
    schema.declare("workload", [&](sim::ParamBinder& b) { bind_type(type, b); });
    NicParams nic;
    schema.declare("nic", [&](sim::ParamBinder& b) { nic.bind(b); });
    NvmeParams nvme;
    schema.declare("nvme", [&](sim::ParamBinder& b) { nvme.bind(b); });
    WindowSweepParams sweep;
    schema.declare("window_sweep", [&](sim::ParamBinder& b) { sweep.bind(b); });
    GpuStreamParams gpu;
    schema.declare("gpu_stream", [&](sim::ParamBinder& b) { gpu.bind(b); });
    ReplayParams replay;
    schema.declare("replay", [&](sim::ParamBinder& b) { replay.bind(b); });
}

Config Config::read(const sim::Config& cfg) {
    Config c;
    sim::ParamReader r(cfg, "workload");
    bind_type(c.type, r);
    c.nic = sim::read_checked<NicParams>(cfg, "nic");
    c.nvme = sim::read_checked<NvmeParams>(cfg, "nvme");
    c.gpu_stream = sim::read_checked<GpuStreamParams>(cfg, "gpu_stream");
    c.window_sweep = sim::read_checked<WindowSweepParams>(cfg, "window_sweep");
    c.replay = sim::read_params<ReplayParams>(cfg, "replay");
    if (c.type == "replay") {
        if (c.replay.trace.empty())
            throw sim::InputError(sim::ParamReader(cfg, "replay").where("trace") + ": a trace to replay is needed");
        c.replay_scan = scan_trace(c.replay.trace);
    }
    return c;
}

void Config::adjust(platform::PlatformConfig& pc) const {
    if (type == "synthetic") return;
    if (type == "replay") return adjust_for_replay(pc, replay_scan.engine);
    for (pcie::GeneratorParams& d : pc.devs) {
        d.requests = 0;
        d.write_first = false;
        d.preload = "none";
    }
    pc.boot_map.map = "none";
}

// The mapping workloads run without an IOMMU too (the DMA API direct, as dma-direct);
// a trace that maps needs one.
void Config::check(const platform::PlatformConfig& pc, const sim::Config& cfg) const {
    check_passthrough(pc, cfg, type == "replay" && replay_scan.engine);
    if (type == "synthetic") return;
    if (type == "replay") {
        if (replay_scan.engine) require_engine(pc, cfg, "the trace");
        return check_trace(replay_scan, device_infos(pc));
    }
    const std::string section = type == "nic_ring" ? "nic" : type;
    const std::map<std::string, uint32_t> devices = {{"nic_ring", nic.device},
                                                     {"nvme", nvme.device},
                                                     {"gpu_stream", gpu_stream.device},
                                                     {"window_sweep", window_sweep.device}};
    const std::string platform_has = ": the platform has " + std::to_string(pc.devs.size()) + " device(s)";
    if (devices.at(type) >= pc.devs.size())
        throw sim::InputError(sim::ParamReader(cfg, section).where("device") + platform_has);
    if (type == "nvme" && uint64_t(nvme.device) + nvme.devices > pc.devs.size())
        throw sim::InputError(sim::ParamReader(cfg, section).where("devices") + ": SSDs on devices " +
                              std::to_string(nvme.device) + ".." + std::to_string(nvme.device + nvme.devices - 1) +
                              platform_has);
}

namespace {

std::unique_ptr<Workload> make_replay(const Config& c, platform::System& sys, const platform::PlatformConfig& pc) {
    static std::ostream discard(nullptr);
    std::unique_ptr<std::ofstream> file;
    if (!c.replay.op_log.empty()) {
        file = std::make_unique<std::ofstream>(c.replay.op_log);
        if (!*file) throw sim::InputError(c.replay.op_log + ": cannot write file");
    }
    auto run = std::make_unique<ReplayRun>("iommufd", sys, std::make_unique<trace::Reader>(c.replay.trace),
                                           device_infos(pc), c.replay_scan.engine, pc, file ? *file : discard,
                                           pc.engine.policy());
    if (!run->probed()) throw sim::InputError("iommu: the IOMMU driver could not probe the unit");
    if (file) run->keep(std::move(file), c.replay.op_log);
    return run;
}

}  // namespace

std::unique_ptr<Workload> make(const Config& c, platform::System& sys,
                               const platform::PlatformConfig& pc) {
    if (c.type == "synthetic") return nullptr;
    if (c.type == "replay") return make_replay(c, sys, pc);
    if (c.type == "nvme") return std::make_unique<Nvme>("nvme", sys, pc, c.nvme);
    if (c.type == "window_sweep") return std::make_unique<WindowSweep>("window_sweep", sys, pc, c.window_sweep);
    if (c.type == "gpu_stream") return std::make_unique<GpuStream>("gpu_stream", sys, pc, c.gpu_stream);
    return std::make_unique<NicRing>("nic", sys, pc, c.nic);
}

}  // namespace workload
