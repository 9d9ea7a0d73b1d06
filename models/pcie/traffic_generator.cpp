#include "models/pcie/traffic_generator.h"

#include <cstdio>
#include <functional>

#include <tlm_utils/tlm_quantumkeeper.h>

#include "models/pcie/link.h"
#include "models/sim/hot_path.h"
#include "models/sim/sorted_ring.h"
#include "models/sim/time.h"
#include "models/tlm/pcie_attr.h"
#include "models/tlm/sc_ps.h"

namespace pcie {

using sc_core::sc_time;
using tlm::tlm_phase;

using tlmx::at_ps;
using tlmx::ps;

namespace {
// decide(): no time of its own to decide again; a kick will come.
const sc_time& never() {
    static const sc_time t = at_ps(~sim::ps_t(0));
    return t;
}

// The standard quantum keeper, asked whether to sync at a time the caller already has
// (need_sync() reads the kernel's time again on every request).
struct QuantumKeeper : tlm_utils::tlm_quantumkeeper {
    bool need_sync_at(sim::ps_t now) const {
        return now + m_local_time.value() >= m_next_sync_point.value();
    }
};
}  // namespace

TrafficGenerator::TrafficGenerator(sc_core::sc_module_name name, const GeneratorParams& p,
                                   uint64_t seed, tlmx::Mode mode)
    : sc_module(name),
      socket("socket"),
      p_(p),
      stream_(p, seed, std::string(basename())),
      pattern_(p.base, p.window, p.data_seed),
      interval_{sc_time::from_value(sim::ns_to_ps(p.engine_interval_ns(false))),
                sc_time::from_value(sim::ns_to_ps(p.engine_interval_ns(true)))},
      latency_(sc_time::from_value(sim::ns_to_ps(p.latency_ns))),
      next_issue_(sc_time::from_value(sim::ns_to_ps(p.start_ns))),
      engine_next_{next_issue_, next_issue_},
      atomic_(mode == tlmx::Mode::Atomic) {
    // Reads use tags 0..tags-1; posted writes have no tag on the wire, so they get
    // bookkeeping numbers above those, allocated as needed.
    for (uint32_t t = p.tags; t-- > 0;) free_tags_.push_back(uint16_t(t));
    tags_.resize(p.tags);
    if (p.posted_credits)
        credit_stalls_ = std::make_unique<sim::Counter>(*this, "credit_stalls", "",
                                                        "writes delayed: no posted credit");
    if (p.ats) {
        atc_ = std::make_unique<Atc>(p.atc, seed, std::string(basename()) + ".atc");
        add_child("atc", *atc_);
        ats_stats_ = std::make_unique<AtsStats>();
        add_child("", *ats_stats_);
        parked_.reserve(p.tags + 1);
        prg_busy_.resize(512);
    }
    if (atomic_) {
        SC_THREAD(atomic_thread);
        return;
    }
    socket.register_nb_transport_bw(this, &TrafficGenerator::bw);
    SC_METHOD(issue_method);
    sensitive << issue_event_;
    SC_METHOD(end_method);
    sensitive << ending_.event();
    dont_initialize();
    SC_METHOD(arriving_method);
    sensitive << arriving_.event();
    dont_initialize();
}

void TrafficGenerator::feed(Request r) {
    r.fed = true;
    if (r.priority)  // behind the priority requests, which are the first fed_priority_
        fed_.insert(fed_.begin() + std::ptrdiff_t(fed_priority_++), r);
    else
        fed_.push_back(r);
    // Fed before the simulation starts, the first activation finds it anyway.
    if (fed_.size() == 1 && sc_core::sc_is_running()) {
        schedule(tlmx::now());
        fed_event_.notify(sc_core::SC_ZERO_TIME);
    }
}

void TrafficGenerator::set_timeline(sim::Timeline* t) {
    timeline_ = t;
    if (!t) return;
    track_ = t->lanes(basename(), "dma", sim::Timeline::Dma);
    pr_track_ = t->track(basename(), "page requests", sim::Timeline::Dma);
    tl_outstanding_ = t->counter(basename(), "outstanding requests");
}

void TrafficGenerator::pop() {
    if (!retry_.empty())
        retry_.pop_front();
    else if (pick_ >= 0)
        ahead_[pick_].pop_front();
    else if (!stream_.done())
        stream_.advance();
    else {
        fed_priority_ -= fed_.front().priority;
        fed_.pop_front();
    }
}

void TrafficGenerator::fill() {
    auto& reads = ahead_[1];
    auto& writes = ahead_[0];
    while (!stream_.done() && (reads.empty() || writes.empty()) && reads.size() + writes.size() < kAhead) {
        ahead_[stream_.peek().read].push_back(Ahead{pulled_++, stream_.peek()});
        stream_.advance();
    }
}

void TrafficGenerator::choose(const uint64_t (&ready)[2]) {
    pick_ = -1;
    if (!retry_.empty()) return;
    // Under ATS one at a time, nothing pulled ahead: the stream's next request is next().
    if (ats_on_) return;
    fill();
    const bool reads = !ahead_[1].empty(), writes = !ahead_[0].empty();
    if (!reads && !writes) return;
    if (reads != writes)
        pick_ = reads;
    else if (ready[0] != ready[1])
        pick_ = ready[1] < ready[0];
    else
        pick_ = ahead_[1].front().seq < ahead_[0].front().seq;
}

TrafficGenerator::Payload* TrafficGenerator::make_payload(const Request& r,
                                                          const sc_time& issue) {
    Payload* gp = pool_.acquire(r.size);
    gp->set_address(r.addr);
    gp->set_command(r.read ? tlm::TLM_READ_COMMAND : tlm::TLM_WRITE_COMMAND);
    if (!r.read) pattern_.fill(r.addr, gp->get_data_ptr(), r.size);
    tlmx::PcieAttr& a = tlmx::attr(*gp);
    set_requester(a, r);
    a.no_snoop = r.fed ? r.no_snoop : p_.no_snoop;
    a.relaxed_ordering = p_.relaxed_ordering;
    a.tag = take_tag(r.read);
    tags_[a.tag] = TagState{issue, r.fed, r.cookie};
    ++in_flight_;
    if (timeline_) {
        a.flow = timeline_->new_flow();
        count_outstanding();
    }
    if (!started_) first_issue_ = issue;
    started_ = true;
    if (issued_) issued_(*gp, issue);
    return gp;
}

// Who asks, for every TLP the device sends: a fed request carries its own PASID
// prefix, a synthetic one the device's parameters.
void TrafficGenerator::set_requester(tlmx::PcieAttr& a, const Request& r) const {
    a.requester_id = uint16_t(p_.requester_id);
    a.pasid_valid = r.fed ? r.pasid_valid : p_.pasid_valid;
    a.pasid = r.fed ? r.pasid : p_.pasid;
    a.privileged = r.fed ? r.privileged : p_.privileged;
    a.execute = r.fed ? r.execute : p_.execute;
    a.traffic_class = uint8_t(p_.traffic_class);
}

uint16_t TrafficGenerator::take_tag(bool read) {
    ++(read ? reads_in_flight_ : writes_in_flight_);
    if (free_tags_.empty()) {  // only writes get here: read tags are bounded by p_.tags
        free_tags_.push_back(uint16_t(tags_.size()));
        tags_.emplace_back();
    }
    const uint16_t t = free_tags_.back();
    free_tags_.pop_back();
    return t;
}

// Whether the request's engine has no tag (reads) or posted credit (writes) free.
bool TrafficGenerator::engine_full(bool read) const {
    // At or over: posted messages (PRI) take credits without waiting for one.
    return read ? reads_in_flight_ >= p_.tags
                : p_.posted_credits && writes_in_flight_ >= p_.posted_credits;
}

void TrafficGenerator::arrive(Payload& gp, const sc_time& at) {
    const tlmx::PcieAttr& a = tlmx::attr(gp);
    const TagState t = tags_[a.tag];
    if (t.tr) return tr_done(gp, at);
    free_tags_.push_back(a.tag);
    if (t.message) {  // a posted message's acknowledgement: its posted credit back
        --writes_in_flight_;
        --in_flight_;
        count_outstanding();
        return gp.release();
    }
    --(gp.is_read() ? reads_in_flight_ : writes_in_flight_);
    if (atomic_ || latency_ == sc_core::SC_ZERO_TIME) return complete(gp, t, at + latency_);
    ending_.push(Ending{&gp, t}, at + latency_);
}

void TrafficGenerator::end_method() {
    while (ending_.ready()) {
        const Ending e = ending_.pop();
        complete(*e.gp, e.t, tlmx::now());
    }
}

void TrafficGenerator::complete(Payload& gp, const TagState& t, const sc_time& done) {
    const tlmx::PcieAttr& a = tlmx::attr(gp);
    if (a.at == tlmx::AddressType::Translated) gp.set_address(a.ats_iova);
    const double latency_ns = tlmx::ns(done - t.issued);
    --in_flight_;
    count_outstanding();
    last_done_ = std::max(last_done_, done);
    const uint32_t n = gp.get_data_length();
    bool data_ok = true;
    if (!gp.is_response_ok()) {
        ++error_completions_;
    } else if (gp.is_read()) {
        ++reads_;
        read_bytes_ += n;
        read_latency_.sample(latency_ns);
        data_ok = check_read(gp, t);
        if (!data_ok) ++data_errors_;
    } else {
        ++writes_;
        write_bytes_ += n;
        write_latency_.sample(latency_ns);
    }
    if (t.fed) complete_fed(gp, t, done, data_ok);
    if (timeline_) trace_completion(gp, t, done, n);
    gp.release();
}

void TrafficGenerator::trace_completion(const Payload& gp, const TagState& t, const sc_time& done, uint32_t bytes) {
    char args[96];
    std::snprintf(args, sizeof args, "\"addr\":\"0x%llx\",\"bytes\":%u,\"ok\":%s",
                  static_cast<unsigned long long>(gp.get_address()), bytes, gp.is_response_ok() ? "true" : "false");
    trace_request(gp, gp.is_read() ? "read" : "write", t.issued.value(), done.value(), args);
}

// The request's span on the lowest free lane, and the start of its flow to the IOMMU's
// translation, when the IOMMU took it (the translation's span holds the flow's end).
void TrafficGenerator::trace_request(const Payload& gp, const char* name, uint64_t issued_ps, uint64_t done_ps,
                                     const std::string& args) {
    const int lane = timeline_->lane_span(track_, name, issued_ps, done_ps, args);
    const tlmx::PcieAttr& a = tlmx::attr(const_cast<Payload&>(gp));
    if (lane && a.iommu_in_ps > issued_ps && a.iommu_in_ps < done_ps) timeline_->flow_start(lane, a.flow, a.iommu_in_ps);
}

// A synthetic read must match the pattern everywhere; a fed one where this device
// wrote before issuing it.
bool TrafficGenerator::check_read(const Payload& gp, const TagState& t) {
    if (!p_.verify) return true;
    const uint64_t addr = gp.get_address();
    if (!t.fed) return pattern_.matches(addr, gp.get_data_ptr(), gp.get_data_length());
    bool ok = true;
    written_.for_each_before(addr, gp.get_data_length(), t.issued.value(),
                             [&](uint64_t a, uint64_t len) {
                                 verified_bytes_ += len;
                                 ok &= pattern_.matches(a, gp.get_data_ptr() + (a - addr), len);
                             });
    return ok;
}

void TrafficGenerator::complete_fed(const Payload& gp, const TagState& t, const sc_time& done,
                                    bool data_ok) {
    if (gp.is_write() && gp.is_response_ok())
        written_.record(gp.get_address(), gp.get_data_length(), done.value());
    if (fed_done_) fed_done_(t.cookie, gp.is_response_ok(), data_ok);
}

// ---- timing mode -------------------------------------------------------------------

// Decides as an activation at `now` would, unless it is one the device no longer wants
// (a decision taken ahead of a completion's arrival moved its wake later, wake_at_).
void TrafficGenerator::issue_method() {
    const sc_time kernel = tlmx::now();
    // A completion arriving now counts for this decision, whichever process the kernel
    // runs first (as a tag taken ahead counts from its arrival on: retire).
    while (arriving_.ready())
        if (take_arrival(*arriving_.pop())) wake_at_ = std::min(wake_at_, kernel);
    // A kick in an earlier delta cycle asks for this activation whatever wake_at_ says.
    const bool kicked = kick_delta_ < sc_core::sc_delta_count();
    if (kicked) kick_delta_ = kNoKick;
    if (!kicked && kernel < wake_at_) {
        if (wake_at_ != never()) issue_event_.notify(wake_at_ - kernel);
        return;
    }
    wake_at_ = never();
    run_from(kernel);
}

// Decides at `t`; with a horizon set, goes on deciding at the next time it would wake
// for as long as nothing before then can change the decision (can_run_ahead), sending
// those requests with their issue time annotated. A tag taken ahead wakes the device at
// its arrival, as the completion's arrival would.
void TrafficGenerator::run_from(sc_time t) {
    for (;;) {
        sc_time next = decide(t);
        // A tag freeing before then is a kick at its arrival.
        if (!freeing_.empty() && at_ps(freeing_.front().at) > t) next = std::min(next, at_ps(freeing_.front().at));
        if (next == never()) return;  // a completion, END_REQ or a feed wakes us
        if (next == t || !can_run_ahead(next)) return schedule(next);
        t = next;
    }
}

// Asks for an activation at `t` (the kernel keeps the earliest asked for).
void TrafficGenerator::schedule(const sc_time& t) {
    const sc_time now = tlmx::now();
    // A kick (now) activates the device in the next delta cycle even if it runs in
    // this one too, as the kernel's delta notification does.
    if (t == now) kick_delta_ = std::min(kick_delta_, sc_core::sc_delta_count());
    wake_at_ = std::min(wake_at_, t);
    issue_event_.notify(t - now);
}

// Until `next`, only completions reach this device: they free tags and credits, which
// changes nothing while neither engine is full (a kick then picks as this activation
// did), and nothing else may look in between: no ATS (its enable, invalidations and
// page responses come at any time), no timeline or issue callback (they record times as
// they happen), the synthetic stream only (a request may be fed at any time). (A request
// the link holds makes decide() return never(), so `next` implies none is held.)
bool TrafficGenerator::can_run_ahead(const sc_time& next) const {
    return next < horizon_ && pick_ >= 0 && !p_.ats && !timeline_ && !issued_ &&
           reads_in_flight_ - freed_by(next) < p_.tags && !engine_full(false);
}

// One activation's decision at time `now` (the kernel's, or later when running ahead):
// returns when to decide again, or never() to wait for a kick.
sc_time TrafficGenerator::decide(const sc_time& now) {
    if (req_busy_) return never();
    retire(now);
    if (!messages_.empty()) return send(page_request_message(), now);
    if (!has_next()) return never();
    uint64_t when[2];
    for (bool d : {false, true})
        when[d] = engine_full(d) ? ~uint64_t(0) : std::max(now, engine_next_[d]).value();
    choose(when);
    // A write waiting for a credit behind the chosen read still needs the kick.
    if (pick_ >= 0 && !ahead_[0].empty() && engine_full(false)) credit_stalled_ = true;
    const Request& r = next();
    const sc_time ready = std::max(next_issue_, engine_next_[r.read]);
    if (now < ready) return ready;
    // Under ATS a write may need a Translation Request, which holds a tag.
    if ((r.read || ats_on_) && engine_full(true)) {
        ++tag_stalls_;
        return never();  // bw() kicks us when a tag frees
    }
    if (!r.read && engine_full(false)) {
        ++*credit_stalls_;
        credit_stalled_ = true;
        return never();  // bw() kicks us when a credit frees
    }
    if (ats_on_ && ats_blocked()) return never();  // a completion or response unparks and wakes us
    // A fed request waits for its time; checked last, so a request recorded as issued
    // when a tag freed is issued on that same activation again.
    if (now < at_ps(r.at_ps)) return at_ps(r.at_ps);
    const bool read = r.read;
    Payload* gp = ats_on_ ? ats_payload(r, now) : make_payload(r, now);
    pop();
    // The last request: the run lasts until the completions taken ahead have arrived
    // (in timing mode only those end later than now).
    if (!synthetic_left() && last_done_ > tlmx::now()) tail_event_.notify(last_done_ - tlmx::now());
    if (!gp) return now;  // parked behind a TR: again in the next delta cycle
    engine_next_[read] = now + interval_[read];
    return send(gp, now);
}

// Sends at `now` (annotated as a delay when ahead of the kernel); returns when the link
// port is free again, or never() when the link holds the request (END_REQ wakes us).
sc_time TrafficGenerator::send(Payload* gp, const sc_time& now) {
    const sc_time kernel = tlmx::now();
    next_issue_ = now;
    tlm_phase ph = tlm::BEGIN_REQ;
    sc_time d = now - kernel;
    if (socket->nb_transport_fw(*gp, ph, d) == tlm::TLM_ACCEPTED) {
        req_busy_ = true;  // END_REQ comes through bw()
        return never();
    }
    // END_REQ returned with the time the link needs to send our TLPs.
    next_issue_ = std::max(next_issue_, kernel + d);
    return next_issue_;
}

tlm::tlm_sync_enum TrafficGenerator::bw(Payload& gp, tlm_phase& ph, sc_time& d) {
    if (ph == tlm::END_REQ) {  // the link took our held-back request; it ends after d
        req_busy_ = false;
        next_issue_ = std::max(next_issue_, tlmx::now() + d);
        schedule(next_issue_);
        return tlm::TLM_ACCEPTED;
    }
    // A completion, with the time it takes to reach us annotated; one due now goes
    // behind those due already.
    const sc_time at = tlmx::now() + d;
    if (d == sc_core::SC_ZERO_TIME && !arriving_.due_by(at))
        arrive_now(gp);
    else if (takes_ahead(gp, at))
        take_ahead(gp, at);
    else
        arriving_.push(&gp, at);
    return tlm::TLM_COMPLETED;
}

void TrafficGenerator::arriving_method() {
    while (arriving_.ready()) arrive_now(*arriving_.pop());
}

void TrafficGenerator::arrive_now(Payload& gp) {
    if (take_arrival(gp)) schedule(tlmx::now());
}

// Returns whether the device is to decide again (a read's tag, or a credit a write
// waits for).
bool TrafficGenerator::take_arrival(Payload& gp) {
    const bool kick = gp.is_read() || credit_stalled_;
    credit_stalled_ = false;
    arrive(gp, tlmx::now());
    return kick;
}

// A synthetic request's completion may be taken as soon as the link knows its arrival
// `at` when nothing the device does before `at` could see the difference: its
// statistics are known now. A read's tag is counted free only by decisions at or after
// `at` (retire): reads reach the device in the order they arrive (memory hands
// responses back in completion order and the link's down lane is FIFO), so at `at`
// every earlier read completion is known already. A write's completion matters to no
// decision without posted credits: its slot frees at once. Not under ATS, a timeline
// or an issue callback (they see completions as they happen), nor for the run's end
// (the horizon), nor once the synthetic stream is all issued (a fed request's decision
// may change with any feed; the run lasts until the last completion arrives).
bool TrafficGenerator::takes_ahead(Payload& gp, const sc_time& at) const {
    return at + latency_ < horizon_ && arriving_.empty() && !p_.ats && !timeline_ && !issued_ &&
           !p_.posted_credits && synthetic_left() && !tags_[tlmx::attr(gp).tag].fed;
}

// Completes the request now; for a read, decides as its arrival's kick would, at once,
// unless the device is to decide before `at` anyway (its wake then counts the tag by
// `at`).
void TrafficGenerator::take_ahead(Payload& gp, const sc_time& at) {
    const uint16_t tag = tlmx::attr(gp).tag;
    if (!gp.is_read()) {
        free_tags_.push_back(tag);
        --writes_in_flight_;
        return complete(gp, tags_[tag], at + latency_);
    }
    freeing_.push(Freeing{at.value(), tag});
    complete(gp, tags_[tag], at + latency_);
    if (wake_at_ < at) return;
    wake_at_ = never();
    run_from(at);
}

// Read tags whose completions arrived by `t`.
void TrafficGenerator::retire(const sc_time& t) {
    while (!freeing_.empty() && freeing_.front().at <= t.value()) {
        free_tags_.push_back(freeing_.pop_front().tag);
        --reads_in_flight_;
    }
}

uint32_t TrafficGenerator::freed_by(const sc_time& t) const {
    uint32_t n = 0;
    while (n < freeing_.size() && freeing_[n].at <= t.value()) ++n;
    return n;
}

// ---- atomic mode -------------------------------------------------------------------

void TrafficGenerator::end_of_elaboration() { link_.resolve(socket); }

// The stream's next request, unless a retry goes first or ATS translates it.
void TrafficGenerator::announce_next(bool translation) const {
    if (!retry_.empty() || stream_.done() || ats_on_) return;
    tlmx::LookAhead::Access a;
    a.requester_id = uint16_t(p_.requester_id);
    a.pasid_valid = p_.pasid_valid;
    a.pasid = p_.pasid;
    a.address = stream_.peek().addr;
    a.read = stream_.peek().read;
    if (translation)
        look_ahead_->next_translation(a);
    else
        look_ahead_->next_access(a);
}

IOMMU_SIM_HOT_PATH void TrafficGenerator::atomic_thread() {
    QuantumKeeper qk;
    qk.reset();
    // By engine ([read]): arrival times (ps) of its requests in flight, earliest first.
    sim::SortedRing<sim::ps_t> done_at[2];
    const size_t limit[2] = {p_.posted_credits ? p_.posted_credits : ~size_t(0), p_.tags};
    sim::ps_t t = next_issue_.value();  // absolute issue time of the next request
    for (;;) {
        if (!messages_.empty()) {  // a Page Request Message goes first
            sc_time delay = qk.get_local_time();
            Payload* gp = page_request_message();
            link_.b_transport(socket, *gp, delay);
            arrive(*gp, tlmx::now() + delay);
            continue;
        }
        if (!has_next()) {  // wait for requests to be fed (or a PRG response)
            qk.sync();
            // Fed while syncing, the notification found this thread not waiting for it.
            if (!has_next() && messages_.empty()) wait(fed_event_ | prg_event_);
            t = std::max(t, ps(tlmx::now()));
            continue;
        }
        // Nothing is pulled ahead in this mode (pick_ stays -1, no choose()): next() is
        // the oldest retry or the stream's next request.
        // Under ATS a write may need a Translation Request, which holds a tag.
        const bool read = next().read;
        for (bool engine : {false, true}) {
            if (engine != read && !(engine && ats_on_)) continue;
            while (done_at[engine].size() >= limit[engine]) {
                t = std::max(t, done_at[engine].pop_front());
            }
        }
        t = std::max({t, ps(engine_next_[read]), next().at_ps});
        sim::ps_t now = ps(tlmx::now());
        if (t > now + qk.get_local_time().value()) qk.set(at_ps(t - now));
        if (qk.need_sync_at(now)) {
            qk.sync();
            now = ps(tlmx::now());
        }
        sc_time delay = qk.get_local_time();
        const sc_time issue = at_ps(now + delay.value());
        Payload* gp = ats_on_ ? ats_payload(next(), issue) : make_payload(next(), issue);
        pop();
        if (!gp) continue;  // parked (not in this mode: its TRs complete at once)
        if (look_ahead_ && look_ahead_->wanted()) announce_next(false);
        const bool tagged = gp->is_read();
        link_.b_transport(socket, *gp, delay);
        if (look_ahead_ && look_ahead_->wanted()) announce_next(true);
        const sc_time done = tlmx::now() + delay;  // a target may have waited
        if (tagged || p_.posted_credits) done_at[tagged].push(done.value());
        arrive(*gp, done);
        engine_next_[read] = at_ps(t) + interval_[read];
    }
}

}  // namespace pcie


