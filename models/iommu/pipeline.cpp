#include "models/iommu/pipeline.h"

#include <algorithm>
#include <cstdio>

#include <cstring>

#include "models/iommu/ats_completion.h"
#include "models/memory/memory_controller.h"
#include "models/sim/hot_path.h"
#include "models/sim/params.h"
#include "models/sim/time.h"
#include "models/tlm/pcie_attr.h"
#include "models/tlm/sc_ps.h"

namespace iommu {

using sc_core::sc_time;
using tlm::tlm_phase;
using tlm::tlm_sync_enum;

void PipelineParams::bind(sim::ParamBinder& b) {
    b.f64("clock_mhz", clock_mhz, "MHz", "IOMMU clock", 1, 10000);
    b.u32("lookup_cycles", lookup_cycles, "cycles",
          "lookup stage depth: what an IOTLB hit adds to a request", 1, 1000);
    b.u32("walk_step_cycles", walk_step_cycles, "cycles",
          "per table read of a walk: issue and decode, memory time not included", 0, 1000);
    b.f64("walk_fabric_ns", walk_fabric_ns, "ns",
          "per table read of a walk: the crossing from the unit to memory and back, memory's "
          "own time (cache hit or DRAM) not included", 0, 1e6);
    b.u32("input_queue", input_queue, "requests",
          "requests inside the unit before the root complex is held back", 1, 65536);
    b.u32("walkers", walkers, "walks", "concurrent table walks (walker slots)", 1, 1024);
}

namespace {

// The request as the translation sees it, from the TLP attributes.
Request request_of(const tlm::tlm_generic_payload& gp, const tlmx::PcieAttr& a) {
    Request r;
    r.at = At(uint8_t(a.at));
    r.sid = a.requester_id;
    r.iova = gp.get_address();
    if (a.at == tlmx::AddressType::TranslationRequest) {
        r.read = true;  // a TR asks for read, and write unless No Write (PCIe 10.2.2)
        r.write = !a.no_write;
    } else {
        r.read = gp.is_read();
        r.write = gp.is_write();
    }
    r.pasid_valid = a.pasid_valid;
    r.pasid = a.pasid;
    r.priv = a.privileged;
    r.exec = a.execute;
    r.no_snoop = a.no_snoop;
    return r;
}

Request request_of(tlm::tlm_generic_payload& gp) { return request_of(gp, tlmx::attr(gp)); }

PageKey page_key(const Request& r) {
    PageKey k;
    k.vpn = r.iova >> 12;
    k.pasid = r.pasid_valid ? r.pasid : 0;
    k.sid = r.sid;
    k.attrs = uint16_t(r.read | r.write << 1 | r.pasid_valid << 2 | r.priv << 3 | r.exec << 4 |
                       r.no_snoop << 5 | unsigned(r.at) << 6);
    return k;
}

// Marks the unit's own walk reads among the responses from memory.
struct WalkTag : tlm::tlm_extension<WalkTag> {
    unsigned slot = 0;
    tlm::tlm_extension_base* clone() const override { return new WalkTag(*this); }
    void copy_from(const tlm::tlm_extension_base& e) override {
        slot = static_cast<const WalkTag&>(e).slot;
    }
};

}  // namespace

// One walker slot's table-access transaction, reused for every access of its walks.
struct Pipeline::WalkRead {
    tlmx::PciePayload gp;
    uint64_t data = 0;
    explicit WalkRead(unsigned slot) {
        auto* tag = new WalkTag;
        tag->slot = slot;
        gp.set_extension(tag);
        gp.set_data_ptr(reinterpret_cast<unsigned char*>(&data));
        gp.set_data_length(8);
        gp.set_streaming_width(8);
        gp.set_byte_enable_ptr(nullptr);
    }
    // The walk's next access: a table read, or the write of an updated entry.
    void prepare(const Walk& w, bool snoop) {
        gp.set_address(w.read_address());
        if (w.write_pending()) {
            gp.set_write();
            data = w.write_value();
        } else {
            gp.set_read();
        }
        gp.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
        gp.attr().snoop = snoop;
    }
};

Pipeline::Pipeline(sc_core::sc_module_name name, const PipelineParams& p, Unit& unit, tlmx::Mode mode)
    : sc_module(name),
      upstream("upstream"),
      downstream("downstream"),
      p_(p),
      unit_(unit),
      cycle_(sc_time::from_value(sim::ns_to_ps(1000.0 / p.clock_mhz))),
      lookup_latency_(cycle_ * double(p.lookup_cycles)),
      step_latency_(cycle_ * double(p.walk_step_cycles) +
                    sc_time::from_value(sim::ns_to_ps(p.walk_fabric_ns))),
      pool_(mode == tlmx::Mode::Atomic ? 1 : p.walkers),
      slot_page_(p.walkers),
      slot_started_(p.walkers),
      walks_(p.walkers, nullptr) {
    add_child("walkers", pool_);
    add_child("", unit);
    const unsigned slots = mode == tlmx::Mode::Atomic ? 1 : p.walkers;
    unit_.reserve_walks(slots);
    for (unsigned i = 0; i < slots; ++i) reads_.push_back(std::make_unique<WalkRead>(i));
    unit_.on_stall_end = [this](uint16_t stag, bool retry) { stall_end(stag, retry); };
    upstream.bind(*this);
    if (mode == tlmx::Mode::Atomic) return;
    downstream.register_nb_transport_bw(this, &Pipeline::bw);
    SC_METHOD(lookup_method);
    sensitive << lookup_q_.event();
    dont_initialize();
    SC_METHOD(step_method);
    sensitive << step_q_.event();
    dont_initialize();
    SC_METHOD(down_method);
    sensitive << down_kick_;
    dont_initialize();
    SC_METHOD(unpark_method);
    sensitive << unpark_kick_;
    dont_initialize();
}

Pipeline::~Pipeline() { unit_.on_stall_end = nullptr; }

bool Pipeline::is_walk_read(const Payload& gp) const { return gp.get_extension<WalkTag>(); }

// ---- timing mode: accept and look up -----------------------------------------------

tlm_sync_enum Pipeline::nb_transport_fw(Payload& gp, tlm_phase& ph, sc_time&) {
    if (ph != tlm::BEGIN_REQ) return tlm::TLM_COMPLETED;
    if (occupancy_ == p_.input_queue) {
        ++queue_full_;
        held_ = &gp;
        return tlm::TLM_ACCEPTED;
    }
    admit(gp);
    ph = tlm::END_REQ;
    return tlm::TLM_UPDATED;
}

// One request enters the lookup stage per cycle; its answer is known at the end.
void Pipeline::set_timeline(sim::Timeline* t) {
    timeline_ = t;
    if (!t) return;
    using C = sim::Timeline;
    tl_translate_ = t->lanes(name(), "translations", C::Translation);
    tl_walk_ = t->lanes(name(), "walks", C::Walk);
    tl_fault_ = t->track(name(), "faults", C::Fault);
    tl_ats_ = t->lanes(name(), "ats", C::Ats);
    tl_pr_ = t->track(name(), "page requests", C::Ats);
    tl_queue_ = t->counter(name(), "queue depth");
    tl_walks_out_ = t->counter(name(), "outstanding walks");
}

// A flow's ends sit inside both spans: a third and two thirds into their overlap.
static void link(sim::Timeline& t, uint64_t id, int from, int to, uint64_t start_ps, uint64_t end_ps) {
    if (!id || !from || !to || end_ps - start_ps < 3) return;
    t.flow_start(from, id, start_ps + (end_ps - start_ps) / 3);
    t.flow_end(to, id, start_ps + 2 * (end_ps - start_ps) / 3);
}

// The translation's span, linked from the device's DMA (its flow id) and to the walk
// that answered it; a fault is also an instant at the faulting address.
void Pipeline::trace_translation(Payload& gp, uint64_t start_ps, uint64_t end_ps, const Result& res) {
    const tlmx::PcieAttr& a = tlmx::attr(gp);
    char args[128];
    int n = std::snprintf(args, sizeof args, "\"sid\":\"0x%04x\",\"iova\":\"0x%llx\"", a.requester_id,
                          static_cast<unsigned long long>(a.iova));
    if (!res.fault) std::snprintf(args + n, sizeof args - n, ",\"pa\":\"0x%llx\"", static_cast<unsigned long long>(res.pa));
    const bool tr = a.at == tlmx::AddressType::TranslationRequest;
    const int track = timeline_->lane_span(tr ? tl_ats_ : tl_translate_,
                                           tr ? (res.fault ? "translation request: UR" : "translation request")
                                              : (res.fault ? "fault" : "translate"),
                                           start_ps, end_ps, args);
    if (track && end_ps - start_ps >= 2) timeline_->flow_end(track, a.flow, start_ps + (end_ps - start_ps) / 2);
    if (walk_track_ && walk_start_ps_ < end_ps && start_ps < walk_end_ps_)
        link(*timeline_, timeline_->new_flow(), track, walk_track_, std::max(start_ps, walk_start_ps_),
             std::min(end_ps, walk_end_ps_));
    if (!res.fault) return;
    timeline_->instant(tl_fault_, ("fault " + unit_.fault_text(res.reason)).c_str(), end_ps, args);
}

// Counters on the timeline: written when they change.
void Pipeline::count(int counter, uint64_t value) {
    if (timeline_) timeline_->set(counter, now().value(), value);
}

void Pipeline::admit(Payload& gp) {
    ++occupancy_;
    count(tl_queue_, occupancy_);
    ++requests_;
    tlmx::PcieAttr& a = tlmx::attr(gp);
    a.iova = gp.get_address();
    a.iommu_in_ps = now().value();
    enter_lookup(gp);
}

// One request enters the lookup stage per cycle.
void Pipeline::enter_lookup(Payload& gp) {
    const sc_time enter = lookup_free_ > now() ? lookup_free_ : now();
    lookup_free_ = enter + cycle_;
    lookup_q_.push(&gp, enter + lookup_latency_);
}

void Pipeline::lookup_method() {
    while (lookup_q_.ready()) {
        Payload* gp = lookup_q_.pop();
        if (tlmx::attr(*gp).message != tlmx::Message::None) {
            page_request(*gp);
            left(*gp);
            respond(*gp);
            continue;
        }
        const Request r = request_of(*gp);
        Result res;
        if (unit_.lookup(r, res)) {
            ++lookup_answered_;
            resolve(*gp, res);
        } else {
            ++lookup_missed_;
            miss(*gp, r);
        }
    }
}

// ---- timing mode: walks ------------------------------------------------------------

void Pipeline::miss(Payload& gp, const Request& r) {
    const PageKey key = page_key(r);
    if (pool_.request(key, &gp) != WalkerPool<PageKey, Payload*>::Outcome::Started) return;
    const unsigned slot = unsigned(pool_.slot_of(key));
    slot_page_[slot] = key;
    start_walk(slot);
}

void Pipeline::start_walk(unsigned slot) {
    slot_started_[slot] = now();
    count(tl_walks_out_, ++walks_out_);
    walks_[slot] = &unit_.begin_walk(slot, request_of(*pool_.leader(slot)));
    next_step(slot);
}

// A walk's next read issues after the step cycles; a finished walk answers now.
void Pipeline::next_step(unsigned slot) {
    if (walks_[slot]->done()) return finish_walk(slot);
    step_q_.push(slot, now() + step_latency_);
}

void Pipeline::step_method() {
    while (step_q_.ready()) {
        const unsigned slot = step_q_.pop();
        reads_[slot]->prepare(*walks_[slot], unit_.walk_snoops(*walks_[slot]));
        send_down(reads_[slot]->gp);
    }
}

void Pipeline::walk_read_done(unsigned slot) {
    const Payload& gp = reads_[slot]->gp;
    walks_[slot]->supply(reads_[slot]->data, gp.is_response_ok());
    next_step(slot);
}

// The walk's requester gets its result, requests that joined it theirs; the slot
// takes the oldest waiting page, if any.
void Pipeline::finish_walk(unsigned slot) {
    announce_output(*walks_[slot]);
    const Result res = unit_.end_walk(slot);
    walk_latency_.sample(tlmx::ns(now() - slot_started_[slot]));
    count(tl_walks_out_, --walks_out_);
    if (timeline_) trace_walk(slot_started_[slot].value(), now().value());
    done_.clear();
    PageKey next;
    const bool started = pool_.complete(slot_page_[slot], done_, &next);
    for (size_t i = 0; i < done_.size(); ++i)
        resolve(*done_[i], i == 0 ? res : unit_.merged(request_of(*done_[i]), res));
    walk_track_ = 0;
    if (!started) return;
    slot_page_[slot] = next;
    start_walk(slot);
}

// ---- timing mode: leaving ----------------------------------------------------------

void Pipeline::resolve(Payload& gp, const Result& res) {
    if (res.stall) return park(gp, res);
    translation_latency_.sample(
        double(now().value() - tlmx::attr(gp).iommu_in_ps) / 1000.0);
    if (timeline_) trace_translation(gp, tlmx::attr(gp).iommu_in_ps, now().value(), res);
    if (tlmx::attr(gp).at == tlmx::AddressType::Untranslated) {
        tell(tlmx::attr(gp).requester_id, tlmx::attr(gp).iova, res);
    } else if (tell_ats(gp, request_of(gp), res)) {  // a Translation Request: answered
        left(gp);
        return respond(gp);
    }
    if (res.fault) {
        ++faulted_;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        left(gp);
        return respond(gp);
    }
    gp.set_address(res.pa);
    tlmx::attr(gp).snoop = res.snoop;
    send_down(gp);
}

void Pipeline::send_down(Payload& gp) {
    out_.push_back(&gp);
    if (!down_pending_) down_method();
}

// One BEGIN_REQ at a time toward memory; the next goes when memory ends the last.
void Pipeline::down_method() {
    while (!down_pending_ && !out_.empty()) {
        Payload* gp = out_.front();
        out_.pop_front();
        tlm_phase ph = tlm::BEGIN_REQ;
        sc_time d = sc_core::SC_ZERO_TIME;
        if (downstream->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED)
            down_pending_ = gp;
        else
            left(*gp);
    }
}

tlm_sync_enum Pipeline::bw(Payload& gp, tlm_phase& ph, sc_time&) {
    if (ph == tlm::END_REQ) {
        Payload* accepted = down_pending_;
        down_pending_ = nullptr;
        left(*accepted);
        down_kick_.notify(sc_core::SC_ZERO_TIME);  // not re-entering memory from its call
        return tlm::TLM_ACCEPTED;
    }
    if (const WalkTag* tag = gp.get_extension<WalkTag>()) {
        walk_read_done(tag->slot);
    } else {
        gp.set_address(tlmx::attr(gp).iova);
        respond(gp);
    }
    return tlm::TLM_COMPLETED;
}

// A DMA request has left the unit (to memory, or faulted): its input-queue entry
// frees and a request held at the root complex may enter.
void Pipeline::left(Payload& gp) {
    if (is_walk_read(gp)) return;
    --occupancy_;
    count(tl_queue_, occupancy_);
    if (!held_) return;
    Payload* next = held_;
    held_ = nullptr;
    admit(*next);
    tlm_phase ph = tlm::END_REQ;
    sc_time d = sc_core::SC_ZERO_TIME;
    upstream->nb_transport_bw(*next, ph, d);
}

void Pipeline::respond(Payload& gp) {
    tlm_phase ph = tlm::BEGIN_RESP;
    sc_time d = sc_core::SC_ZERO_TIME;
    upstream->nb_transport_bw(gp, ph, d);
}

// ---- atomic mode -------------------------------------------------------------------

void Pipeline::end_of_elaboration() { memory_.resolve(downstream); }

IOMMU_SIM_HOT_PATH void Pipeline::b_transport(Payload& gp, sc_time& delay) {
    tlmx::PcieAttr& a = tlmx::attr(gp);
    if (a.message != tlmx::Message::None) {
        delay += lookup_latency_;
        return page_request(gp);
    }
    ++requests_;
    const Request r = request_of(gp, a);
    const sc_time start = delay;
    Result res;
    do {  // a stalled transaction retried is looked up again
        delay += lookup_latency_;
        if (unit_.lookup(r, res)) {
            ++lookup_answered_;
            wanted_ = false;
        } else {
            ++lookup_missed_;
            wanted_ = reads_ahead_;
            res = atomic_walk(r, delay);
        }
    } while (res.stall && atomic_stall_end(res.stag, delay));
    res.stall = false;  // terminated: a fault
    if (timeline_) {
        a.iova = r.iova;
        a.iommu_in_ps = (now() + start).value();  // the device's flow starts here
        trace_translation(gp, (now() + start).value(), (now() + delay).value(), res);
        walk_track_ = 0;
    }
    if (r.at == At::Untranslated)
        tell(r.sid, r.iova, res);
    else if (tell_ats(gp, r, res))
        return;  // a Translation Request: answered
    if (res.fault) {
        ++faulted_;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    a.iova = r.iova;
    a.snoop = res.snoop;
    gp.set_address(res.pa);
    memory_.b_transport(downstream, gp, delay);
    gp.set_address(a.iova);
}

Result Pipeline::atomic_walk(const Request& r, sc_time& delay) {
    const sc_time start = delay;
    Walk& w = unit_.begin_walk(0, r);
    Payload& gp = reads_[0]->gp;
    while (!w.done()) {
        delay += step_latency_;
        reads_[0]->prepare(w, unit_.walk_snoops(w));
        memory_.b_transport(downstream, gp, delay);
        w.supply(reads_[0]->data, gp.is_response_ok());
    }
    announce_output(w);
    walk_latency_.sample(tlmx::ns(delay - start));
    if (timeline_) trace_walk((now() + start).value(), (now() + delay).value());
    return unit_.end_walk(0);
}

namespace {
Request request_ahead(const tlmx::LookAhead::Access& a) {
    Request r;
    r.sid = a.requester_id;
    r.iova = a.address;
    r.read = a.read;
    r.write = !a.read;
    r.pasid_valid = a.pasid_valid;
    r.pasid = a.pasid;
    return r;
}
}  // namespace

void Pipeline::next_access(const tlmx::LookAhead::Access& a) const {
    const uint64_t pa = unit_.walk_read_ahead(request_ahead(a));
    if (host_ && pa != Translator::kNoReadAhead) host_->prefetch_read(pa);
}

void Pipeline::next_translation(const tlmx::LookAhead::Access& a) const {
    const uint64_t pa = unit_.output_ahead(request_ahead(a));
    if (host_ && pa != Translator::kNoReadAhead) host_->prefetch(pa);
}

// The data access that follows a translating walk misses the host's caches when the
// window is large; announced now, the miss overlaps the walk's end.
void Pipeline::announce_output(const Walk& w) const {
    const Result* r = w.outcome();
    if (host_ && r && !r->fault) host_->prefetch(r->pa);
}

// The walk's span; the translations it answers link to it (trace_translation).
void Pipeline::trace_walk(uint64_t start_ps, uint64_t end_ps) {
    walk_track_ = timeline_->lane_span(tl_walk_, "walk", start_ps, end_ps);
    walk_start_ps_ = start_ps;
    walk_end_ps_ = end_ps;
}

// ---- stalls (both modes) ------------------------------------------------------------

void Pipeline::stall_seen() {
    if (stall_attached_) return;
    stall_attached_ = true;
    add_child("", stall_);
}

// The unit ends a stall: parked already, the transaction goes on from a method of its
// own (never inside the unit's command); not yet parked, the end waits for park().
void Pipeline::stall_end(uint16_t stag, bool retry) {
    const auto it = parked_.find(stag);
    if (it == parked_.end()) {
        stall_ends_[stag] = retry;
        stall_ended_.notify(sc_core::SC_ZERO_TIME);
        return;
    }
    it->second.retry = retry;
    unparked_.push_back(it->second);
    parked_.erase(it);
    unpark_kick_.notify(sc_core::SC_ZERO_TIME);
}

// Timing mode: a stalled transaction keeps its input-queue entry while it waits.
void Pipeline::park(Payload& gp, const Result& res) {
    stall_seen();
    ++stall_.parked;
    const auto it = stall_ends_.find(res.stag);
    if (it == stall_ends_.end()) {
        parked_[res.stag] = Parked{&gp, res, false};
        return;
    }
    unparked_.push_back(Parked{&gp, res, it->second});
    stall_ends_.erase(it);
    unpark_kick_.notify(sc_core::SC_ZERO_TIME);
}

void Pipeline::unpark_method() {
    while (!unparked_.empty()) {
        const Parked p = unparked_.front();
        unparked_.pop_front();
        end_stall(p);
    }
}

// Retried: into the lookup stage again, as when admitted. Terminated: a fault.
void Pipeline::end_stall(const Parked& p) {
    if (p.retry) {
        ++stall_.retried;
        return enter_lookup(*p.gp);
    }
    ++stall_.terminated;
    Result res = p.res;
    res.stall = false;
    resolve(*p.gp, res);
}

// Atomic mode: waits in the device's thread until the unit ends `stag`; true: retry.
// The caller's time runs ahead of the kernel's by `delay`: the stall starts there, so
// the wait first catches the kernel up (software answers in simulated time).
bool Pipeline::atomic_stall_end(uint16_t stag, sc_time& delay) {
    stall_seen();
    ++stall_.parked;
    if (!stall_ends_.count(stag) && delay != sc_core::SC_ZERO_TIME) {
        sc_core::wait(delay);
        delay = sc_core::SC_ZERO_TIME;
    }
    while (!stall_ends_.count(stag)) sc_core::wait(stall_ended_);
    const bool retry = stall_ends_[stag];
    stall_ends_.erase(stag);
    ++(retry ? stall_.retried : stall_.terminated);
    return retry;
}

// ---- ATS and PRI (both modes) -------------------------------------------------------

void Pipeline::ats_seen() {
    if (ats_attached_) return;
    ats_attached_ = true;
    add_child("pcie", ats_);  // apart from the unit's own ats.* and pri.* counters
}

// Listeners hear of what reaches memory: not a Translation Request (the device asks,
// and checks nothing yet), which is answered here (true); a Translated request as the
// access it makes, at the IOVA the device translated from, so a stale ATC entry shows.
bool Pipeline::tell_ats(Payload& gp, const Request& r, const Result& res) {
    ats_seen();
    if (r.at == At::TranslationRequest) {
        complete_tr(gp, r, res);
        return true;
    }
    ++ats_.translated;
    Result access = res;
    access.read = r.read;
    access.write = r.write;
    tell(r.sid, tlmx::attr(gp).ats_iova, access);
    return false;
}

// The completion of a TR: one Translation Completion Data Entry, or Unsupported
// Request (an error completion without data).
void Pipeline::complete_tr(Payload& gp, const Request& r, const Result& res) {
    ++ats_.translation_requests;
    if (res.fault) {
        ++ats_.tr_unsupported;
        gp.set_response_status(tlm::TLM_GENERIC_ERROR_RESPONSE);
        return;
    }
    if (!res.read && !res.write) ++ats_.tr_no_access;
    const uint64_t entry = ats_completion_of(r, res);
    if (gp.get_data_length() >= 8) std::memcpy(gp.get_data_ptr(), &entry, 8);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
}

// A Page Request Message for the unit's queue; refused, the root complex answers
// the group Response Failure itself (no PRI there).
void Pipeline::page_request(Payload& gp) {
    ats_seen();
    ++ats_.page_requests;
    const tlmx::PcieAttr& a = tlmx::attr(gp);
    PageRequest pr;
    pr.sid = a.requester_id;
    pr.pasid_valid = a.pasid_valid;
    pr.pasid = a.pasid;
    pr.priv = a.privileged;
    pr.exec = a.execute;
    pr.read = a.pr_read;
    pr.write = a.pr_write;
    pr.last = a.pr_last;
    pr.prg_index = a.prg_index;
    pr.addr = gp.get_address() & ~uint64_t(0xfff);
    gp.set_response_status(tlm::TLM_OK_RESPONSE);
    if (timeline_) {
        char args[96];
        std::snprintf(args, sizeof args, "\"sid\":\"0x%04x\",\"addr\":\"0x%llx\",\"prg\":%u", pr.sid,
                      static_cast<unsigned long long>(pr.addr), unsigned(pr.prg_index));
        timeline_->instant(tl_pr_, "page request", now().value(), args);
    }
    if (unit_.page_request(pr)) return;
    ++ats_.refused;
    if (!pr.last || !unit_.endpoints) return;
    PageResponse resp;
    resp.sid = pr.sid;
    resp.pasid_valid = pr.pasid_valid;
    resp.pasid = pr.pasid;
    resp.prg_index = pr.prg_index;
    resp.code = PrgResponse::ResponseFailure;
    unit_.endpoints->page_response(resp);
}

}  // namespace iommu
