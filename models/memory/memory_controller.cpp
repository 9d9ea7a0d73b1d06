#include "models/memory/memory_controller.h"

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
      hit_latency_(sim::ns_to_ps(cache.hit_latency_ns)) {
    add_child("store", store_);
    add_child("cache", cache_);
    add_child("dram", dram_);
    socket.bind(*this);
    if (mode == tlmx::Mode::Atomic) return;
    SC_METHOD(resp_method);
    sensitive << resp_q_.event();
    dont_initialize();
}

// Moves the data now and returns when the access completes.
sim::ps_t MemoryController::serve(Payload& gp, sim::ps_t arrival) {
    const uint64_t a = gp.get_address();
    const uint32_t n = gp.get_data_length();
    if (a >= p_.size || n > p_.size - a) {
        ++errors_;
        gp.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
        return arrival;
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
    return dram_.access(a, n, gp.is_write(), arrival);
}

tlm_sync_enum MemoryController::nb_transport_fw(Payload& gp, tlm_phase& ph, sc_time&) {
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    if (outstanding_ == p_.queue_depth) {
        ++queue_full_;
        waiting_ = &gp;
        return tlm::TLM_ACCEPTED;
    }
    accept(gp);
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
}

// Takes a request into the queue: its data moves now, its response is due when DRAM
// timing says.
void MemoryController::accept(Payload& gp) {
    ++outstanding_;
    resp_q_.push(&gp, tlmx::at_ps(serve(gp, tlmx::now().value())));
}

void MemoryController::resp_method() {
    while (resp_q_.ready()) {
        Payload* gp = resp_q_.pop();
        --outstanding_;
        tlm_phase ph = tlm::BEGIN_RESP;
        sc_time d = sc_core::SC_ZERO_TIME;
        socket->nb_transport_bw(*gp, ph, d);
        if (waiting_) {  // a slot is free: take the refused request now
            Payload* w = waiting_;
            waiting_ = nullptr;
            accept(*w);
            ph = tlm::END_REQ;
            d = sc_core::SC_ZERO_TIME;
            socket->nb_transport_bw(*w, ph, d);
        }
    }
}

void MemoryController::b_transport(Payload& gp, sc_time& delay) {
    const sim::ps_t now = tlmx::now().value();
    delay = tlmx::at_ps(serve(gp, now + delay.value()) - now);
}

}  // namespace memory
