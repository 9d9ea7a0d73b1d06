// Host memory as the DMA path sees it: a TLM target that queues requests (finite
// depth, back-pressure when full), times them with DramTiming, and moves the data
// through the CPU's CoherentCache into SparseMemory, snooping or not as the request's
// resolved attribute says. The host CPU (workloads, tests) uses cache() directly.
//
// Timing mode hands a response back ahead of its completion, with the time to it
// annotated, once no later request can complete before it: a request arriving now
// completes no sooner than min_latency() after, so a response due within that window
// keeps its place in completion order (hand_back_ahead; the root complex and the link
// pass the annotation on, and the device takes it at its arrival). Most responses then
// go back from an accept's call; the controller's own event fires about once a window.
// Its queue counts a request until its completion, whenever its response went.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>

#include "models/memory/coherent_cache.h"
#include "models/memory/dram_timing.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/sorted_ring.h"
#include "models/sim/stats.h"
#include "models/tlm/direct.h"
#include "models/tlm/fw_target.h"
#include "models/tlm/host_prefetch.h"
#include "models/tlm/mode.h"

namespace sim { class ParamBinder; }

namespace memory {

struct ControllerParams {
    uint32_t queue_depth = 128;           // requests accepted before back-pressure
    uint64_t size = uint64_t(1) << 40;    // installed memory; above it: error response
    bool digest = false;                  // report a digest of memory contents

    void bind(sim::ParamBinder& b);
};

class MemoryController : public sc_core::sc_module,
                         public sim::StatGroup,
                         public tlmx::HostPrefetch,
                         private tlmx::FwTarget {
public:
    tlm::tlm_target_socket<> socket;  // bound to this module itself (tlmx::FwTarget)

    SC_HAS_PROCESS(MemoryController);
    MemoryController(sc_core::sc_module_name name, const ControllerParams& p,
                     const DramParams& dram, const CacheParams& cache, tlmx::Mode mode);

    CoherentCache& cache() { return cache_; }
    SparseMemory& store() { return store_; }

    // No access is answered sooner after its arrival: DRAM's latency, or a cache hit's
    // if lower. An address error or an access of no bytes takes it too.
    sim::ps_t min_latency() const { return min_latency_; }
    // Timing mode: hand responses back up to `window` (at most min_latency()) ahead of
    // their completion, none due at or after `horizon` (the run's end); zero hands each
    // back at its completion. Only where every model above passes the annotation on.
    void hand_back_ahead(sim::ps_t window, const sc_core::sc_time& horizon);
    // The host memory a DMA to pa will touch first (its bytes, the CPU cache model's
    // tags): for the IOMMU, once a walk knows its output address.
    void prefetch(uint64_t pa) const override;
    // A walk's coming table read: the CPU cache model's line if it holds pa's, else
    // memory's bytes (tlmx::LookAhead).
    void prefetch_read(uint64_t pa) const override;

private:
    template <class...> friend class tlmx::Direct;  // the IOMMU's and root complex's call
    using Payload = tlm::tlm_generic_payload;
    tlm::tlm_sync_enum nb_transport_fw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d) override;
    void b_transport(Payload& gp, sc_core::sc_time& delay) override;
    sim::ps_t serve(Payload& gp, sim::ps_t arrival);
    void accept(Payload& gp, sim::ps_t now);
    void hand_back(sim::ps_t now);
    void arm(sim::ps_t now);
    // Requests the queue holds: those not handed back, and those handed back ahead.
    size_t queued() const { return due_.size() + early_.size(); }
    void resp_method();

    ControllerParams p_;
    SparseMemory store_;
    CoherentCache cache_;
    DramTiming dram_;
    sim::ps_t hit_latency_;  // CacheParams::hit_latency_ns
    sim::ps_t min_latency_;
    struct Due {
        sim::ps_t at;
        Payload* gp;
        bool operator<(const Due& o) const { return at < o.at; }
    };
    sim::SortedRing<Due> due_;          // responses not handed back, in completion order
    sim::SortedRing<sim::ps_t> early_;  // completions of those handed back ahead (FIFO)
    Payload* waiting_ = nullptr;        // a request refused while the queue was full
    sim::ps_t window_ = 0, horizon_ = ~sim::ps_t(0);  // hand_back_ahead
    sc_core::sc_event resp_event_;
    bool armed_ = false;     // resp_event_ is pending,
    sim::ps_t armed_at_ = 0; // for this time (arm)

    sim::Counter reads_{*this, "reads", "", "DMA reads served"};
    sim::Counter writes_{*this, "writes", "", "DMA writes served"};
    sim::Counter cache_served_{*this, "cache_served_reads", "",
                               "snooped reads served from the CPU cache (cache.hit_latency_ns)"};
    sim::Counter errors_{*this, "address_errors", "", "requests outside installed memory"};
    sim::Counter queue_full_{*this, "queue_full_stalls", "", "requests refused: queue full"};
    // Unit "none": an identifier, not a quantity (its schema entry says so).
    sim::Formula digest_{*this, "digest", "none", "digest of memory contents (memory.digest)",
                         [this] { return p_.digest ? double(store_.digest()) : 0.0; }};
};

}  // namespace memory
