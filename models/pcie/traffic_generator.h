// A PCIe device that generates DMA: a TLM initiator issuing the RequestStream and
// measuring per-request latency, throughput and the data it reads back.
//
// Two DMA engines, as real devices have them, share the device's link port; each
// request waits only for its own engine, and in timing mode each engine takes the
// synthetic stream's requests in its own order (ahead_ below):
//   read engine   paced by [dev] read_interval_ns, bounded by `tags` (non-posted)
//   write engine  paced by write_interval_ns, bounded by `posted_credits` (posted-header
//                 credits; 0: unlimited)
// Both intervals default to interval_ns. A write holds its posted credit from issue
// until its response comes back: the link model returns its own credit to no one when
// the root complex takes the TLP, so the write reaching memory (the response, one root
// complex traversal later) is the nearest point the device can see; it bounds a little
// later than a real credit return would.
// [dev] latency_ns is the device's own time after the last completion arrives (a
// read's data crossing into the engine, a write's acknowledgement): it adds to the
// request's latency and end time but holds no tag or credit and never the link. All
// of it is on the completion side: the measured latency it is fitted to cannot tell a
// request-side part from a completion-side one.
//
// Timing mode: an SC_METHOD issues a request whenever the link has ended the previous
// one (END_REQ) and the request's engine allows it. Within the run's horizon it does
// not wait for the kernel to reach the next issue time when nothing before then could
// change what it decides there (neither engine full, the synthetic stream, no ATS): it
// sends that request at once with its issue time annotated, as the link then serializes
// it, saving a kernel event per request (can_run_ahead). The link hands each completion
// over as soon as it knows its arrival; a synthetic request's is taken then (a read's tag
// counted free by decisions at or after the arrival, takes_ahead), the others at their
// arrival, which saves the link's event and the device's wake per read. Atomic mode: one SC_THREAD issues
// with b_transport under a quantum keeper; an LT call returns when the request is
// complete, so each engine's limit counts the completion times of its requests.
//
// After its synthetic RequestStream, a device issues the requests fed to it (feed(),
// from a trace), in order, as soon as tags and the link allow. Fed writes carry the
// data pattern of their address; fed reads are checked where the device wrote before
// issuing them (WrittenRanges), and each fed request's completion is reported.
//
// ATS ([dev] ats, once the driver enables it: enable_ats): every request first looks
// up the device's ATC (atc.h). A hit with the access it needs goes out Translated
// (AT=10b) at the translated address; a miss parks the request and sends a
// Translation Request (a read holding a tag, 8-byte completion, NW for a read), or
// waits on one already out for that page; the completion fills the ATC and the parked
// requests go again. A request reaching beyond its entry goes untranslated. A
// completion without the access: with PRI enabled, a Page Request Message (a new
// Page Request Group) and the requests wait for its response (Success: translate
// again; otherwise they fail); without PRI they go untranslated. Unsupported Request:
// they fail. A TR overlapped by an invalidation while out fills nothing and is
// retried. Without ATS none of this runs (traffic_generator_ats.cpp).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <queue>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/iommu/ats.h"
#include "models/pcie/atc.h"
#include "models/pcie/data_pattern.h"
#include "models/pcie/request_stream.h"
#include "models/pcie/written_ranges.h"
#include "models/sim/sorted_ring.h"
#include "models/sim/hot_path.h"
#include "models/sim/stats.h"
#include "models/sim/time.h"
#include "models/sim/timeline.h"
#include "models/tlm/direct.h"
#include "models/tlm/look_ahead.h"
#include "models/tlm/mode.h"
#include "models/tlm/payload_pool.h"
#include "models/tlm/timed_queue.h"

namespace tlmx { struct PcieAttr; }

namespace pcie {

class Link;

class TrafficGenerator : public sc_core::sc_module, public sim::StatGroup {
public:
    tlm_utils::simple_initiator_socket<TrafficGenerator> socket;

    SC_HAS_PROCESS(TrafficGenerator);
    TrafficGenerator(sc_core::sc_module_name name, const GeneratorParams& p, uint64_t seed,
                     tlmx::Mode mode);

    // cookie, whether it completed without error, whether its data checked out.
    using FedDone = std::function<void(uint64_t cookie, bool ok, bool data_ok)>;
    // Every request as it is issued, with its attributes and issue time.
    using Issued = std::function<void(tlm::tlm_generic_payload&, const sc_core::sc_time&)>;

