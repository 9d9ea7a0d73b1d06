#include "models/memory/memory_controller.h"

#include <algorithm>

#include "models/sim/hot_path.h"
#include "models/sim/params.h"
#include "models/tlm/pcie_attr.h"
#include "models/tlm/sc_ps.h"

namespace memory {

using sc_core::sc_time;
using tlm::tlm_phase;
using tlm::tlm_sync_enum;

void ControllerParams::bind(sim::ParamBinder& b) {
    b.u32("queue_depth", queue_depth, "requests", "requests accepted before back-pressure", 1,
          1 << 20);
    b.u64("size", size, "B", "installed memory; accesses above it get an error response",
          4096, ~uint64_t(0));
    b.flag("digest", digest, "report system.memory.digest, a digest of all memory contents, "
           "to compare runs");
}

MemoryController::MemoryController(sc_core::sc_module_name name, const ControllerParams& p,
                                   const DramParams& dram, const CacheParams& cache,
                                   tlmx::Mode mode)
    : sc_module(name),
      socket("socket"),
      p_(p),
      cache_(cache, store_),
      dram_(dram),
      hit_latency_(sim::ns_to_ps(cache.hit_latency_ns)),
      min_latency_(hit_latency_ > 0 ? std::min(hit_latency_, dram_.min_latency()) : dram_.min_latency()) {
    add_child("store", store_);
    add_child("cache", cache_);
    add_child("dram", dram_);
    socket.bind(*this);
    if (mode == tlmx::Mode::Atomic) return;
    SC_METHOD(resp_method);
    sensitive << resp_event_;
    dont_initialize();
}

void MemoryController::hand_back_ahead(sim::ps_t window, const sc_time& horizon) {
    window_ = std::min(window, min_latency_);
    horizon_ = horizon.value();
}

// Moves the data now and returns when the access completes.
sim::ps_t MemoryController::serve(Payload& gp, sim::ps_t arrival) {
    const uint64_t a = gp.get_address();
    const uint32_t n = gp.get_data_length();
    if (a >= p_.size || n > p_.size - a) {
        ++errors_;
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return arrival + min_latency_;
    }
    const bool snoop = tlmx::attr(gp).snoop;
    if (!gp.is_write() && snoop && hit_latency_ > 0 && cache_.holds(a, n)) {
        cache_.dma_read(a, gp.get_data_ptr(), n, true);
        ++reads_;
        ++cache_served_;
        gp.set_response_status(tlm::TLM_OK_RESPONSE);
        return arrival + hit_latency_;
    }
    if (gp.is_write()) {
        cache_.dma_write(a, gp.get_data_ptr(), n, snoop);
        ++writes_;
    } else {
        cache_.dma_read(a, gp.get_data_ptr(), n, snoop);
        ++reads_;
    }
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    // An access of no bytes takes no DRAM time, but is answered no sooner than any.
    return std::max(dram_.access(a, n, gp.is_write(), arrival), arrival + min_latency_);
}

void MemoryController::prefetch(uint64_t pa) const {
    if (pa >= p_.size) return;  // an address error: nothing to bring in
    store_.prefetch(pa);
    cache_.prefetch(pa);
}

void MemoryController::prefetch_read(uint64_t pa) const {
    if (pa >= p_.size) return;
    if (!cache_.prefetch_line(pa)) store_.prefetch(pa);
}

tlm_sync_enum MemoryController::nb_transport_fw(Payload& gp, tlm_phase& ph, sc_time&) {
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    const sim::ps_t now = tlmx::now().value();
    if (window_) hand_back(now);  // else the event hands each back at its completion
    if (queued() == p_.queue_depth) {
        ++queue_full_;
        waiting_ = &gp;
        arm(now);
        return tlm::TLM_ACCEPTED;
    }
    accept(gp, now);
    arm(now);
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
}

// Takes a request into the queue: its data moves now, its response is due when DRAM
// timing says.
void MemoryController::accept(Payload& gp, sim::ps_t now) {
    due_.push(Due{serve(gp, now), &gp});
}

// Hands back, in completion order, every response due within the window (none at or
// past the horizon early): a request arriving from now on completes after them. A
// request handed back early stays queued (early_) until its completion.
void MemoryController::hand_back(sim::ps_t now) {
    while (!early_.empty() && early_.front() <= now) early_.pop_front();
    const sim::ps_t limit = std::max(now, std::min(now + window_, horizon_ - 1));
    while (!due_.empty() && due_.front().at <= limit) {
        const Due r = due_.pop_front();
        if (r.at > now) early_.push(r.at);
        tlm_phase ph = tlm::BEGIN_RESP;
        sc_time d = tlmx::at_ps(r.at - now);
        socket->nb_transport_bw(*r.gp, ph, d);
    }
}

// The controller's event fires in time to hand the first response back before its
// completion (at it, with no window or past the horizon), and with a request waiting at
// the first completion, when its slot frees. A notification already pending in that
// span stands: armed at the span's end, it usually covers the next response too.
void MemoryController::arm(sim::ps_t now) {
    sim::ps_t lo = ~sim::ps_t(0), hi = lo;
    if (!due_.empty()) {
        const sim::ps_t at = due_.front().at;
        const bool early = window_ && at < horizon_;
        lo = early ? at - std::min(at, window_) : at;
        hi = early ? at - 1 : at;
    }
    if (waiting_) {
        sim::ps_t frees = due_.empty() ? ~sim::ps_t(0) : due_.front().at;
        if (!early_.empty()) frees = std::min(frees, early_.front());
        if (frees < hi) lo = hi = frees;
    }
    if (armed_ && armed_at_ >= std::max(lo, now) && armed_at_ <= hi) return;
    if (armed_) resp_event_.cancel();
    armed_ = hi != ~sim::ps_t(0);
    if (!armed_) return;
    armed_at_ = std::max(hi, now);
    resp_event_.notify(tlmx::at_ps(armed_at_ - now));
}

void MemoryController::resp_method() {
    armed_ = false;
    const sim::ps_t now = tlmx::now().value();
    hand_back(now);
    if (waiting_ && queued() < p_.queue_depth) {  // a slot is free: take it now
        Payload* w = waiting_;
        waiting_ = nullptr;
        accept(*w, now);
        tlm_phase ph = tlm::END_REQ;
        sc_time d = sc_core::SC_ZERO_TIME;
        socket->nb_transport_bw(*w, ph, d);
    }
    arm(now);
}

IOMMU_SIM_HOT_PATH void MemoryController::b_transport(Payload& gp, sc_time& delay) {
    const sim::ps_t now = tlmx::now().value();
    delay = tlmx::at_ps(serve(gp, now + delay.value()) - now);
}

}  // namespace memory
