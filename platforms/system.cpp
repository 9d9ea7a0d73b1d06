#include "platforms/system.h"

#include <cstdio>

#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/pcie/data_pattern.h"
#include "platforms/vtd_boot.h"

namespace platform {

// The unit's functional accesses (invalidation-queue fetches, wait-descriptor status
// writes): coherent with the CPU caches, failing above installed memory. Walk reads
// in the DMA path go through the pipeline as memory transactions instead.
class System::CoherentHost : public vtd::HostMemory {
public:
    CoherentHost(memory::MemoryController& m, uint64_t size) : m_(m), size_(size) {}
    bool read_u64(uint64_t pa, uint64_t& v) override {
        if (!fits(pa, 8)) return false;
        m_.cache().dma_read(pa, &v, 8, true);
        return true;
    }
    bool write_u32(uint64_t pa, uint32_t v) override {
        if (!fits(pa, 4)) return false;
        m_.cache().dma_write(pa, &v, 4, true);
        return true;
    }
    bool write_u64(uint64_t pa, uint64_t v) override {
        if (!fits(pa, 8)) return false;
        m_.cache().dma_write(pa, &v, 8, true);
        return true;
    }

private:
    bool fits(uint64_t pa, uint64_t n) const { return pa < size_ && size_ - pa >= n; }
    memory::MemoryController& m_;
    uint64_t size_;
};

System::System(sc_core::sc_module_name name, const PlatformConfig& pc)
    : sc_module(name),
      pc_(pc),
      memory_("memory", pc.memory, pc.dram, pc.cache, tlmx::parse_mode(pc.sim.mode)),
      rc_("rc", pc.rc, tlmx::parse_mode(pc.sim.mode)) {
    const tlmx::Mode mode = tlmx::parse_mode(pc.sim.mode);
    tlm_utils::tlm_quantumkeeper::set_global_quantum(
        sc_core::sc_time::from_value(sim::ns_to_ps(pc.sim.quantum_ns)));
    if (pc.iommu.arch == "vtd") {
        vtd_host_ = std::make_unique<CoherentHost>(memory_, pc.memory.size);
        vtd_ = std::make_unique<vtd::RemappingUnit>(pc.vtd.caps, pc.vtd.unit, *vtd_host_);
        iommu_ = std::make_unique<iommu::Pipeline>("iommu", pc.pipeline, *vtd_, *vtd_, mode);
        rc_.host.bind(iommu_->upstream);
        iommu_->downstream.bind(memory_.socket);
        // The CPU wrote the tables, so they sit in its cache, as a driver's would.
        const uint64_t end = boot_identity_map(*vtd_, memory_.store(), pc.boot_map, pc.devs);
        std::vector<uint8_t> line(memory::kCacheLineBytes);
        for (uint64_t a = pc.boot_map.table_base; a < end; a += line.size())
            memory_.cache().cpu_read(a, line.data(), line.size());
    } else {
        rc_.host.bind(memory_.socket);
    }
    for (size_t i = 0; i < pc.devs.size(); ++i) {
        const std::string n = std::to_string(i);
        links_.push_back(std::make_unique<pcie::Link>(("link" + n).c_str(), pc.links[i], mode));
        devs_.push_back(std::make_unique<pcie::TrafficGenerator>(("dev" + n).c_str(), pc.devs[i],
                                                                 pc.sim.seed, mode));
        devs_[i]->socket.bind(links_[i]->device_side);
        links_[i]->host_side.bind(rc_.ports);
    }
}

System::~System() = default;

void System::preload() {
    std::vector<uint8_t> buf(4096);
    for (auto& d : devs_) {
        const pcie::GeneratorParams& p = d->params();
        if (p.preload == "none") continue;
        for (uint64_t off = 0; off < p.window; off += buf.size()) {
            const size_t n = size_t(std::min<uint64_t>(buf.size(), p.window - off));
            pcie::fill_pattern(p.base + off, buf.data(), n, p.data_seed);
            if (p.preload == "cpu")
                memory_.cache().cpu_write(p.base + off, buf.data(), n);
            else
                memory_.store().write(p.base + off, buf.data(), n);
        }
    }
}

sim::RunOutcome System::run(sim::RunControl& control) {
    const sc_core::sc_time limit = pc_.sim.duration_ns > 0
                                       ? sc_core::sc_time::from_value(sim::ns_to_ps(pc_.sim.duration_ns))
                                       : sc_core::SC_ZERO_TIME;
    return control.run(limit, [this] {
        char line[128];
        std::snprintf(line, sizeof line, "iommu-sim: %.1f us simulated, %llu DMA requests done",
                      sc_core::sc_time_stamp().to_seconds() * 1e6,
                      static_cast<unsigned long long>(completed()));
        return std::string(line);
    });
}

sc_core::sc_time System::run() {
    sim::RunControl control;
    return run(control).end;
}

namespace {
const char* invalidation_name(vtd::InvType t) {
    switch (t) {
        case vtd::InvType::ContextCache: return "context-cache";
        case vtd::InvType::Iotlb: return "iotlb";
        case vtd::InvType::DeviceTlb: return "device-tlb";
        case vtd::InvType::InterruptEntryCache: return "interrupt-entry-cache";
        case vtd::InvType::Wait: return "wait";
        case vtd::InvType::PasidIotlb: return "pasid-iotlb";
        case vtd::InvType::PasidCache: return "pasid-cache";
        case vtd::InvType::PasidDeviceTlb: return "pasid-device-tlb";
        default: return "other";
    }
}
}  // namespace

void System::set_timeline(sim::Timeline& t) {
    for (auto& d : devs_) d->set_timeline(&t);
    if (!iommu_) return;
    iommu_->set_timeline(&t);
    const int track = t.track(iommu_->name(), "invalidations");
    vtd_->on_invalidate = [&t, track](const vtd::Invalidation& inv) {
        char args[48];
        std::snprintf(args, sizeof args, "\"granularity\":%u,\"did\":%u", inv.granularity, inv.did);
        t.instant(track, invalidation_name(inv.type), sc_core::sc_time_stamp().value(), args);
    };
}

void System::end_timeline() {
    for (auto& d : devs_) d->set_timeline(nullptr);
    if (!iommu_) return;
    iommu_->set_timeline(nullptr);
    vtd_->on_invalidate = nullptr;
}

uint64_t System::completed() const {
    uint64_t n = 0;
    for (auto& d : devs_) n += d->reads() + d->writes() + d->error_completions();
    return n;
}

bool System::finished() const {
    for (auto& d : devs_)
        if (!d->finished()) return false;
    return true;
}

}  // namespace platform