    const GeneratorParams& params() const { return p_; }
    bool finished() const {
        return !has_next() && in_flight_ == 0 && parked_.empty() && messages_.empty();
    }
    // Queues a request after everything queued before it, or with r.priority after
    // the priority requests queued before it (r.fed is set here).
    void feed(Request r);
    void on_fed_done(FedDone f) { fed_done_ = std::move(f); }
    void on_issue(Issued f) { issued_ = std::move(f); }
    // A timeline or an issue callback sees this device's events as they happen.
    bool observed() const { return timeline_ || issued_; }
    // Every completed request becomes a span on the timeline.
    void set_timeline(sim::Timeline* t);
    // Atomic mode: the IOMMU hears of each synthetic request one request ahead, when it
    // wants to (tlmx::LookAhead). Nothing simulated changes, with it or without it.
    void set_look_ahead(const tlmx::LookAhead* l) { look_ahead_ = l; }
    bool looks_ahead() const { return look_ahead_ != nullptr; }
    // The mapping behind [addr, addr + len) changed: stop checking reads there.
    void forget_writes(uint64_t addr, uint64_t len) { written_.forget(addr, len); }
    void forget_all_writes() { written_.clear(); }
    uint64_t data_errors() const { return data_errors_.value(); }
    uint64_t reads() const { return reads_.value(); }
    uint64_t writes() const { return writes_.value(); }
    uint64_t error_completions() const { return error_completions_.value(); }
    double read_gbps() const { return gbps(read_bytes_.value()); }
    double write_gbps() const { return gbps(write_bytes_.value()); }
    const sim::Histogram& read_latency() const { return read_latency_; }
    const sim::Histogram& write_latency() const { return write_latency_; }
    sc_core::sc_time first_issue() const { return first_issue_; }
    // ATS / PRI Control.Enable as the driver writes them (no-ops without [dev] ats /
    // pri); disabling ATS empties the ATC.
    void enable_ats(bool on);
    void enable_pri(bool on);
    bool ats_enabled() const { return ats_on_; }
    // Messages from the IOMMU (iommu::Endpoints, routed by requester ID).
    void invalidate_atc(const iommu::AtsInvalidation& inv);
    void page_response(const iommu::PageResponse& r);
    // The ATC, with [dev] ats (else nullptr).
    const Atc* atc() const { return atc_.get(); }
    // Timing mode: requests issued before `t` may be decided ahead of the kernel's time
    // where nothing could change the decision (can_run_ahead); the run's end, past which
    // nothing may be sent. Zero (the default): every decision at its own time.
    void set_horizon(const sc_core::sc_time& t) { horizon_ = t; }

private:
    using Payload = tlm::tlm_generic_payload;
    void end_of_elaboration() override;
    struct TagState {
        sc_core::sc_time issued;
        bool fed = false;
        uint64_t cookie = 0;
        // ATS: this tag is a Translation Request / a message, not a DMA request
        bool tr = false, message = false;
        bool stale = false;  // an invalidation overlapped the TR while it was out
    };
    bool has_next() const {
        return !retry_.empty() || !ahead_[0].empty() || !ahead_[1].empty() || !stream_.done() ||
               !fed_.empty();
    }
    bool synthetic_left() const {
        return !stream_.done() || !ahead_[0].empty() || !ahead_[1].empty();
    }
    // Call choose() first (timing mode): it decides which slot, if any, next() is. Atomic
    // mode pulls nothing ahead, so pick_ stays -1.
    const Request& next() const {
        return !retry_.empty() ? retry_.front()
               : pick_ >= 0    ? ahead_[pick_].front().r
               : stream_.done() ? fed_.front()
                                : stream_.peek();
    }
    void pop();
    // The synthetic stream taken apart by engine, each engine's requests in stream
    // order (seq), up to kAhead requests pulled ahead in all: each engine takes its
    // own when it can, so a write need not wait behind a read that has no tag, nor a
    // read behind a paced write; equally ready, they go in stream order. Under ATS,
    // and in atomic mode, one at a time in stream order: an LT call books the link in
    // call order, so one engine's burst at one instant would queue the other's
    // requests behind all of it (timing mode's END_REQ paces a burst instead).
    static constexpr size_t kAhead = 1024;
    struct Ahead {
        uint64_t seq;
        Request r;
    };
    std::deque<Ahead> ahead_[2];  // by engine: [read]
    uint64_t pulled_ = 0;
    int pick_ = -1;  // the queue next() takes from; -1: the retries or fed requests
    void fill();
    // `ready`: when each engine ([read]) could take its slot's request, in ps.
    void choose(const uint64_t (&ready)[2]);
    Payload* make_payload(const Request& r, const sc_core::sc_time& issue);
    void set_requester(tlmx::PcieAttr& a, const Request& r) const;
    uint16_t take_tag(bool read);
    // A request's last completion arrived: tag and credit free; it ends latency_ns later.
    void arrive(Payload& gp, const sc_core::sc_time& at);
    void complete(Payload& gp, const TagState& t, const sc_core::sc_time& done);
    bool engine_full(bool read) const;
    // The rare paths below stay calls out of atomic_thread's flattened loop.
    IOMMU_SIM_COLD_PATH void trace_completion(const Payload& gp, const TagState& t, const sc_core::sc_time& done,
                                              uint32_t bytes);
    IOMMU_SIM_COLD_PATH void trace_request(const Payload& gp, const char* name, uint64_t issued_ps,
                                           uint64_t done_ps, const std::string& args);
    bool check_read(const Payload& gp, const TagState& t);
    IOMMU_SIM_COLD_PATH void complete_fed(const Payload& gp, const TagState& t, const sc_core::sc_time& done,
                                          bool data_ok);
    // ATS (traffic_generator_ats.cpp)
    struct Parked {
        Request r;
        bool on_prg = false;  // waiting for a PRG response (else for TR `key`)
        uint16_t key = 0;     // TR tag or PRG index
    };
    IOMMU_SIM_COLD_PATH Payload* ats_payload(const Request& r, const sc_core::sc_time& issue);
    Payload* control_payload(uint32_t len, const Request& r, bool tagged);
    Payload* translation_request(const Request& r, const sc_core::sc_time& issue);
    IOMMU_SIM_COLD_PATH Payload* page_request_message();
    bool ats_blocked() const;
    IOMMU_SIM_COLD_PATH void tr_done(Payload& gp, const sc_core::sc_time& done);
    void unpark(bool on_prg, uint16_t key, bool retry, bool untranslated, const sc_core::sc_time& done);
    void fail(const Request& r, const sc_core::sc_time& done);
    void wake();
    // timing mode
    void issue_method();
    void run_from(sc_core::sc_time t);
    void schedule(const sc_core::sc_time& t);
    bool can_run_ahead(const sc_core::sc_time& next) const;
    // Read completions taken ahead of their arrival (takes_ahead): their tag frees at
    // `at`, counted by decisions at or after it.
    bool takes_ahead(Payload& gp, const sc_core::sc_time& at) const;
    void take_ahead(Payload& gp, const sc_core::sc_time& at);
    void retire(const sc_core::sc_time& t);
    uint32_t freed_by(const sc_core::sc_time& t) const;
    void arrive_now(Payload& gp);  // a completion's arrival: it may wake the device
    bool take_arrival(Payload& gp);
    void arriving_method();  // completions queued to their arrival
    sc_core::sc_time decide(const sc_core::sc_time& now);
    sc_core::sc_time send(Payload* gp, const sc_core::sc_time& now);
    void end_method();  // requests whose internal latency is over
    tlm::tlm_sync_enum bw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
    // atomic mode
    void atomic_thread();

