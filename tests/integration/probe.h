// A test initiator that issues single DMA requests at moments a test script chooses
// and records when each completes: timing mode through nb_transport (honouring
// END_REQ back-pressure), atomic mode through b_transport.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/tlm/mode.h"
#include "models/tlm/payload_pool.h"
#include "models/tlm/pcie_attr.h"

struct Probe : sc_core::sc_module {
    struct Done {
        sc_core::sc_time issued, accepted, completed;
        bool ok = false;
        sc_core::sc_time latency() const { return completed - issued; }
    };

    tlm_utils::simple_initiator_socket<Probe> socket;
    std::function<void(Probe&)> script;
    std::vector<Done> done;  // by issue order
    tlmx::PcieAttr attr = [] {  // every request's TLP attributes (the tag is set per request)
        tlmx::PcieAttr a;
        a.requester_id = 0x0008;
        return a;
    }();
    uint32_t bytes = 64;

    SC_HAS_PROCESS(Probe);
    Probe(sc_core::sc_module_name n, tlmx::Mode mode) : sc_module(n), socket("socket"), mode_(mode) {
        socket.register_nb_transport_bw(this, &Probe::bw);
        SC_THREAD(run);
    }

    // Issues a request now; in timing mode returns once the target has accepted it.
    size_t issue(uint64_t addr, bool write = false) {
        tlm::tlm_generic_payload* gp = pool_.acquire(bytes);
        gp->set_address(addr);
        gp->set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
        gp->set_streaming_width(bytes);
        gp->set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        tlmx::PcieAttr& a = tlmx::attr(*gp);
        a = attr;
        const size_t i = done.size();
        a.tag = uint16_t(i);
        done.push_back({sc_core::sc_time_stamp(), sc_core::sc_time_stamp(), sc_core::SC_ZERO_TIME,
                        false});
        ++outstanding_;
        if (mode_ == tlmx::Mode::Atomic) {
            sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
            socket->b_transport(*gp, delay);
            wait(delay);
            finish(*gp);
            return i;
        }
        tlm::tlm_phase ph = tlm::BEGIN_REQ;
        sc_core::sc_time d = sc_core::SC_ZERO_TIME;
        if (socket->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED) {
            wait(end_req_);
            done[i].accepted = sc_core::sc_time_stamp();
        }
        return i;
    }
    unsigned outstanding() const { return outstanding_; }
    void wait_all() {
        while (outstanding_) wait(completed_);
    }
    // One request, issued alone; its latency.
    sc_core::sc_time access(uint64_t addr, bool write = false) {
        const size_t i = issue(addr, write);
        wait_all();
        return done[i].latency();
    }

private:
    void run() {
        if (script) script(*this);
    }
    void finish(tlm::tlm_generic_payload& gp) {
        Done& d = done[tlmx::attr(gp).tag];
        d.completed = sc_core::sc_time_stamp();
        d.ok = gp.is_response_ok();
        --outstanding_;
        gp.release();
        completed_.notify(sc_core::SC_ZERO_TIME);
    }
    tlm::tlm_sync_enum bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_core::sc_time&) {
        if (ph == tlm::END_REQ) {
            end_req_.notify(sc_core::SC_ZERO_TIME);
            return tlm::TLM_ACCEPTED;
        }
        finish(gp);
        return tlm::TLM_COMPLETED;
    }

    tlmx::Mode mode_;
    tlmx::PayloadPool pool_;
    unsigned outstanding_ = 0;
    sc_core::sc_event end_req_, completed_;
};
