// The engine's timing shell: an IOMMU on the DMA path, between the root complex
// (upstream) and memory (downstream), driving an architecture's Translator.
//
// Timing mode (AT, one event per stage, nothing ticks):
//   accept   up to `input_queue` requests inside the unit; beyond that END_REQ is
//            held back and the root complex waits (back-pressure)
//   lookup   one request a cycle enters, `lookup_cycles` deep: the caches answer at
//            the end, so an IOTLB hit adds exactly lookup_cycles
//   walk     a miss takes one of `walkers` slots (WalkerPool: a miss to a page being
//            walked with the same attributes joins that walk, the rest wait in order);
//            each table access costs `walk_step_cycles` and `walk_fabric_ns` (the
//            crossing between the unit and memory, both ways: an IOMMU beside the root
//            ports reaches memory over the same fabric as the DMA), then is a real 8-byte memory
//            transaction on the downstream socket: a read, or the write of an entry
//            whose accessed/dirty flags the walk sets
//   leave    translated address and snoop attribute set, on to memory; the response
//            goes back up with the untranslated address restored. A request leaves
//            the input queue when memory accepts it.
//   A faulting read completes at once with an error response (PCIe: Unsupported
//   Request completion); a faulting write is dropped: it never reaches memory, and the
//   simulator's acknowledgement of the posted write carries the error.
// Atomic mode (LT): the same stages inside b_transport, walk reads as b_transport
//   calls, the delay growing by lookup, steps and memory time; no slot contention.
//
// ATS (ats.h): a Translation Request is looked up and walked like any request but
// never reaches memory: on its result the pipeline writes the Translation Completion
// Data Entry (ats_completion.h) into the payload and responds (a fault: Unsupported
// Request). A Translated request is the unit's to answer. A Page Request Message is
// handed to Unit::page_request after the lookup stage; refused, the device is told
// Response Failure through the unit's Endpoints. Their statistics (pcie.ats.*,
// pcie.pri.*: the TLPs as they arrive, apart from the unit's own counters) appear from
// the first such TLP on, so runs without ATS report exactly what they did.
//
// Stalls (Result::stall): the transaction is parked, keeping its input-queue entry, until
// the unit ends it through Unit::on_stall_end: retried, it enters the lookup stage again
// (a walk may now succeed); terminated, it faults as above. In atomic mode b_transport
// waits for the end (it runs in the device's thread). Counted under stall.* from the
// first stall on.
//
// Hits may pass misses (hit-under-miss), as in real IOMMUs: PCIe ordering between
// requests of different pages is not enforced here.
#pragma once

#include <cstdint>
#include <functional>
#include <deque>
#include <map>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include "models/iommu/unit.h"
#include "models/iommu/walker_pool.h"
#include "models/sim/stats.h"
#include "models/sim/timeline.h"
#include "models/tlm/direct.h"
#include "models/tlm/fw_target.h"
#include "models/tlm/host_prefetch.h"
#include "models/tlm/look_ahead.h"
#include "models/tlm/mode.h"
#include "models/tlm/timed_queue.h"

namespace sim { class ParamBinder; }
namespace memory { class MemoryController; }

namespace iommu {

struct PipelineParams {
    double clock_mhz = 1000;        // the unit's clock
    uint32_t lookup_cycles = 4;     // lookup stage depth: the IOTLB hit latency
    uint32_t walk_step_cycles = 2;  // per table read: issue and decode
    double walk_fabric_ns = 0;      // per table read: unit to memory and back, memory's time apart
    uint32_t input_queue = 32;      // requests inside the unit before back-pressure
    uint32_t walkers = 4;           // concurrent table walks

