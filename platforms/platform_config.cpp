#include "models/sim/error.h"
#include "models/sim/format.h"
#include "models/sim/time.h"
#include "platforms/platform_config.h"

#include "platforms/boot_map.h"

namespace platform {

void SimParams::bind(sim::ParamBinder& b) {
    b.u64("seed", seed, "", "seed of every random choice in the run", 0, ~uint64_t(0));
    b.choice("mode", mode, {"timing", "atomic"},
             "timing: cycle-level TLM-AT with back-pressure; atomic: TLM-LT, fast");
    b.f64("quantum_ns", quantum_ns, "ns", "atomic mode: global quantum", 1, 1e9);
    b.f64("duration_ns", duration_ns, "ns", "stop after this simulated time; 0: run to the end",
          0, 1e15);
    b.flag("check_isolation", check_isolation,
           "check every translation against what the mapping engine lets the device reach; a "
           "breach stops the run (also --check-isolation)");
    b.flag("run_ahead", run_ahead,
           "timing mode: a device sends a request ahead of the kernel's time where nothing before "
           "its issue time could change it, saving a kernel event (false: every request decided at "
           "its own time; statistics differ only where two events fall on the same picosecond)");
}

void EngineParams::bind(sim::ParamBinder& b) {
    b.choice("invalidation", invalidation, {"strict", "deferred"},
             "strict: unmap invalidates before returning (iommufd); deferred: a flush queue");
    b.flag("passthrough", passthrough,
           "the devices on identity domains (the boot map's too), a workload's DMA API direct (IOVA = "
           "physical address, no map or unmap: iommu.passthrough=1); needs an [iommu] arch whose unit "
           "can pass through");
    b.u32("flush_batch", flush_batch, "", "deferred: unmapped areas queued before a flush", 1, 1u << 20);
    b.f64("flush_timeout_ns", flush_timeout_ns, "ns", "deferred: longest an unmap waits for its flush",
          1, 1e12);
}

iommufd::FlushPolicy EngineParams::policy() const {
    iommufd::FlushPolicy p;
    p.deferred = invalidation == "deferred";
    p.batch = flush_batch;
    p.timeout_ps = sim::ns_to_ps(flush_timeout_ns);
    return p;
}

void TopologyParams::bind(sim::ParamBinder& b) {
    b.u32("devices", devices, "", "traffic generators, each on its own link", 1, 256);
}

namespace {

template <class P>
std::function<void(sim::ParamBinder&)> binder() {
    return [](sim::ParamBinder& b) {
        P p;
        p.bind(b);
    };
}

// Defaults that differ per device: its own bus and its own 4 GiB-aligned window.
pcie::GeneratorParams device_defaults(uint32_t i) {
    pcie::GeneratorParams p;
    p.requester_id = uint32_t(1 + i) << 8;
    p.base = uint64_t(1 + i) << 32;
    return p;
}

// The driver must be able to probe the unit and, for the boot map, make it; for
// pass-through, give a device an identity domain.
BootMapParams read_boot_map(const sim::Config& cfg, const ArchConfig& a, bool passthrough) {
    const BootMapParams m = sim::read_checked<BootMapParams>(cfg, "iommu.map");
    if (a.arch) BootMap::check(a, m, cfg, passthrough);
    return m;
}

// Each device has a requester ID of its own: two devices with one ID would share a
// context entry, so one would translate into the other's pages.
void check_requester_unique(const std::vector<pcie::GeneratorParams>& before, const pcie::GeneratorParams& gp,
                            const sim::ParamReader& r) {
    for (size_t j = 0; j < before.size(); ++j)
        if (before[j].requester_id == gp.requester_id)
            throw sim::InputError(r.where("requester_id") + ": " + sim::hex(gp.requester_id) + " is dev" +
                                  std::to_string(j) + "'s too; each device needs its own requester ID");
}

std::string window_of(const sim::Config& cfg, size_t device) {
    return sim::ParamReader(cfg, "dev" + std::to_string(device), "dev").where("window");
}

void check_boot_map_size(const PlatformConfig& pc, const sim::Config& cfg) {
    if (!pc.arch.arch || pc.boot_map.map != "identity" || pc.engine.passthrough) return;  // nothing mapped
    const uint64_t ps = pc.boot_map.page_size;
    uint64_t entries = 0;
    for (size_t i = 0; i < pc.devs.size(); ++i) {
        const pcie::GeneratorParams& d = pc.devs[i];
        entries += ((d.base + d.window + ps - 1) / ps) - d.base / ps;
        if (entries > kMaxBootEntries)
            throw sim::InputError(window_of(cfg, i) + ": the boot map would need more than " +
                                  std::to_string(kMaxBootEntries) + " entries of " + std::to_string(ps) +
                                  " B; use a larger iommu.map.page_size or a smaller window");
    }
}

void check_preload_size(const PlatformConfig& pc, const sim::Config& cfg) {
    uint64_t bytes = 0;
    for (size_t i = 0; i < pc.devs.size(); ++i) {
        if (pc.devs[i].preload == "none") continue;
        bytes += pc.devs[i].window;  // each at most 1 GiB (GeneratorParams::validate)
        if (bytes > kMaxPreloadBytes)
            throw sim::InputError(window_of(cfg, i) + ": the preloaded windows add up to more than " +
                                  std::to_string(kMaxPreloadBytes >> 30) +
                                  " GiB; preload fewer devices (dev.preload=none) or use smaller windows");
    }
}

}  // namespace

void check_build_sizes(const PlatformConfig& pc, const sim::Config& cfg) {
    check_boot_map_size(pc, cfg);
    check_preload_size(pc, cfg);
}

void require_engine(const PlatformConfig& pc, const sim::Config& cfg, const std::string& who) {
    if (pc.arch.arch) return;
    throw sim::InputError(sim::ParamReader(cfg, "iommu").where("arch") + ": " + who +
                          " maps through an IOMMU driver (set one of: " + arch_names() + ")");
}

void check_passthrough(const PlatformConfig& pc, const sim::Config& cfg, bool trace_maps) {
    if (!pc.engine.passthrough) return;
    const std::string where = sim::ParamReader(cfg, "iommufd").where("passthrough");
    if (!pc.arch.arch)
        throw sim::InputError(where + ": pass-through needs an IOMMU ([iommu] arch, one of: " + arch_names() + ")");
    if (trace_maps)
        throw sim::InputError(where + ": the trace maps through iommufd, which needs paging domains, not pass-through");
}

uint32_t device_count(const sim::Config& cfg) {
    return sim::read_params<TopologyParams>(cfg, "platform").devices;
}

void PlatformConfig::declare(sim::ParamSchema& s, uint32_t devices) {
    s.declare("sim", binder<SimParams>());
    s.declare("platform", binder<TopologyParams>());
    s.declare("memory", binder<memory::ControllerParams>());
    s.declare("memory", binder<memory::DramParams>());
    s.declare("memory.cache", binder<memory::CacheParams>());
    s.declare("rc", binder<pcie::RootComplexParams>());
    s.declare("iommu", binder<IommuChoice>());
    s.declare("iommu", binder<iommu::PipelineParams>());
    s.declare("iommu.map", binder<BootMapParams>());
    declare_archs(s);
    s.declare("iommufd", binder<EngineParams>());
    s.declare("link", binder<pcie::LinkParams>());
    s.declare("dev", binder<pcie::GeneratorParams>());
    for (uint32_t i = 0; i < devices; ++i) {
        s.declare("link" + std::to_string(i), binder<pcie::LinkParams>(), false);
        s.declare("dev" + std::to_string(i), binder<pcie::GeneratorParams>(), false);
    }
}

PlatformConfig PlatformConfig::read(const sim::Config& cfg) {
    PlatformConfig pc;
    pc.sim = sim::read_params<SimParams>(cfg, "sim");
    pc.topology = sim::read_params<TopologyParams>(cfg, "platform");
    pc.memory = sim::read_params<memory::ControllerParams>(cfg, "memory");
    pc.dram = sim::read_checked<memory::DramParams>(cfg, "memory");
    pc.cache = sim::read_checked<memory::CacheParams>(cfg, "memory.cache");
    pc.rc = sim::read_params<pcie::RootComplexParams>(cfg, "rc");
    pc.iommu = sim::read_params<IommuChoice>(cfg, "iommu");
    pc.pipeline = sim::read_params<iommu::PipelineParams>(cfg, "iommu");
    pc.arch = read_arch(cfg, pc.iommu.arch, pc.sim.seed);
    pc.engine = sim::read_params<EngineParams>(cfg, "iommufd");
    pc.boot_map = read_boot_map(cfg, pc.arch, pc.engine.passthrough);
    for (uint32_t i = 0; i < pc.topology.devices; ++i) {
        const std::string n = std::to_string(i);
        pc.links.push_back(sim::read_checked<pcie::LinkParams>(cfg, "link" + n, "link"));
        pcie::GeneratorParams gp = device_defaults(i);
        sim::ParamReader gr(cfg, "dev" + n, "dev");
        gp.bind(gr);
        sim::with_origin(gr, [&] { gp.validate(); });
        check_requester_unique(pc.devs, gp, gr);
        pc.devs.push_back(gp);
    }
    return pc;
}

}  // namespace platform
