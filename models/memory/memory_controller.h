// Host memory as the DMA path sees it: a TLM target that queues requests (finite
// depth, back-pressure when full), times them with DramTiming, and moves the data
// through the CPU's CoherentCache into SparseMemory, snooping or not as the request's
// resolved attribute says. The host CPU (workloads, tests) uses cache() directly.
#pragma once

#include <cstdint>

#include <systemc>
#include <tlm>

#include "models/memory/coherent_cache.h"
#include "models/memory/dram_timing.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/stats.h"
#include "models/tlm/fw_target.h"
#include "models/tlm/mode.h"
#include "models/tlm/timed_queue.h"

namespace sim { class ParamBinder; }

namespace memory {

struct ControllerParams {
    uint32_t queue_depth = 128;           // requests accepted before back-pressure
    uint64_t size = uint64_t(1) << 40;    // installed memory; above it: error response
    bool digest = false;                  // report a digest of memory contents

    void bind(sim::ParamBinder& b);
};

class MemoryController : public sc_core::sc_module, public sim::StatGroup, private tlmx::FwTarget {
public:
    tlm::tlm_target_socket<> socket;  // bound to this module itself (tlmx::FwTarget)

    SC_HAS_PROCESS(MemoryController);
    MemoryController(sc_core::sc_module_name name, const ControllerParams& p,
                     const DramParams& dram, const CacheParams& cache, tlmx::Mode mode);

    CoherentCache& cache() { return cache_; }
    SparseMemory& store() { return store_; }

private:
    using Payload = tlm::tlm_generic_payload;
    tlm::tlm_sync_enum nb_transport_fw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d) override;
    void b_transport(Payload& gp, sc_core::sc_time& delay) override;
    sim::ps_t serve(Payload& gp, sim::ps_t arrival);
    void accept(Payload& gp);
    void resp_method();

    ControllerParams p_;
    SparseMemory store_;
    CoherentCache cache_;
    DramTiming dram_;
    sim::ps_t hit_latency_;  // CacheParams::hit_latency_ns
    uint32_t outstanding_ = 0;
    Payload* waiting_ = nullptr;  // a request refused while the queue was full
    tlmx::TimedQueue<Payload*> resp_q_{"resp_q"};

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
