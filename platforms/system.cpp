#include "platforms/system.h"

#include <cstdio>

#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/pcie/data_pattern.h"
#include "platforms/machine.h"

namespace platform {

namespace {
// Atomic mode's look-ahead (tlmx::LookAhead) pays only when the devices' data in host
// memory spans more than a host's outer caches keep: its announcements cost about 700
// instructions a walk. On the AMD EPYC VM of the README's figures, alternating runs of
// a million DMAs against no look-ahead: 4 devices with 1 MiB windows 0.187 against
// 0.167 s, 4 MiB 0.239 against 0.280 s, 16 MiB 0.303 against 0.366 s, 64 MiB 0.424
// against 0.449 s. Generated windows keep no bytes and do not count: with 64 MiB of
// them a million DMAs take 0.184 s without it, 0.233 s with it.
constexpr uint64_t kLookAheadSpan = uint64_t(8) << 20;

// Whether preload() puts a device's window in memory as generated content.
bool generated_preload(const pcie::GeneratorParams& p) {
    return p.preload == "memory" && p.window > pcie::PatternCache::kMaxBytes;
}

// The bytes of the devices' windows that host memory keeps.
uint64_t kept_span(const std::vector<pcie::GeneratorParams>& devs) {
    uint64_t span = 0;
    for (const pcie::GeneratorParams& d : devs)
        if (!generated_preload(d)) span += d.window;
    return span;
}
}  // namespace

// The unit's functional accesses (invalidation-queue fetches, wait-descriptor status
// writes): coherent with the CPU caches, failing above installed memory. Walk reads
// in the DMA path go through the pipeline as memory transactions instead.
class System::CoherentHost : public iommu::HostMemory {
public:
    CoherentHost(memory::MemoryController& m, uint64_t size) : m_(m), size_(size) {}
    bool read_u64(uint64_t pa, uint64_t& v) override {
        if (!fits(pa, 8)) return false;
        m_.cache().dma_read(pa, &v, 8, true);
        return true;
    }
    bool peek_u64(uint64_t pa, uint64_t& v) const override {
        if (!fits(pa, 8)) return false;
        v = m_.cache().peek_u64(pa);
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
      rc_("rc", pc.rc, tlmx::parse_mode(pc.sim.mode), unsigned(pc.devs.size())) {
    const tlmx::Mode mode = tlmx::parse_mode(pc.sim.mode);
    tlm_utils::tlm_quantumkeeper::set_global_quantum(
        sc_core::sc_time::from_value(sim::ns_to_ps(pc.sim.quantum_ns)));
    if (const Arch* arch = pc.arch.arch) {
        unit_host_ = std::make_unique<CoherentHost>(memory_, pc.memory.size);
        unit_ = arch->hardware->make(*pc.arch.unit, *unit_host_);
        iommu_ = std::make_unique<iommu::Pipeline>("iommu", pc.pipeline, *unit_, mode);
        rc_.host.bind(iommu_->upstream);
        iommu_->downstream.bind(memory_.socket);
        iommu_->set_host_prefetch(&memory_);
        unit_->endpoints = this;
    } else {
        rc_.host.bind(memory_.socket);
        rc_.set_host_prefetch(&memory_);
    }
    const bool look_ahead = iommu_ && mode == tlmx::Mode::Atomic && kept_span(pc.devs) >= kLookAheadSpan;
    for (size_t i = 0; i < pc.devs.size(); ++i) {
        const std::string n = std::to_string(i);
        links_.push_back(std::make_unique<pcie::Link>(("link" + n).c_str(), pc.links[i], mode));
        devs_.push_back(std::make_unique<pcie::TrafficGenerator>(("dev" + n).c_str(), pc.devs[i],
                                                                 pc.sim.seed, mode));
        devs_[i]->socket.bind(links_[i]->device_side);
        links_[i]->host_side.bind(rc_.port(unsigned(i)));
        if (look_ahead) devs_[i]->set_look_ahead(iommu_.get());
    }
    if (unit_ && pc.boot_map.map == "identity") {
        // The CPU writes the tables, so they sit in its cache, as a driver's do.
        boot_machine_ = std::make_unique<CachedMachine>(*unit_, memory_, 1000.0 / pc.pipeline.clock_mhz);
        boot_map_ = std::make_unique<BootMap>(pc.arch, *boot_machine_, pc.boot_map, pc.devs,
                                              [this](uint16_t rid) { return endpoint_caps(rid); },
                                              pc.engine.passthrough);
        BootMap* map = boot_map_.get();
        unit_->on_page_request_irq = [map] { map->driver().service_page_requests(); };
        unit_->on_event_irq = [map] { map->driver().service_events(); };
        check_isolation(*boot_map_);
    }
}

iommufd::EndpointCaps System::endpoint_caps(uint16_t rid) {
    iommufd::EndpointCaps c;
    each_device(rid, [&](pcie::TrafficGenerator& d) {
        c.ats |= d.params().ats;
        c.pri |= d.params().pri;
        c.stall |= d.params().stall;
    });
    c.enable_ats = [this, rid](bool on) { each_device(rid, [on](pcie::TrafficGenerator& d) { d.enable_ats(on); }); };
    c.enable_pri = [this, rid](bool on) { each_device(rid, [on](pcie::TrafficGenerator& d) { d.enable_pri(on); }); };
    return c;
}

void System::invalidate(const iommu::AtsInvalidation& inv) {
    each_device(inv.sid, [&](pcie::TrafficGenerator& d) { d.invalidate_atc(inv); });
}

void System::page_response(const iommu::PageResponse& r) {
    each_device(r.sid, [&](pcie::TrafficGenerator& d) { d.page_response(r); });
}

System::~System() = default;

void System::check_isolation(const DmaOracle& oracle) {
    if (!pc_.sim.check_isolation || !iommu_) return;
    isolation_ = std::make_unique<IsolationCheck>(oracle);
    iommu_->listen([this](uint16_t sid, uint64_t iova, const iommu::Result& r) { isolation_->check(sid, iova, r); });
}

// Into memory a window's pattern goes as generated content (SparseMemory::
// write_generated): no host memory, cache line or TLB entry behind it until a write
// changes it. A window the device keeps a copy of (PatternCache) is copied instead:
// its bytes stay in the host's caches, and a copy costs less than computing them.
// In 1 MiB steps, so that a stop request is heard.
void System::preload(const std::function<bool()>& stop) {
    constexpr uint64_t kStep = uint64_t(1) << 20;
    std::vector<uint8_t> buf(4096);
    for (auto& d : devs_) {
        const pcie::GeneratorParams& p = d->params();
        if (p.preload == "none") continue;
        const bool generated = generated_preload(p);
        for (uint64_t off = 0; off < p.window; off += generated ? kStep : buf.size()) {
            if (off % kStep == 0 && stop && stop()) return;
            if (generated) {
                const uint64_t n = std::min(kStep, p.window - off);
                memory_.store().write_generated(p.base + off, n, pcie::fill_pattern, p.data_seed);
                continue;
            }
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
    // Devices may decide ahead of the kernel's time, but not past the run's end.
    const sc_core::sc_time horizon = !pc_.sim.run_ahead               ? sc_core::SC_ZERO_TIME
                                     : limit == sc_core::SC_ZERO_TIME ? sc_core::sc_max_time()
                                                                      : limit;
    for (auto& d : devs_) d->set_horizon(horizon);
    // Memory hands responses back ahead only straight to the root complex, which passes
    // the annotation on: an IOMMU answers some requests itself at once (faults,
    // translation completions), which must not pass responses handed back earlier. A
    // timeline or a recorded trace sees events as they happen. Without run-ahead a
    // response still goes back a picosecond early, so that either way it reaches its
    // device before the device decides on its arrival's picosecond (the device takes
    // the completions due before deciding).
    bool observed = false;
    for (auto& d : devs_) observed = observed || d->observed();
    const sim::ps_t window = iommu_ || observed ? 0 : pc_.sim.run_ahead ? memory_.min_latency() : 1;
    memory_.hand_back_ahead(window, limit == sc_core::SC_ZERO_TIME ? sc_core::sc_max_time() : limit);
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

void System::set_timeline(sim::Timeline& t) {
    for (auto& d : devs_) d->set_timeline(&t);
    for (auto& l : links_) l->set_timeline(&t);
    if (!iommu_) return;
    iommu_->set_timeline(&t);
    const int track = t.track(iommu_->name(), "invalidations", sim::Timeline::Inv);
    unit_->on_invalidate = [&t, track](const char* kind, const std::string& args) {
        t.instant(track, kind, sc_core::sc_time_stamp().value(), args);
    };
}

void System::end_timeline() {
    for (auto& d : devs_) d->set_timeline(nullptr);
    for (auto& l : links_) l->set_timeline(nullptr);
    if (!iommu_) return;
    iommu_->set_timeline(nullptr);
    unit_->on_invalidate = nullptr;
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
