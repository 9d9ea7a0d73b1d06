#include "models/host/cpu.h"

#include <algorithm>

namespace host {

Cpu::Cpu(unsigned cores) {
    for (unsigned i = 0; i < cores; ++i) {
        cores_.push_back(std::make_unique<Core>());
        add_child("core" + std::to_string(i), *cores_.back());
    }
}

Cpu::~Cpu() = default;

sim::ps_t Cpu::run(unsigned core, sim::ps_t now, const Work& w) {
    Core& c = *cores_.at(core);
    const sim::ps_t start = std::max(now, c.free);
    const sim::ps_t locked = sim::ns_to_ps(w.locked_ns);
    const sim::ps_t unlocked = sim::ns_to_ps(w.ns) - std::min(sim::ns_to_ps(w.ns), locked);
    sim::ps_t end = start + unlocked;
    if (locked) {
        const sim::ps_t acquire = std::max(end, lock_free_);
        ++lock_acquired_;
        if (acquire > end) {
            ++lock_contended_;
            lock_spin_ps_ += acquire - end;
            if (timeline_) timeline_->span(tracks_[core], "lock spin", end, acquire);
        }
        end = acquire + locked;
        lock_free_ = end;
        lock_held_ps_ += locked;
    }
    c.busy_ps += end - start;
    c.free = end;
    if (timeline_) timeline_->span(tracks_[core], w.what, start, end, w.args);
    return end;
}

void Cpu::set_timeline(sim::Timeline* t, const std::string& group) {
    timeline_ = t;
    tracks_.clear();
    if (!t) return;
    for (size_t i = 0; i < cores_.size(); ++i) tracks_.push_back(t->track(group, "core " + std::to_string(i), sim::Timeline::Cpu));
}

double Cpu::busy_ns() const {
    uint64_t ps = 0;
    for (const auto& c : cores_) ps += c->busy_ps;
    return sim::ps_to_ns(ps);
}

}  // namespace host
