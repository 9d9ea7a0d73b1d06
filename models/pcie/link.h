// A PCIe link between one device and its root port: serialization of TLPs in each
// direction at the link's TLP bandwidth, a fixed one-way latency, and flow-control
// credits that back-pressure the device when the root complex stops accepting.
//
// Upstream carries memory write TLPs (with data) and read requests; downstream carries
// completions with data. Memory writes are posted: the device's request ends when its
// TLPs have left (END_REQ), and the response that later comes back through the link is
// simulator bookkeeping that costs no link time.
//
// A request may come with a delay annotated (a device deciding ahead of the kernel's
// time): it reaches the link then, and is serialized from then. Only the device sends
// upstream and credits only come back while it is on its way, so a credit free now is
// free at its arrival; with none free, the request is decided at its arrival.
#pragma once

#include <cstdint>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/pcie/link_config.h"
#include "models/pcie/root_complex.h"
#include "models/sim/busy_counter.h"
#include "models/sim/stats.h"
#include "models/sim/time.h"
#include "models/sim/transfer_times.h"
#include "models/tlm/direct.h"
#include "models/tlm/fw_target.h"
#include "models/tlm/mode.h"
#include "models/tlm/timed_queue.h"

namespace pcie {

// One direction of the link: TLPs go out back to back at the TLP bandwidth.
class LinkLane : public sim::StatGroup {
public:
    explicit LinkLane(double tlp_gbps) : transfer_(tlp_gbps, kKnownBytes) {}
    // Serializes a train that is ready at `arrival`; returns when its last byte is out.
    sim::ps_t send(const TlpTrain& t, uint32_t payload, sim::ps_t arrival);
    // --timeline: the lane's utilisation per microsecond as a counter.
    void set_timeline(sim::Timeline* t, int counter) { utilisation_.attach(t, counter); }

private:
    static constexpr uint64_t kKnownBytes = 8192;  // trains remembered by size
    sim::TransferTimes transfer_;
    sim::BusyCounter utilisation_;
    sim::ps_t free_at_ = 0, busy_ps_ = 0;
    sim::Counter tlps_{*this, "tlps", "", "TLPs sent"};
    sim::Counter wire_bytes_{*this, "wire_bytes", "B", "bytes on the wire, overhead included"};
    sim::Counter payload_bytes_{*this, "payload_bytes", "B", "data bytes carried"};
    sim::Formula busy_{*this, "busy_ns", "ns", "time spent serializing",
                       [this] { return sim::ps_to_ns(busy_ps_); }};
};

class Link : public sc_core::sc_module, public sim::StatGroup, private tlmx::FwTarget {
public:
    tlm::tlm_target_socket<> device_side;                // the device's requests come in
    tlm_utils::simple_initiator_socket<Link> host_side;  // toward the root port

    SC_HAS_PROCESS(Link);
    Link(sc_core::sc_module_name name, const LinkParams& p, tlmx::Mode mode);
    const LinkConfig& config() const { return cfg_; }
    // --timeline: counters "up utilisation %" and "down utilisation %" (nullptr: none).
    void set_timeline(sim::Timeline* t);

private:
    template <class...> friend class tlmx::Direct;  // the device's call
    using Payload = tlm::tlm_generic_payload;
    void end_of_elaboration() override;
    // timing mode
    tlm::tlm_sync_enum nb_transport_fw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& delay) override;
    tlm::tlm_sync_enum bw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& delay);
    sc_core::sc_time accept_up(Payload& gp, sim::ps_t arrival);
    void up_method();
    void defer_method();
    void return_credit();
    void take_waiting();
    // atomic mode. Called directly by the device (tlmx::Direct), it stays a function of
    // its own: the root complex, IOMMU and memory inlined into the device's issue loop
    // raised that loop's register pressure (6 more instructions a DMA than this).
    [[gnu::noinline]] void b_transport(Payload& gp, sc_core::sc_time& delay) override;

    sim::ps_t send_up(Payload& gp, sim::ps_t arrival);
    sim::ps_t send_down(Payload& gp, sim::ps_t arrival);

    LinkConfig cfg_;
    sim::ps_t latency_ps_;
    LinkLane up_, down_;
    uint32_t credits_;
    Payload* waiting_ = nullptr;    // a request held back for want of credit
    sim::ps_t waiting_at_ = 0;      // its arrival (later than now: defer_event_ then)
    sc_core::sc_event defer_event_;
    bool host_busy_ = false;        // a BEGIN_REQ to the host awaits its END_REQ
    tlmx::TimedQueue<Payload*> up_q_{"up_q"};
    sc_core::sc_event up_kick_;
    tlmx::Direct<RootComplex::Port> root_port_;  // atomic mode's call up

    sim::Counter credit_stalls_{*this, "credit_stalls", "", "requests held back for want of credit"};
};

}  // namespace pcie
