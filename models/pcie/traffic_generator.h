// A PCIe device that generates DMA: a TLM initiator with a bounded number of
// outstanding non-posted requests (tags), issuing the RequestStream and measuring
// per-request latency, throughput and the data it reads back.
//
// Timing mode: an SC_METHOD issues a request whenever the link has ended the previous
// one (END_REQ) and, for a read, a tag is free. Posted writes hold no tag. Atomic mode:
// one SC_THREAD issues with b_transport under a quantum keeper; reads and writes alike
// then wait for a tag, since an LT call returns only when the request is complete.
#pragma once

#include <cstdint>
#include <queue>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/pcie/request_stream.h"
#include "models/sim/stats.h"
#include "models/tlm/mode.h"
#include "models/tlm/payload_pool.h"

namespace pcie {

class TrafficGenerator : public sc_core::sc_module, public sim::StatGroup {
public:
    tlm_utils::simple_initiator_socket<TrafficGenerator> socket;

    SC_HAS_PROCESS(TrafficGenerator);
    TrafficGenerator(sc_core::sc_module_name name, const GeneratorParams& p, uint64_t seed,
                     tlmx::Mode mode);

    const GeneratorParams& params() const { return p_; }
    bool finished() const { return stream_.done() && in_flight_ == 0; }
    uint64_t data_errors() const { return data_errors_.value(); }
    uint64_t reads() const { return reads_.value(); }
    uint64_t writes() const { return writes_.value(); }
    uint64_t error_completions() const { return error_completions_.value(); }
    double read_gbps() const { return gbps(read_bytes_.value()); }
    double write_gbps() const { return gbps(write_bytes_.value()); }
    const sim::Histogram& read_latency() const { return read_latency_; }
    const sim::Histogram& write_latency() const { return write_latency_; }

private:
    using Payload = tlm::tlm_generic_payload;
    Payload* make_payload(const Request& r, const sc_core::sc_time& issue);
    uint16_t take_tag(bool read);
    void complete(Payload& gp, const sc_core::sc_time& done);
    // timing mode
    void issue_method();
    tlm::tlm_sync_enum bw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
    // atomic mode
    void atomic_thread();

    GeneratorParams p_;
    RequestStream stream_;
    tlmx::PayloadPool pool_;
    sc_core::sc_time interval_;
    std::vector<sc_core::sc_time> issued_at_;  // by tag
    std::vector<uint16_t> free_tags_;
    uint32_t reads_in_flight_ = 0, in_flight_ = 0;
    bool req_busy_ = false;                     // waiting for END_REQ
    bool started_ = false;
    sc_core::sc_time next_issue_;
    sc_core::sc_event issue_event_;
    sc_core::sc_time first_issue_ = sc_core::SC_ZERO_TIME, last_done_ = sc_core::SC_ZERO_TIME;

    sim::Counter reads_{*this, "reads", "", "read requests completed"};
    sim::Counter writes_{*this, "writes", "", "write requests completed"};
    sim::Counter read_bytes_{*this, "read_bytes", "B", "bytes read"};
    sim::Counter write_bytes_{*this, "write_bytes", "B", "bytes written"};
    sim::Counter error_completions_{*this, "error_completions", "", "requests that failed"};
    sim::Counter data_errors_{*this, "data_errors", "", "reads whose data differed from the pattern"};
    sim::Counter tag_stalls_{*this, "tag_stalls", "", "issues delayed: no free tag"};
    sim::Histogram read_latency_{*this, "read_latency_ns", "ns",
                                 "issue to last completion byte", 20.0, 500};
    sim::Histogram write_latency_{*this, "write_latency_ns", "ns",
                                  "issue to commit in memory (posted: the device does not wait)",
                                  20.0, 500};
    sim::Formula active_{*this, "active_ns", "ns", "first issue to last completion",
                         [this] { return active_ns(); }};
    sim::Formula read_gbps_{*this, "read_gbps", "Gb/s", "read throughput over active_ns",
                            [this] { return gbps(read_bytes_.value()); }};
    sim::Formula write_gbps_{*this, "write_gbps", "Gb/s", "write throughput over active_ns",
                             [this] { return gbps(write_bytes_.value()); }};

    double active_ns() const { return (last_done_ - first_issue_).to_seconds() * 1e9; }
    double gbps(uint64_t bytes) const {
        const double ns = active_ns();
        return ns > 0 ? double(bytes) * 8.0 / ns : 0.0;
    }
};

}  // namespace pcie