    GeneratorParams p_;
    RequestStream stream_;
    PatternCache pattern_;  // the data of the stream's window
    tlmx::PayloadPool pool_;
    sc_core::sc_time interval_[2], latency_;  // interval_ by engine: [read]
    std::vector<TagState> tags_;  // by tag
    std::deque<Request> fed_;
    size_t fed_priority_ = 0;  // fed_'s first requests, those with priority
    FedDone fed_done_;
    Issued issued_;
    sim::Timeline* timeline_ = nullptr;
    int track_ = 0;     // lanes "dma 0", "dma 1"...: DMA requests and Translation Requests
    int pr_track_ = 0;  // page requests sent
    int tl_outstanding_ = 0;  // counter
    void count_outstanding() {
        if (timeline_) record_outstanding();
    }
    IOMMU_SIM_COLD_PATH void record_outstanding() { timeline_->set(tl_outstanding_, tlmx::now().value(), in_flight_); }
    WrittenRanges written_;
    sc_core::sc_event fed_event_;
    std::vector<uint16_t> free_tags_;
    uint32_t reads_in_flight_ = 0, writes_in_flight_ = 0, in_flight_ = 0;
    bool req_busy_ = false;                     // waiting for END_REQ
    bool credit_stalled_ = false;               // a write waits for a posted credit
    bool started_ = false;
    sc_core::sc_time next_issue_;               // the link port is free
    sc_core::sc_time horizon_ = sc_core::SC_ZERO_TIME;  // set_horizon
    sc_core::sc_time engine_next_[2];           // by engine: [read]
    bool atomic_;
    tlmx::Direct<Link> link_;  // atomic mode's call
    const tlmx::LookAhead* look_ahead_ = nullptr;
    void announce_next(bool translation) const;
    struct Ending {
        Payload* gp;
        TagState t;
    };
    tlmx::TimedQueue<Ending> ending_{"ending"};  // in the device after their completion
    tlmx::TimedQueue<Payload*> arriving_{"arriving"};  // completions not taken ahead
    struct Freeing {
        sim::ps_t at;
        uint16_t tag;
        bool operator<(const Freeing& o) const { return at < o.at; }
    };
    sim::SortedRing<Freeing> freeing_;  // read tags taken ahead, pushed in arrival order
    sc_core::sc_time wake_at_ = sc_core::SC_ZERO_TIME;  // the activation decide() wants
    static constexpr sc_dt::uint64 kNoKick = ~sc_dt::uint64(0);
    sc_dt::uint64 kick_delta_ = kNoKick;  // the delta cycle of the oldest kick pending
    sc_core::sc_event issue_event_, tail_event_;
    sc_core::sc_time first_issue_ = sc_core::SC_ZERO_TIME, last_done_ = sc_core::SC_ZERO_TIME;
    // ATS state: all empty and unused unless [dev] ats.
    bool ats_on_ = false, pri_on_ = false;
    std::unique_ptr<Atc> atc_;
    std::deque<Request> retry_;        // parked requests ready to go again, first
    std::vector<Parked> parked_;       // waiting for a TR or a PRG response
    struct PrgOut {
        uint64_t addr;
        bool pasid_valid, write;
        uint32_t pasid;
        uint16_t index;
    };
    std::deque<PrgOut> messages_;      // Page Request Messages to send, first of all
    std::vector<bool> prg_busy_;       // by PRG index
    uint16_t next_prg_ = 0;
    sc_core::sc_event prg_event_;      // atomic mode: a PRG response came
    struct AtsStats : sim::StatGroup {
        sim::Counter translation_requests{*this, "ats.translation_requests", "",
                                          "Translation Requests sent"};
        sim::Counter translated{*this, "ats.translated", "", "requests issued Translated"};
        sim::Counter untranslated{*this, "ats.untranslated", "",
                                  "requests issued untranslated with ATS enabled"};
        sim::Counter no_access{*this, "ats.no_access", "",
                               "completions without the access a request needed"};
        sim::Counter unsupported{*this, "ats.unsupported", "",
                                 "Translation Requests completed Unsupported Request"};
        sim::Counter stale{*this, "ats.stale", "",
                           "completions an invalidation overtook (not cached, retried)"};
        sim::Counter page_requests{*this, "pri.page_requests", "", "Page Request Messages sent"};
        sim::Counter success{*this, "pri.responses.success", "", "PRG responses: Success"};
        sim::Counter invalid{*this, "pri.responses.invalid_request", "",
                             "PRG responses: Invalid Request"};
        sim::Counter failure{*this, "pri.responses.failure", "", "PRG responses: Response Failure"};
    };
    std::unique_ptr<AtsStats> ats_stats_;

    sim::Counter reads_{*this, "reads", "", "read requests completed"};
    sim::Counter writes_{*this, "writes", "", "write requests completed"};
    sim::Counter read_bytes_{*this, "read_bytes", "B", "bytes read"};
    sim::Counter write_bytes_{*this, "write_bytes", "B", "bytes written"};
    sim::Counter error_completions_{*this, "error_completions", "", "requests that failed"};
    sim::Counter data_errors_{*this, "data_errors", "", "reads whose data differed from the pattern"};
    sim::Counter verified_bytes_{*this, "verified_bytes", "B",
                                 "bytes of fed reads checked against the device's own writes"};
    sim::Counter tag_stalls_{*this, "tag_stalls", "", "issues delayed: no free tag"};
    std::unique_ptr<sim::Counter> credit_stalls_;  // with posted_credits only
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
