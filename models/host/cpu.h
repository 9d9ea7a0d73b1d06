// The host CPU as a timed resource: driver work runs on cores one piece after
// another, and the part of it that holds a spinlock runs under that lock, so CPU time
// per operation, CPU-bound throughput and lock contention all show.
//
// Functional core, no SystemC: a caller asks for work to run on a core from a time
// on, and gets back when it ends; the workload's timing shell waits until then. The
// lock is granted in the order run() is called, which is time order as long as every
// caller asks at its current simulated time.
//
// The lock modelled is the one Linux's VT-d driver holds around queued invalidation
// (qi->q_lock in qi_submit_sync): descriptors written, the tail register rung, and the
// wait descriptor's status polled, all with the lock held and the core spinning.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "models/sim/stats.h"
#include "models/sim/timeline.h"
#include "models/sim/time.h"

namespace host {

// One piece of work: `ns` of CPU time, of which the last `locked_ns` hold the lock;
// `what` names it on the timeline.
struct Work {
    double ns = 0;
    double locked_ns = 0;
    const char* what = "work";
    std::string args{};  // the timeline's arguments for it: JSON members, no braces ("" none)
};

class Cpu : public sim::StatGroup {
public:
    explicit Cpu(unsigned cores);
    ~Cpu() override;

    unsigned cores() const { return unsigned(cores_.size()); }
    // Runs `w` on `core`, starting when both `now` has come and the core is free;
    // the locked part also waits for the lock (spinning: the core stays busy).
    // Returns when the work ends.
    sim::ps_t run(unsigned core, sim::ps_t now, const Work& w);
    // When `core` has finished all work given to it.
    sim::ps_t free_at(unsigned core) const { return cores_[core]->free; }
    // CPU time spent, all cores, including spinning on the lock.
    double busy_ns() const;
    // From now on each piece of work is a span on its core's track in `group`, and
    // spinning on the lock a span inside it.
    void set_timeline(sim::Timeline* t, const std::string& group);
    bool traced() const { return timeline_ != nullptr; }

private:
    // Time is kept in ps and written in ns, the unit of every other time statistic.
    struct Core : sim::StatGroup {
        sim::ps_t free = 0, busy_ps = 0;
        sim::Formula busy_ns{*this, "busy_ns", "ns", "time running work or spinning on the lock",
                             [this] { return sim::ps_to_ns(busy_ps); }};
    };
    std::vector<std::unique_ptr<Core>> cores_;
    sim::Timeline* timeline_ = nullptr;
    std::vector<int> tracks_;  // by core
    sim::ps_t lock_free_ = 0;
    sim::Counter lock_acquired_{*this, "lock.acquired", "", "lock acquisitions"};
    sim::Counter lock_contended_{*this, "lock.contended", "", "acquisitions that found it held"};
    sim::ps_t lock_spin_ps_ = 0, lock_held_ps_ = 0;
    sim::Formula lock_spin_ns_{*this, "lock.spin_ns", "ns", "time cores spun waiting for the lock",
                               [this] { return sim::ps_to_ns(lock_spin_ps_); }};
    sim::Formula lock_held_ns_{*this, "lock.held_ns", "ns", "time the lock was held",
                               [this] { return sim::ps_to_ns(lock_held_ps_); }};
};

}  // namespace host
