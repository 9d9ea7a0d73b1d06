// PCIe ATS at the SMMU (IHI 0070 §3.9.1 "ATS Interface", §5.2 STE.EATS, §6.3
// SMMU_CR0.ATSCHK): what a Translation Request (TR) and a Translated request get.
//
// - TR (§3.9.1.2): refused with UR where ATS is disabled — SMMUEN == 0, STE.Config
//   0b000 (no event), bypass or effective EATS 0b00 (F_BAD_ATS_TREQ). Otherwise
//   translated at every enabled stage; an Address Size, Access, Translation or
//   Permission fault answers Success with R == W == 0 (size STU) and records nothing;
//   a Permission fault on a write or execute request grants what the tables allow
//   (read). Configuration errors terminate it, recorded only with CR2.REC_CFG_ATS.
// - Translated (§3.9.1.3): aborted with F_TRANSL_FORBIDDEN when SMMUEN == 0; with
//   ATSCHK == 0 it passes after an address size check; with ATSCHK == 1 the STE
//   decides: Config 0b000 aborts silently, bypass or effective EATS 0b00 is
//   F_TRANSL_FORBIDDEN, full ATS passes, split-stage ATS translates at stage 2.
//
// Split-stage ATS (EATS 0b10, §13.6.3): a TR walks both stages (the permissions come
// from both) and is answered with stage 1's output, the IPA; it never hits the TLB,
// whose entries hold PAs.
//
// The spec answers configuration errors with Completer Abort, not UR; Result::fault
// cannot say which, its reason (the event ID) can.
#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"

