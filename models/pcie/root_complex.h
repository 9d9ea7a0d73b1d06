// The root complex: one root port per link, a shared request queue, and one path to
// host memory (through the IOMMU once there is one). It resolves the memory attribute
// of each request: without an IOMMU, a request snoops unless it set No Snoop.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/sim/stats.h"
#include "models/sim/time.h"
#include "models/tlm/direct.h"
#include "models/tlm/fw_target.h"
#include "models/tlm/host_prefetch.h"
#include "models/tlm/mode.h"
#include "models/tlm/timed_queue.h"

namespace sim { class ParamBinder; }
namespace iommu { class Pipeline; }
namespace memory { class MemoryController; }

namespace pcie {

struct RootComplexParams {
    double latency_ns = 50;     // each direction: port to memory fabric and back
    uint32_t queue_depth = 64;  // requests held between the ports and memory

    void bind(sim::ParamBinder& b);
};

class RootComplex : public sc_core::sc_module, public sim::StatGroup {
public:
    tlm_utils::simple_initiator_socket<RootComplex> host;  // toward memory

    SC_HAS_PROCESS(RootComplex);
    RootComplex(sc_core::sc_module_name name, const RootComplexParams& p, tlmx::Mode mode,
                unsigned ports = 1);

    // The memory behind `host` when nothing translates in between (no IOMMU): a
    // request's address is then its data's host address, announced to memory when the
    // request enters in timing mode, a kernel event or more before memory serves it.
    void set_host_prefetch(const tlmx::HostPrefetch* m) { host_memory_ = m; }
    // Root port i, where link i binds.
    tlm::tlm_target_socket<>& port(unsigned i) { return ports_.at(i)->socket; }

    using Payload = tlm::tlm_generic_payload;
    // A root port: its socket's forward interface, naming the port to the root complex.
    // (A multi_passthrough_target_socket does the same through a callback binder: two
    // more indirect calls per request than one virtual call, tlmx::FwTarget.) Public:
    // in atomic mode a link calls it directly (tlmx::Direct).
    struct Port : tlmx::FwTarget {
        Port(RootComplex& rc, int id);
        tlm::tlm_sync_enum nb_transport_fw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d) override {
            return rc.fw(id, gp, ph, d);
        }
        void b_transport(Payload& gp, sc_core::sc_time& delay) override { rc.b_transport(id, gp, delay); }
        RootComplex& rc;
        const int id;
        tlm::tlm_target_socket<> socket;
    };

private:
    void end_of_elaboration() override;
    struct Waiting {
        int port;
        Payload* gp;
    };
    void enter(int port, Payload& gp);
    tlm::tlm_sync_enum fw(int port, Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
    tlm::tlm_sync_enum bw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
    void b_transport(int port, Payload& gp, sc_core::sc_time& delay);
    void accept(Payload& gp);
    sc_core::sc_time return_latency(const Payload& gp) const;
    void leave_queue();
    void out_method();

    std::vector<std::unique_ptr<Port>> ports_;
    const tlmx::HostPrefetch* host_memory_ = nullptr;
    tlmx::Direct<iommu::Pipeline, memory::MemoryController> host_direct_;  // atomic mode
    sc_core::sc_time latency_;
    uint32_t queue_depth_, queued_ = 0;
    bool host_busy_ = false;
    std::deque<Waiting> waiting_;  // at most one per port (TLM: one BEGIN_REQ at a time)
    tlmx::TimedQueue<Payload*> out_q_{"out_q"};
    sc_core::sc_event out_kick_;

    sim::Counter requests_{*this, "requests", "", "requests routed to memory"};
    sim::Counter queue_full_{*this, "queue_full_stalls", "", "requests held at a port: queue full"};
};

}  // namespace pcie