    void bind(sim::ParamBinder& b);
};

// What a miss must share with a walk to join it: the page and every attribute that
// can change the answer.
struct PageKey {
    uint64_t vpn = 0;
    uint32_t pasid = 0;
    uint16_t sid = 0;
    uint16_t attrs = 0;  // read, write, pasid_valid, priv, exec, no_snoop, AT
    bool operator==(const PageKey& o) const {
        return vpn == o.vpn && pasid == o.pasid && sid == o.sid && attrs == o.attrs;
    }
};

class Pipeline : public sc_core::sc_module,
                 public sim::StatGroup,
                 public tlmx::LookAhead,
                 private tlmx::FwTarget {
public:
    tlm::tlm_target_socket<> upstream;
    tlm_utils::simple_initiator_socket<Pipeline> downstream;

    SC_HAS_PROCESS(Pipeline);
    // The unit's statistics appear under this module's path; its fault text names the
    // timeline's fault instants.
    Pipeline(sc_core::sc_module_name name, const PipelineParams& p, Unit& unit, tlmx::Mode mode);
    ~Pipeline() override;

    // Translations and walks become spans, faults instants, on the timeline.
    void set_timeline(sim::Timeline* t);
    // Tells `f` of every translation as it resolves (requester, IOVA, result).
    using TranslationListener = std::function<void(uint16_t sid, uint64_t iova, const Result& res)>;
    void listen(TranslationListener f) { listeners_.push_back(std::move(f)); }
    // The memory behind the downstream socket: a walk that translated announces its
    // output address to it before its end fills the caches (announce_output).
    void set_host_prefetch(const tlmx::HostPrefetch* m) {
        host_ = m;
        reads_ahead_ = m && unit_.reads_ahead();
    }
    // A device's next request (atomic mode, tlmx::LookAhead): memory brings toward the
    // host CPU the table entry its walk would read first (Translator::walk_read_ahead),
    // then the data at the address the walk would give (Translator::output_ahead).
    void next_access(const tlmx::LookAhead::Access& a) const override;
    void next_translation(const tlmx::LookAhead::Access& a) const override;

private:
    template <class...> friend class tlmx::Direct;  // the root complex's call
    using Payload = tlm::tlm_generic_payload;
    struct WalkRead;

    void end_of_elaboration() override;

    // timing mode
    tlm::tlm_sync_enum nb_transport_fw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d) override;
    tlm::tlm_sync_enum bw(Payload& gp, tlm::tlm_phase& ph, sc_core::sc_time& d);
    void admit(Payload& gp);
    void enter_lookup(Payload& gp);
    void lookup_method();
    void miss(Payload& gp, const Request& r);
    void start_walk(unsigned slot);
    void next_step(unsigned slot);
    void step_method();
    void walk_read_done(unsigned slot);
    void finish_walk(unsigned slot);
    void resolve(Payload& gp, const Result& res);
    void send_down(Payload& gp);
    void down_method();
    void left(Payload& gp);
    void respond(Payload& gp);
    // ATS and PRI
    void page_request(Payload& gp);
    void complete_tr(Payload& gp, const Request& r, const Result& res);
    bool tell_ats(Payload& gp, const Request& r, const Result& res);
    void ats_seen();
    // stalls
    void park(Payload& gp, const Result& res);
    void stall_end(uint16_t stag, bool retry);
    void unpark_method();
    struct Parked {
        Payload* gp;
        Result res;  // the stall's fault
        bool retry;
    };
    void end_stall(const Parked& p);
    bool atomic_stall_end(uint16_t stag, sc_core::sc_time& delay);
    void stall_seen();
    // atomic mode
    void b_transport(Payload& gp, sc_core::sc_time& delay) override;
    Result atomic_walk(const Request& r, sc_core::sc_time& delay);

    sc_core::sc_time now() const { return tlmx::now(); }
    bool is_walk_read(const Payload& gp) const;

