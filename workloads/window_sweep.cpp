#include "workloads/window_sweep.h"

#include <algorithm>

#include "models/sim/error.h"
#include "workloads/clock.h"

namespace workload {

namespace {

constexpr uint64_t kBufferVa = 0x7f00'0000'0000;
constexpr uint64_t kBufferIova = uint64_t(1) << 32;

}  // namespace

WindowSweep::WindowSweep(sc_core::sc_module_name name, platform::System& sys,
                         const platform::PlatformConfig& pc, const WindowSweepParams& p)
    : Workload(name), p_(p), dev_(sys.device(p.device)), rng_(pc.sim.seed, "window_sweep"), dma_(sys, pc, {p.device}) {
    for (uint64_t w : p_.window_list()) {
        windows_.push_back(std::make_unique<Window>(w, p_.size));
        add_child("window_" + std::to_string(w), *windows_.back());
    }
    uint64_t largest = 0;
    for (const auto& w : windows_) largest = std::max(largest, mapped(*w));
    if (dma_.process().mmap(kBufferVa, largest, p_.hugepages) != iommufd::Errno::Ok ||
        !dma_.large_pages(p_.hugepages))
        throw sim::InputError("window_sweep: the mapping engine could not set the buffer up");
    dev_.on_fed_done([this](uint64_t, bool ok, bool) { done(ok); });
    start_next();
}

WindowSweep::~WindowSweep() = default;

// Whole pages of the buffer: a window smaller than a huge page still lies in one.
uint64_t WindowSweep::mapped(const Window& w) const {
    const uint64_t page = p_.hugepages ? iommufd::kHugePageSize : iommufd::kPageSize;
    return (w.bytes + page - 1) / page * page;
}

// Maps the next window and gives the device its reads.
void WindowSweep::start_next() {
    Window& w = *windows_[next_++];
    uint64_t base = kBufferIova;
    if (!(dma_.direct() ? dma_.physical(kBufferVa, mapped(w), base) : dma_.map(kBufferVa, mapped(w), base)))
        ++engine_errors_;
    w.start = now();
    left_ = p_.requests;
    const uint64_t slots = w.bytes / p_.size;
    for (uint64_t i = 0; i < p_.requests; ++i) {
        pcie::Request r{base + rng_.uniform(slots) * p_.size, uint32_t(p_.size), true};
        r.at_ps = w.start;
        dev_.feed(r);
    }
}

void WindowSweep::done(bool ok) {
    Window& w = *windows_[next_ - 1];
    ++w.requests;
    w.errors += !ok;
    if (--left_) return;
    w.end = now();
    if (!dma_.direct() && !dma_.unmap(kBufferIova, mapped(w))) ++engine_errors_;
    if (next_ < windows_.size()) start_next();
}

}  // namespace workload
