// What drives the platform's devices. `synthetic` (the default) is each device's own
// RequestStream ([dev]); the others are Workload modules that drive devices through
// TrafficGenerator::feed and map their buffers through the mapping engine, as a
// host driver would:
//   nic_ring      a NIC's RX and TX rings under a Linux driver (nic_ring.h, nic_tx.h)
//   window_sweep  pcie-bench's random reads over windows of growing size (window_sweep.h)
//   gpu_stream    a copy engine streaming large buffers (gpu_stream.h)
//   nvme          an NVMe SSD's I/O queues under a Linux driver (nvme.h)
//   replay        a trace of map/unmap and DMA (replay/replay_run.h; also `iommu-sim replay`)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/sim/config.h"
#include "models/sim/params.h"
#include "models/sim/stats.h"
#include "platforms/platform_config.h"
#include "platforms/system.h"
#include "platforms/trace_recorder.h"
#include "workloads/gpu_stream_params.h"
#include "workloads/nic_params.h"
#include "workloads/nvme_params.h"
#include "workloads/replay/replay_params.h"
#include "workloads/replay/trace_scan.h"
#include "workloads/window_sweep_params.h"

namespace workload {

class Workload : public sc_core::sc_module, public sim::StatGroup {
public:
    using sc_core::sc_module::sc_module;
    // Everything it set out to do is done.
    virtual bool finished() const = 0;
    // --record-trace: the workload's control operations go to `r` as they are applied
    // (the devices' DMA is recorded by the platform). Only replay has any yet.
    virtual void record(platform::TraceRecorder*) {}
    // --timeline: the host cores' work goes to `t` (the platform's events come from it).
    virtual void set_timeline(sim::Timeline&) {}
    // The run is over: closes the files the workload writes, each checked after its
    // close; the path of one that failed, else "".
    virtual std::string close_outputs() { return ""; }
};

// The workload types, each with what it drives in one line (its parameter section in
// brackets), in [workload] type's order; --list-workloads prints them.
struct TypeInfo {
    const char* name;
    const char* what;
};
const std::vector<TypeInfo>& types();

// [workload] and the sections of each workload.
struct Config {
    std::string type = "synthetic";  // synthetic | nic_ring | nvme | gpu_stream | window_sweep | replay
    NicParams nic;
    NvmeParams nvme;
    GpuStreamParams gpu_stream;
    WindowSweepParams window_sweep;
    ReplayParams replay;
    TraceScan replay_scan;  // the trace read through once with the configuration

    static void declare(sim::ParamSchema& schema);
    static Config read(const sim::Config& cfg);
    // What the platform must look like under the workload: devices that only do what
    // they are fed, and no boot-time identity map where the engine maps.
    void adjust(platform::PlatformConfig& pc) const;
    // Throws sim::InputError "ORIGIN: KEY: reason" when the platform cannot run it.
    void check(const platform::PlatformConfig& pc, const sim::Config& cfg) const;
};

// nullptr for `synthetic`; the Config has passed check().
std::unique_ptr<Workload> make(const Config& c, platform::System& sys,
                               const platform::PlatformConfig& pc);

}  // namespace workload
