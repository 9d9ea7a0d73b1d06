#include "models/pcie/link.h"

#include "models/sim/hot_path.h"
#include "models/tlm/pcie_attr.h"
#include "models/tlm/sc_ps.h"

namespace pcie {

using sc_core::sc_time;
using tlm::tlm_phase;
using tlm::tlm_sync_enum;

using tlmx::at_ps;

namespace {
sim::ps_t now_ps() { return tlmx::now().value(); }
}  // namespace

sim::ps_t LinkLane::send(const TlpTrain& t, uint32_t payload, sim::ps_t arrival) {
    const sim::ps_t start = std::max(arrival, free_at_);
    const sim::ps_t dur = transfer_(t.bytes);
    free_at_ = start + dur;
    busy_ps_ += dur;
    utilisation_.busy(start, free_at_);
    tlps_ += t.tlps;
    wire_bytes_ += t.bytes;
    payload_bytes_ += payload;
    return free_at_;
}

Link::Link(sc_core::sc_module_name name, const LinkParams& p, tlmx::Mode mode)
    : sc_module(name),
      device_side("device_side"),
      host_side("host_side"),
      cfg_(p),
      latency_ps_(sim::ns_to_ps(p.latency_ns)),
      up_(cfg_.tlp_gbps()),
      down_(cfg_.tlp_gbps()),
      credits_(p.credits) {
    add_child("up", up_);
    add_child("down", down_);
    device_side.bind(*this);
    if (mode == tlmx::Mode::Atomic) return;
    host_side.register_nb_transport_bw(this, &Link::bw);
    SC_METHOD(up_method);
    sensitive << up_q_.event() << up_kick_;
    dont_initialize();
    SC_METHOD(defer_method);
    sensitive << defer_event_;
    dont_initialize();
}

void Link::set_timeline(sim::Timeline* t) {
    up_.set_timeline(t, t ? t->counter(name(), "up utilisation %") : 0);
    down_.set_timeline(t, t ? t->counter(name(), "down utilisation %") : 0);
}

// Upstream: a write carries its data; a read is request headers only; a message is
// one header.
sim::ps_t Link::send_up(Payload& gp, sim::ps_t arrival) {
    if (tlmx::attr(gp).message != tlmx::Message::None) return up_.send(cfg_.message(), 0, arrival);
    const uint64_t a = gp.get_address();
    const uint32_t n = gp.get_data_length();
    if (gp.is_write()) return up_.send(cfg_.write_request(a, n), n, arrival);
    return up_.send(cfg_.read_request(a, n), 0, arrival);
}

// Downstream: completions with data for a read; nothing for a posted write or message.
sim::ps_t Link::send_down(Payload& gp, sim::ps_t arrival) {
    if (!gp.is_read()) return arrival;
    const uint32_t n = gp.is_response_ok() ? gp.get_data_length() : 0;
    // An error completion (UR/CA) carries no data: one completion header.
    const TlpTrain t = n ? cfg_.completions(gp.get_address(), n) : cfg_.completion_without_data();
    return down_.send(t, n, arrival) + latency_ps_;
}

// ---- timing mode -------------------------------------------------------------------

// A request annotated with a delay (a device deciding ahead of the kernel's time)
// arrives then. Credits only come back while it is on its way, so one free now is free
// then; with none free, it is decided at its arrival (defer_method).
tlm_sync_enum Link::nb_transport_fw(Payload& gp, tlm_phase& ph, sc_time& delay) {
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;  // END_RESP never sent to us
    const sim::ps_t arrival = now_ps() + delay.value();
    if (credits_ == 0) {
        waiting_ = &gp;
        waiting_at_ = arrival;
        if (delay > sc_core::SC_ZERO_TIME)
            defer_event_.notify(delay);
        else
            ++credit_stalls_;
        return tlm::TLM_ACCEPTED;
    }
    delay = accept_up(gp, arrival);
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
}

// Takes a credit and serializes from `arrival`; returns the delay until the last byte
// is out, which is when the device may start its next request (END_REQ).
sc_time Link::accept_up(Payload& gp, sim::ps_t arrival) {
    --credits_;
    const sim::ps_t done = send_up(gp, arrival);
    up_q_.push(&gp, at_ps(done + latency_ps_));
    return at_ps(done - now_ps());
}

void Link::up_method() {
    while (!host_busy_ && up_q_.ready()) {
        Payload* gp = up_q_.pop();
        tlm_phase ph = tlm::BEGIN_REQ;
        sc_time d = sc_core::SC_ZERO_TIME;
        if (host_side->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED)
            host_busy_ = true;  // END_REQ comes through bw()
        else
            return_credit();
    }
}

void Link::return_credit() {
    ++credits_;
    if (waiting_ && waiting_at_ <= now_ps()) take_waiting();
}

// A held request's arrival time: it goes now if a credit came back on its way.
void Link::defer_method() {
    if (!waiting_) return;  // a credit came back at this very time and took it
    if (credits_ == 0) {
        ++credit_stalls_;  // return_credit takes it
        return;
    }
    take_waiting();
}

void Link::take_waiting() {
    Payload* gp = waiting_;
    waiting_ = nullptr;
    tlm_phase ph = tlm::END_REQ;
    sc_time d = accept_up(*gp, now_ps());
    device_side->nb_transport_bw(*gp, ph, d);
}

// A response comes with the root complex's return latency annotated (delay): it
// reaches the lane then, and goes on to the device at once with its arrival annotated
// (the device keeps completions in their order and takes each at its arrival, or
// ahead of it where it can: TrafficGenerator::takes_ahead).
tlm_sync_enum Link::bw(Payload& gp, tlm_phase& ph, sc_time& delay) {
    if (ph == tlm::END_REQ) {
        host_busy_ = false;
        return_credit();
        up_kick_.notify(sc_core::SC_ZERO_TIME);
        return tlm::TLM_ACCEPTED;
    }
    const sim::ps_t now = now_ps();
    tlm_phase resp = tlm::BEGIN_RESP;
    sc_time d = at_ps(send_down(gp, now + delay.value()) - now);
    device_side->nb_transport_bw(gp, resp, d);
    return tlm::TLM_COMPLETED;  // we always take responses; END_RESP is implicit
}

// ---- atomic mode -------------------------------------------------------------------

void Link::end_of_elaboration() { root_port_.resolve(host_side); }

IOMMU_SIM_HOT_PATH void Link::b_transport(Payload& gp, sc_time& delay) {
    const sim::ps_t now = now_ps();
    delay = at_ps(send_up(gp, now + delay.value()) + latency_ps_ - now);
    root_port_.b_transport(host_side, gp, delay);
    delay = at_ps(send_down(gp, now + delay.value()) - now);
}

}  // namespace pcie
