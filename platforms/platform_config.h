// Everything a run needs, read and validated from the configuration before any model
// is built, so that bad input stops the run before anything is simulated.
//
// Sections: [sim] run control, [platform] topology, [memory] and [memory.cache],
// [rc], the IOMMU ([iommu], [iommu.map], the architecture's sections and its driver's
// [iommufd.<arch>], iommu_config.h), the mapping engine ([iommufd]), and per device a
// link and a traffic generator. [link] and [dev] hold settings
// for every link and device; [link0], [dev1], ... override them for one instance.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/iommufd/io_pagetable.h"
#include "models/memory/coherent_cache.h"
#include "models/memory/dram_timing.h"
#include "models/memory/memory_controller.h"
#include "models/pcie/link_config.h"
#include "models/pcie/request_stream.h"
#include "models/pcie/root_complex.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "platforms/iommu_config.h"

namespace platform {

struct SimParams {
    uint64_t seed = 1;
    std::string mode = "timing";
    double quantum_ns = 1000;   // atomic mode: time a model may run ahead
    double duration_ns = 0;     // stop after this much simulated time; 0: when all is done
    bool check_isolation = false;  // every translation against the mapping engine (isolation.h)
    bool run_ahead = true;  // timing mode: devices decide ahead where nothing can change it

    void bind(sim::ParamBinder& b);
};

struct TopologyParams {
    uint32_t devices = 1;
    void bind(sim::ParamBinder& b);
};

// [iommufd]: how the mapping engine invalidates on unmap (io_pagetable.h FlushPolicy),
// or whether the devices are passed through instead (identity domains, the boot
// map's too; a workload's DMA API direct: Linux's iommu.passthrough=1).
struct EngineParams {
    std::string invalidation = "strict";  // strict | deferred
    bool passthrough = false;
    uint32_t flush_batch = 256;
    double flush_timeout_ns = 10e6;
    void bind(sim::ParamBinder& b);
    iommufd::FlushPolicy policy() const;
};

struct PlatformConfig {
    SimParams sim;
    TopologyParams topology;
    memory::ControllerParams memory;
    memory::DramParams dram;
    memory::CacheParams cache;
    pcie::RootComplexParams rc;
    IommuChoice iommu;
    iommu::PipelineParams pipeline;
    BootMapParams boot_map;
    ArchConfig arch;      // the [iommu] arch, its hardware and its driver
    EngineParams engine;  // [iommufd]: how the mapping engine invalidates
    std::vector<pcie::LinkParams> links;
    std::vector<pcie::GeneratorParams> devs;

    // Every key the configuration may hold (instances hidden from --help).
    static void declare(sim::ParamSchema& schema, uint32_t devices);
    // Reads and checks everything; throws sim::InputError.
    static PlatformConfig read(const sim::Config& cfg);
};

// The number of devices the configuration asks for (needed to declare the schema).
uint32_t device_count(const sim::Config& cfg);

// What the platform builds before the run, entry by entry or byte by byte, is bounded
// as configuration, not discovered as an allocation that cannot be interrupted: the
// boot map (when the platform makes one) at kMaxBootEntries leaves, the devices'
// preloaded windows at kMaxPreloadBytes in all. The error names the window.
constexpr uint64_t kMaxBootEntries = uint64_t(1) << 22;
constexpr uint64_t kMaxPreloadBytes = uint64_t(4) << 30;
void check_build_sizes(const PlatformConfig& pc, const sim::Config& cfg);

// Throws "ORIGIN: iommu.arch: WHO maps through an IOMMU driver (...)" when the
// platform has no IOMMU for the mapping engine to drive.
void require_engine(const PlatformConfig& pc, const sim::Config& cfg, const std::string& who);

// [iommufd] passthrough needs a unit to pass through, and does not apply to a trace
// that maps (`trace_maps`): its map and unmap are iommufd calls (IOMMU_IOAS_MAP),
// which need a paging domain whatever the default domain is. Throws
// "ORIGIN: iommufd.passthrough: reason".
void check_passthrough(const PlatformConfig& pc, const sim::Config& cfg, bool trace_maps);

}  // namespace platform