    PipelineParams p_;
    Unit& unit_;
    sc_core::sc_time cycle_, lookup_latency_, step_latency_;  // step: cycles and fabric
    uint32_t occupancy_ = 0;
    Payload* held_ = nullptr;  // refused while the input queue was full
    sc_core::sc_time lookup_free_;
    tlmx::TimedQueue<Payload*> lookup_q_{"lookup_q"};
    tlmx::TimedQueue<unsigned> step_q_{"step_q"};
    WalkerPool<PageKey, Payload*> pool_;
    std::vector<PageKey> slot_page_;
    std::vector<sc_core::sc_time> slot_started_;
    std::vector<std::unique_ptr<WalkRead>> reads_;  // one per slot
    std::vector<Walk*> walks_;                      // the walk each slot runs
    std::vector<Payload*> done_;                    // scratch for WalkerPool::complete
    std::deque<Payload*> out_;                      // waiting for the downstream socket
    Payload* down_pending_ = nullptr;               // BEGIN_REQ sent, END_REQ not yet
    tlmx::Direct<memory::MemoryController> memory_;  // atomic mode's downstream call
    sc_core::sc_event down_kick_;

    sim::Counter requests_{*this, "requests", "", "DMA requests accepted"};
    sim::Counter lookup_answered_{*this, "lookup.answered", "",
                                  "requests the lookup stage answered (hit, bypass, cached fault)"};
    sim::Counter lookup_missed_{*this, "lookup.missed", "", "requests that needed a walk"};
    sim::Counter faulted_{*this, "faulted", "", "requests that faulted (reads: error "
                                                "completion; writes: dropped)"};
    sim::Counter queue_full_{*this, "queue_full_stalls", "", "requests held back: input queue full"};
    sim::Histogram walk_latency_{*this, "walk_latency_ns", "ns",
                                 "walk start to result, table reads included", 10.0, 200};
    struct AtsStats : sim::StatGroup {
        sim::Counter translation_requests{*this, "ats.translation_requests", "",
                                          "Translation Requests answered"};
        sim::Counter tr_no_access{*this, "ats.no_access", "",
                                  "Translation Requests answered R=W=0"};
        sim::Counter tr_unsupported{*this, "ats.unsupported", "",
                                    "Translation Requests answered Unsupported Request"};
        sim::Counter translated{*this, "ats.translated", "", "Translated requests (AT=10b)"};
        sim::Counter page_requests{*this, "pri.page_requests", "", "Page Request Messages"};
        sim::Counter refused{*this, "pri.refused", "",
                             "page requests the unit refused (answered Response Failure)"};
    } ats_;
    bool ats_attached_ = false;
    struct StallStats : sim::StatGroup {
        sim::Counter parked{*this, "stall.parked", "", "stalled transactions parked"};
        sim::Counter retried{*this, "stall.retried", "", "stalled transactions retried"};
        sim::Counter terminated{*this, "stall.terminated", "", "stalled transactions terminated"};
    } stall_;
    bool stall_attached_ = false;
    std::map<uint16_t, Parked> parked_;     // by STAG, waiting for the unit
    std::map<uint16_t, bool> stall_ends_;   // ended before parked (true: retry)
    std::deque<Parked> unparked_;           // ended, handled by unpark_method
    sc_core::sc_event unpark_kick_, stall_ended_;
    std::vector<TranslationListener> listeners_;
    void tell(uint16_t sid, uint64_t iova, const Result& res) {
        for (const TranslationListener& f : listeners_) f(sid, iova, res);
    }
    void announce_output(const Walk& w) const;
    const tlmx::HostPrefetch* host_ = nullptr;
    bool reads_ahead_ = false;  // a walk asks the devices for their next address
    sim::Timeline* timeline_ = nullptr;
    int tl_translate_ = 0, tl_walk_ = 0, tl_fault_ = 0, tl_ats_ = 0, tl_pr_ = 0;  // lanes or tracks
    int tl_queue_ = 0, tl_walks_out_ = 0;                                        // counters
    uint64_t walks_out_ = 0;
    int walk_track_ = 0;  // the walk just ended, while its translations resolve
    uint64_t walk_start_ps_ = 0, walk_end_ps_ = 0;
    void trace_translation(Payload& gp, uint64_t start_ps, uint64_t end_ps, const Result& res);
    void trace_walk(uint64_t start_ps, uint64_t end_ps);
    void count(int counter, uint64_t value);

    sim::Histogram translation_latency_{*this, "translation_latency_ns", "ns",
                                        "acceptance to leaving for memory (or faulting)", 10.0,
                                        200};
};

}  // namespace iommu