namespace smmuv3 {
namespace {

using iommu::At;

iommu::Result refused(uint8_t reason, bool record) {
    iommu::Result out;
    out.fault = true;
    out.reason = reason;
    out.record = record;
    return out;
}

// The fields of an F_BAD_ATS_TREQ / F_TRANSL_FORBIDDEN record (§7.3, Access layout).
Event access_event(const iommu::Request& r, uint8_t id) {
    Event e;
    e.id = id;
    e.sid = r.sid;
    e.ssv = r.pasid_valid;
    e.ssid = r.pasid_valid ? r.pasid : 0;
    e.rnw = !r.write;
    e.pnu = r.priv;
    e.ind = r.exec;
    e.input_addr = r.iova;
    return e;
}

// §3.9.1.2 table: the faults a TR answers with Success, R == W == 0.
bool translation_fault(uint8_t id) {
    return id == event::F_TRANSLATION || id == event::F_ADDR_SIZE || id == event::F_ACCESS ||
           id == event::F_PERMISSION;
}

}  // namespace

// The Smallest Translation Unit (§3.9.1): the smallest granule IDR5 lists.
uint64_t SmmuUnit::stu() const { return caps_.gran4k ? 4096 : caps_.gran16k ? 16384 : 65536; }

// What needs no STE: a disabled SMMU, an SMMU without ATS (§5.2: "No ATS requests can
// be made, nor Translated traffic passed"), and Translated traffic with ATSCHK == 0.
bool SmmuUnit::ats_precheck(const iommu::Request& r, iommu::Result& out, Event& e, bool& record) const {
    const bool tr = r.at == At::TranslationRequest;
    const uint8_t refusal = tr ? event::F_BAD_ATS_TREQ : event::F_TRANSL_FORBIDDEN;
    if (!enabled() || !caps_.ats) {
        out = refused(refusal, true);
        e = access_event(r, refusal);
        record = true;
        return true;
    }
    if (tr || (cr0_ & cr0::ATSCHK)) return false;
    return ats_answer(AtsRoute::Pass, r, out, e, record);
}

// §5.2 STE.EATS and §3.9.1.2/3: the route of an ATS request under a legal STE. The
// effective EATS is 0b00 for bypass, and for split-stage while ATSCHK == 0.
SmmuUnit::AtsRoute SmmuUnit::ats_route(const Ste& ste, const iommu::Request& r) const {
    const bool tr = r.at == At::TranslationRequest;
    if (ste.abort()) return AtsRoute::Abort;
    unsigned eats = ste.bypass() ? unsigned(eats::ABORT) : ste.eats;
    if (eats == eats::SPLIT && !(cr0_ & cr0::ATSCHK)) eats = eats::ABORT;
    if (eats == eats::ABORT) return tr ? AtsRoute::BadRequest : AtsRoute::Forbidden;
    if (eats == eats::SPLIT) return tr ? AtsRoute::SplitTranslate : AtsRoute::StageTwo;
    return tr ? AtsRoute::Translate : AtsRoute::Pass;
}

// The answers a route gives without a translation; false for Translate and StageTwo.
bool SmmuUnit::ats_answer(AtsRoute route, const iommu::Request& r, iommu::Result& out, Event& e,
                          bool& record) const {
    e = Event{};
    record = false;
    switch (route) {
        case AtsRoute::Translate: case AtsRoute::SplitTranslate: case AtsRoute::StageTwo: return false;
        case AtsRoute::Pass:
            // §3.9.1.1: bits above the OAS abort without an event (the IMPLEMENTATION
            // DEFINED choice the model makes, rather than truncating).
            if (caps_.oas_bits() < 64 && (r.iova >> caps_.oas_bits())) {
                out = refused(event::F_ADDR_SIZE, false);
                return true;
            }
            out = iommu::untranslated(r);
            return true;
        case AtsRoute::Forbidden: case AtsRoute::BadRequest: {
            const uint8_t id = route == AtsRoute::Forbidden ? event::F_TRANSL_FORBIDDEN : event::F_BAD_ATS_TREQ;
            out = refused(id, true);
            e = access_event(r, id);
            record = true;
            return true;
        }
        case AtsRoute::Abort: out = refused(event::F_STREAM_DISABLED, false); return true;
    }
    return false;
}

// The lookup stage for ATS requests: answers from the cached STE, or a TLB hit.
bool SmmuUnit::ats_lookup(const iommu::Request& r, iommu::Result& out) {
    Event e;
    bool record = false;
    if (ats_precheck(r, out, e, record)) return report(r, out, e, record), true;
    const ConfigValue* s = config_cache_.lookup({r.sid, 0, false});
    if (!s) return false;
    const AtsRoute route = ats_route(s->ste, r);
    if (ats_answer(route, r, out, e, record)) return report(r, out, e, record), true;
    if (route == AtsRoute::SplitTranslate) return false;
    iommu::Request q = r;
    if (route == AtsRoute::StageTwo) q.priv = q.exec = q.pasid_valid = false;  // as begin() takes it
    if (!cached_translation(s->ste, q, route == AtsRoute::Translate && s->ste.stage1(), out)) return false;
    if (r.at == At::TranslationRequest) grant(r, out);
    report(r, out, {}, false);
    return true;
}

// A TR's translation fault ends the walk with Success, R == W == 0, one STU, and no
// event (§3.9.1.2; also stage 2 faults on a CD fetch or stage 1 table walk).
bool SmmuUnit::ats_deny(WalkSlot& w, uint8_t id) {
    if (w.request.at != At::TranslationRequest || !translation_fault(id)) return false;
    w.result = iommu::Result{};
    w.result.page_size = stu();
    w.result.read = w.result.write = false;
    w.event = Event{};
    w.record = false;
    w.walked = false;
    w.phase = WalkSlot::Phase::Done;
    return true;
}

// §3.9.1.2 F_PERMISSION: "R, W and Exe permission is granted, where requested, from
// available translation table permissions": a TR refused write or execute asks again
// for read alone (a stage 2 fault on a stage 1 table fetch stays R == W == 0).
bool SmmuUnit::ats_retry_read_only(WalkSlot& w, const Fault& f) {
    iommu::Request& r = w.request;
    if (r.at != At::TranslationRequest || f.event != event::F_PERMISSION || f.during_s1_walk()) return false;
    if (!r.write && !r.exec) return false;
    walk_reads_ += w.vmsa.reads();
    walk_writes_ += w.vmsa.writes();
    r.write = r.exec = false;
    start_table_walk(w);
    return true;
}

// Configuration errors of ATS requests (§3.9.1.2, §3.9.1.3 tables) are recorded only
// with IDR0.ATSRECERR and CR2.REC_CFG_ATS; for a Translated request C_BAD_STREAMID does
// not depend on CR2.RECINVSID. C_BAD_CD is not in the spec's lists; it is taken as the
// configuration error it is. Faults of a split-stage stage 2 walk record as usual.
bool SmmuUnit::ats_records(const iommu::Request& r, uint8_t id, bool record) const {
    if (r.at == At::Untranslated) return record;
    switch (id) {
        case event::C_BAD_STREAMID:
            if (r.at == At::Translated) record = true;
            break;
        case event::F_STE_FETCH: case event::C_BAD_STE: case event::C_BAD_SUBSTREAMID: case event::F_STREAM_DISABLED:
        case event::F_CD_FETCH: case event::C_BAD_CD: case event::F_VMS_FETCH: case event::F_CFG_CONFLICT:
            break;
        case event::F_WALK_EABT: case event::F_TLB_CONFLICT:
            if (r.at == At::TranslationRequest) break;
            return record;
        default: return record;
    }
    return record && caps_.atsrecerr && (reg(reg::CR2) & cr2::REC_CFG_ATS);
}

// A split-stage TR that translated gets stage 1's output (the IPA; the input address
// when S1DSS skips stage 1) in place of the PA, over the same page.
void SmmuUnit::split_stage_answer(WalkSlot& w) {
    const iommu::Request& r = w.request;
    if (r.at != At::TranslationRequest || !w.walked || w.result.fault) return;
    if (ats_route(w.ste, r) != AtsRoute::SplitTranslate) return;
    w.result.pa = w.stage1 ? w.vmsa.stage1_output() : r.iova;
}

// A TR's Translation Completion: the page, and of what the tables allow what was asked
// for (R always; W unless NW).
void SmmuUnit::grant(const iommu::Request& r, iommu::Result& res) {
    if (res.fault) return;
    if (res.page_size) res.pa &= ~(res.page_size - 1);
    res.write = res.write && r.write;
}

}  // namespace smmuv3
