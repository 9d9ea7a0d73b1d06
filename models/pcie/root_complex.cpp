#include "models/pcie/root_complex.h"

#include <string>

#include "models/iommu/pipeline.h"
#include "models/memory/memory_controller.h"
#include "models/sim/hot_path.h"
#include "models/sim/params.h"
#include "models/tlm/pcie_attr.h"
#include "models/tlm/sc_ps.h"

namespace pcie {

using sc_core::sc_time;
using tlm::tlm_phase;
using tlm::tlm_sync_enum;

void RootComplexParams::bind(sim::ParamBinder& b) {
    b.f64("latency_ns", latency_ns, "ns", "root complex latency, each direction", 0, 1e6);
    b.u32("queue_depth", queue_depth, "requests", "requests queued toward memory", 1, 65536);
}

RootComplex::Port::Port(RootComplex& rc, int id)
    : rc(rc), id(id), socket(("port" + std::to_string(id)).c_str()) {
    socket.bind(*this);
}

RootComplex::RootComplex(sc_core::sc_module_name name, const RootComplexParams& p,
                         tlmx::Mode mode, unsigned ports)
    : sc_module(name),
      host("host"),
      latency_(sc_time::from_value(sim::ns_to_ps(p.latency_ns))),
      queue_depth_(p.queue_depth) {
    for (unsigned i = 0; i < ports; ++i) ports_.push_back(std::make_unique<Port>(*this, int(i)));
    if (mode == tlmx::Mode::Atomic) return;
    host.register_nb_transport_bw(this, &RootComplex::bw);
    SC_METHOD(out_method);
    sensitive << out_q_.event() << out_kick_;
    dont_initialize();
}

// Every request: remember its port for the way back and resolve snooping.
void RootComplex::enter(int port, Payload& gp) {
    tlmx::PcieAttr& a = tlmx::attr(gp);
    a.port = uint16_t(port);
    a.snoop = !a.no_snoop;
    ++requests_;
}

// Completions return through the root complex; a posted write has none, and its
// simulator-only acknowledgement costs no time.
sc_time RootComplex::return_latency(const Payload& gp) const {
    return gp.is_read() ? latency_ : sc_core::SC_ZERO_TIME;
}

tlm_sync_enum RootComplex::fw(int port, Payload& gp, tlm_phase& ph, sc_time&) {
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    enter(port, gp);
    if (host_memory_) host_memory_->prefetch(gp.get_address());
    if (queued_ == queue_depth_) {
        ++queue_full_;
        waiting_.push_back({port, &gp});
        return tlm::TLM_ACCEPTED;
    }
    accept(gp);
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
}

void RootComplex::accept(Payload& gp) {
    ++queued_;
    out_q_.push(&gp, tlmx::now() + latency_);
}

// A queue slot frees: admit the oldest request held at a port.
void RootComplex::leave_queue() {
    --queued_;
    if (waiting_.empty()) return;
    Waiting w = waiting_.front();
    waiting_.pop_front();
    accept(*w.gp);
    tlm_phase ph = tlm::END_REQ;
    sc_time d = sc_core::SC_ZERO_TIME;
    ports_[w.port]->socket->nb_transport_bw(*w.gp, ph, d);
}

void RootComplex::out_method() {
    while (!host_busy_ && out_q_.ready()) {
        Payload* gp = out_q_.pop();
        tlm_phase ph = tlm::BEGIN_REQ;
        sc_time d = sc_core::SC_ZERO_TIME;
        if (host->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED)
            host_busy_ = true;
        else
            leave_queue();
    }
}

tlm_sync_enum RootComplex::bw(Payload& gp, tlm_phase& ph, sc_time& d) {
    if (ph == tlm::END_REQ) {
        host_busy_ = false;
        leave_queue();
        out_kick_.notify(sc_core::SC_ZERO_TIME);
        return tlm::TLM_ACCEPTED;
    }
    // The way back is a fixed latency, nothing shared: the response goes on to its
    // port at once with the latency annotated, so responses keep their order and the
    // link, which serializes them, is the one to wait (no kernel event here).
    tlm_phase resp = tlm::BEGIN_RESP;
    sc_time delay = d + return_latency(gp);
    ports_[tlmx::attr(gp).port]->socket->nb_transport_bw(gp, resp, delay);
    return tlm::TLM_COMPLETED;
}

void RootComplex::end_of_elaboration() { host_direct_.resolve(host); }

IOMMU_SIM_HOT_PATH void RootComplex::b_transport(int port, Payload& gp, sc_time& delay) {
    enter(port, gp);
    delay += latency_;
    host_direct_.b_transport(host, gp, delay);
    delay += return_latency(gp);
}

}  // namespace pcie
