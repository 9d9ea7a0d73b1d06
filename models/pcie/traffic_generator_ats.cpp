// The ATS and PRI side of the traffic generator (traffic_generator.h): ATC lookups,
// Translation Requests, Page Request Messages, and the IOMMU's messages.
#include "models/pcie/traffic_generator.h"

#include <cstring>

#include "models/tlm/pcie_attr.h"

namespace pcie {

using sc_core::sc_time;

namespace {
constexpr uint64_t kPage = 4096;
constexpr unsigned kPrgIndices = 512;  // 9-bit PRG index
}  // namespace

void TrafficGenerator::enable_ats(bool on) {
    ats_on_ = atc_ && on;
    if (!ats_on_ && atc_) atc_->invalidate({});
}

void TrafficGenerator::enable_pri(bool on) { pri_on_ = p_.pri && on; }

// Requests wait parked for at most `tags` at a time: the device's own buffer.
bool TrafficGenerator::ats_blocked() const { return parked_.size() >= p_.tags; }

// A TLP of the device's own (TR or message): a tag for a TR, a bookkeeping number
// for a posted message, counted in flight until its completion or acknowledgement.
TrafficGenerator::Payload* TrafficGenerator::control_payload(uint32_t len, const Request& r,
                                                             bool tagged) {
    Payload* gp = pool_.acquire(len);
    tlmx::PcieAttr& a = tlmx::attr(*gp);
    set_requester(a, r);
    a.tag = take_tag(tagged);
    tags_[a.tag] = TagState{tlmx::now(), false, 0, tagged, !tagged, false};
    ++in_flight_;
    count_outstanding();
    return gp;
}

TrafficGenerator::Payload* TrafficGenerator::translation_request(const Request& r,
                                                                 const sc_time& issue) {
    ++ats_stats_->translation_requests;
    Payload* gp = control_payload(8, r, true);
    gp->set_address(r.addr & ~(kPage - 1));
    gp->set_command(tlm::TLM_READ_COMMAND);
    tlmx::PcieAttr& a = tlmx::attr(*gp);
    a.at = tlmx::AddressType::TranslationRequest;
    a.no_write = r.read;  // NW: read-only access asked for
    tags_[a.tag].issued = issue;
    if (!started_) first_issue_ = issue;
    started_ = true;
    return gp;
}

// The next request under ATS: Translated on a hit with the access it needs, a TR on
// a miss, nullptr when it parks behind a TR already out for its page.
TrafficGenerator::Payload* TrafficGenerator::ats_payload(const Request& r, const sc_time& issue) {
    const bool pv = r.fed ? r.pasid_valid : p_.pasid_valid;
    const uint32_t pasid = r.fed ? r.pasid : p_.pasid;
    if (r.untranslated) {
        ++ats_stats_->untranslated;
        return make_payload(r, issue);
    }
    if (const AtcEntry* e = atc_->lookup(pv, pasid, r.addr)) {
        const uint64_t off = r.addr & (e->size - 1);
        if (off + r.size > e->size) {  // beyond its entry: untranslated
            ++ats_stats_->untranslated;
            return make_payload(r, issue);
        }
        if (r.read ? e->r : e->w) {
            ++ats_stats_->translated;
            Payload* gp = make_payload(r, issue);
            gp->set_address(e->pa | off);
            tlmx::PcieAttr& a = tlmx::attr(*gp);
            a.at = tlmx::AddressType::Translated;
            a.ats_iova = r.addr;
            return gp;
        }
    }
    // A TR out for this page, PASID and an access this request can use: wait on it.
    for (const Parked& q : parked_) {
        if (q.on_prg || !tags_[q.key].tr || (q.r.addr ^ r.addr) >= kPage || (q.r.read && !r.read) ||
            (q.r.fed ? q.r.pasid : p_.pasid) != pasid)
            continue;
        parked_.push_back({r, false, q.key});
        return nullptr;
    }
    Payload* gp = translation_request(r, issue);
    parked_.push_back({r, false, tlmx::attr(*gp).tag});
    return gp;
}

// A Page Request Message for the oldest PRG to send: posted, no data.
TrafficGenerator::Payload* TrafficGenerator::page_request_message() {
    const PrgOut m = messages_.front();
    messages_.pop_front();
    ++ats_stats_->page_requests;
    Request r{};
    Payload* gp = control_payload(0, r, false);
    gp->set_address(m.addr);
    gp->set_command(tlm::TLM_IGNORE_COMMAND);
    tlmx::PcieAttr& a = tlmx::attr(*gp);
    a.message = tlmx::Message::PageRequest;
    a.pasid_valid = m.pasid_valid;
    a.pasid = m.pasid;
    a.pr_read = !m.write;
    a.pr_write = m.write;
    a.pr_last = true;
    a.prg_index = m.index;
    if (timeline_) timeline_->instant(pr_track_, "page request", tlmx::now().value(), "");
    return gp;
}

// What a TR's completion means for the requests parked on it.
void TrafficGenerator::tr_done(Payload& gp, const sc_time& done) {
    const tlmx::PcieAttr& a = tlmx::attr(gp);
    const uint16_t tag = a.tag;
    const TagState t = tags_[tag];
    free_tags_.push_back(tag);
    --reads_in_flight_;
    --in_flight_;
    count_outstanding();
    const uint64_t iova = gp.get_address();
    const bool write = !a.no_write, pv = a.pasid_valid;
    const uint32_t pasid = a.pasid;
    uint64_t q = 0;
    if (gp.is_response_ok()) std::memcpy(&q, gp.get_data_ptr(), 8);
    const bool ok = gp.is_response_ok();
    if (timeline_)
        trace_request(gp, ok ? "translation request" : "translation request: UR", t.issued.value(), done.value(), "");
    gp.release();
    if (!ok) {
        ++ats_stats_->unsupported;
        return unpark(false, tag, false, false, done);
    }
    if (t.stale) {
        ++ats_stats_->stale;
        return unpark(false, tag, true, false, done);
    }
    const AtcEntry e = decode_atc_entry(q);
    if (e.u || (write ? e.w : e.r)) {
        if (ats_on_) atc_->fill(pv, pasid, iova, e);
        return unpark(false, tag, true, e.u, done);
    }
    ++ats_stats_->no_access;
    if (!pri_on_) return unpark(false, tag, true, true, done);
    // A new Page Request Group of one request; its requests wait for the response.
    uint16_t index = next_prg_;
    for (unsigned i = 0; i < kPrgIndices && prg_busy_[index]; ++i) index = uint16_t((index + 1) % kPrgIndices);
    if (prg_busy_[index]) return unpark(false, tag, false, false, done);  // none free: fail
    next_prg_ = uint16_t((index + 1) % kPrgIndices);
    prg_busy_[index] = true;
    for (Parked& p : parked_)
        if (!p.on_prg && p.key == tag) p = {p.r, true, index};
    messages_.push_back({iova, pv, write, pasid, index});
    wake();
}

// Requests parked on a TR (or a PRG) go again, first in line, or fail.
void TrafficGenerator::unpark(bool on_prg, uint16_t key, bool retry, bool untranslated,
                              const sc_time& done) {
    size_t kept = 0;
    for (size_t i = 0; i < parked_.size(); ++i) {
        Parked& p = parked_[i];
        if (p.on_prg != on_prg || p.key != key) {
            parked_[kept++] = p;
            continue;
        }
        if (!retry) {
            fail(p.r, done);
            continue;
        }
        retry_.push_back(p.r);
        retry_.back().untranslated = untranslated;
    }
    parked_.resize(kept);
    wake();
}

// A request that fails without being issued: an error completion, at once.
void TrafficGenerator::fail(const Request& r, const sc_time& done) {
    ++error_completions_;
    last_done_ = std::max(last_done_, done);
    if (r.fed && fed_done_) fed_done_(r.cookie, false, true);
}

void TrafficGenerator::wake() {
    schedule(tlmx::now());
    prg_event_.notify(sc_core::SC_ZERO_TIME);
}

// Invalidate Request: the ATC drops what it names, and TRs out for an overlapping
// page will fill nothing (their completion may carry the old translation).
void TrafficGenerator::invalidate_atc(const iommu::AtsInvalidation& inv) {
    if (!atc_) return;
    atc_->invalidate(inv);
    for (const Parked& p : parked_) {
        if (p.on_prg) continue;
        TagState& t = tags_[p.key];
        const uint64_t page = p.r.addr & ~(kPage - 1);
        if (!inv.size || (page + kPage > inv.addr && page < inv.addr + inv.size)) t.stale = true;
    }
}

void TrafficGenerator::page_response(const iommu::PageResponse& r) {
    if (!ats_stats_ || r.prg_index >= kPrgIndices || !prg_busy_[r.prg_index]) return;
    const bool success = r.code == iommu::PrgResponse::Success;
    ++(success ? ats_stats_->success
               : r.code == iommu::PrgResponse::InvalidRequest ? ats_stats_->invalid : ats_stats_->failure);
    prg_busy_[r.prg_index] = false;
    unpark(true, r.prg_index, success, false, tlmx::now());
}

}  // namespace pcie
