// The configuration fetch of a translation (IHI 0070 §3.3 "Data structures and
// translation procedure"): StreamID -> (level-1 descriptor) -> STE -> (level-1 CD) ->
// CD, each a run of 8-byte reads the timing shell carries, then the VMSAv8-64 walk.
// Every way it can end early raises the event §7.3 names for it.
#include <algorithm>

#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"

namespace smmuv3 {

void WalkSlot::supply(uint64_t qword, bool ok) { owner->step(*this, qword, ok); }

// §13 (fetches the SMMU makes) with IDR0.COHACC: stream table reads follow
// SMMU_CR1.TABLE_*, CD reads STE.S1C*, stage 1 table reads CD.IRGN0/ORGN0/SH0, stage 2
// ones (also those translating a CD address) STE.S2IR0/S2OR0/S2SH0. Nested stage 1
// reads use the CD's attributes alone (their combination with stage 2 is not
// modelled).
bool SmmuUnit::walk_snoops(const iommu::Walk& walk) const {
    const auto& w = static_cast<const WalkSlot&>(walk);
    if (!caps_.cohacc) return false;
    const uint32_t c1 = reg(reg::CR1);
    MemAttr a;
    switch (w.phase) {
        case WalkSlot::Phase::L1Std: case WalkSlot::Phase::Ste:
            a = from_rgn(unsigned(cr1::TABLE_IC.get(c1)), unsigned(cr1::TABLE_OC.get(c1)),
                         unsigned(cr1::TABLE_SH.get(c1)));
            break;
        case WalkSlot::Phase::L1Cd: case WalkSlot::Phase::Cd:
            a = from_rgn(w.ste.s1cir, w.ste.s1cor, w.ste.s1csh);
            break;
        case WalkSlot::Phase::Table:
            if (!w.vmsa.at_stage2()) {
                a = from_rgn(w.cd.irgn0, w.cd.orgn0, w.cd.sh0);
                break;
            }
            [[fallthrough]];
        default: a = from_rgn(w.ste.s2ir0, w.ste.s2or0, w.ste.s2sh0);
    }
    return a.coherent();
}

StreamTableConfig SmmuUnit::stream_table() const {
    return decode_strtab(q(reg::STRTAB_BASE), reg(reg::STRTAB_BASE_CFG), caps_);
}

// Ends the slot with event `id`; `record` false when the spec says no event is
// recorded (Config abort, C_BAD_STREAMID without CR2.RECINVSID, CD.R/STE.S2R clear).
// For ATS requests ats.cpp decides first: a TR's translation fault is an R=W=0 answer,
// and configuration errors are recorded only as SMMU_CR2.REC_CFG_ATS says.
void SmmuUnit::fail(WalkSlot& w, uint8_t id, bool record, uint64_t fetch) {
    const iommu::Request& r = w.request;
    if (ats_deny(w, id)) return;
    record = ats_records(r, id, record);
    w.result = iommu::Result{};
    w.result.fault = true;
    w.result.reason = id;
    w.result.record = record;
    w.record = record;
    w.event.id = id;
    w.event.sid = r.sid;
    w.event.ssv = r.pasid_valid;
    w.event.ssid = r.pasid_valid ? r.pasid : 0;
    w.event.rnw = !r.write;
    w.event.pnu = r.priv;
    w.event.ind = r.exec;
    w.event.input_addr = r.iova;
    w.event.fetch_addr = fetch;
    w.phase = WalkSlot::Phase::Done;
}

void SmmuUnit::start_ste(WalkSlot& w) {
    const Lookup l = locate_ste(stream_table(), w.request.sid);
    w.addr = l.addr;
    w.index = 0;
    if (l.step == Step::ReadL1) w.phase = WalkSlot::Phase::L1Std;
    else if (l.step == Step::Entry) w.phase = WalkSlot::Phase::Ste;
    else fail(w, event::C_BAD_STREAMID, (reg(reg::CR2) & cr2::RECINVSID) != 0);  // §6.3 CR2
}

void SmmuUnit::step(WalkSlot& w, uint64_t qword, bool ok) {
    using P = WalkSlot::Phase;
    if (w.phase == P::Table) {
        w.vmsa.supply(qword, ok);
        if (w.vmsa.done()) finish_walk(w);
        return;
    }
    if (w.phase == P::CdS2) {
        w.cd_walk.supply(qword, ok);
        if (w.cd_walk.done()) fetch_cd(w, w.after_s2, 0);
        return;
    }
    ++w.config_reads;
    const bool cd_phase = w.phase == P::L1Cd || w.phase == P::Cd;
    if (!ok) return fail(w, cd_phase ? event::F_CD_FETCH : event::F_STE_FETCH, true, w.addr + 8 * w.index);
    if (w.phase == P::L1Std) {
        const Lookup l = locate_ste_l2(stream_table(), w.request.sid, qword);
        if (l.step != Step::Entry) return fail(w, event::C_BAD_STREAMID, (reg(reg::CR2) & cr2::RECINVSID) != 0);
        w.phase = P::Ste;
        w.addr = l.addr;
        return;
    }
    if (w.phase == P::L1Cd) {
        const Lookup l = locate_cd_l2(w.ste, w.request.pasid, qword);
        if (l.step != Step::Entry) return fail(w, event::C_BAD_SUBSTREAMID);
        return fetch_cd(w, P::Cd, l.addr);
    }
    w.buf[w.index++] = qword;
    if (w.index < 8) return;
    if (w.phase == P::Ste) {
        w.ste = decode_ste(w.buf);
        return got_ste(w);
    }
    w.cd = decode_cd(w.buf);
    got_cd(w);
}

// §5.2: an ILLEGAL STE is C_BAD_STE; Config 0b0xx aborts with no event; 0b100 bypasses.
// An ATS request's route (ats.cpp) comes first: it may be answered from the STE alone.
void SmmuUnit::got_ste(WalkSlot& w) {
    if (check_ste(w.ste, caps_)) return fail(w, event::C_BAD_STE);
    const AtsRoute route = w.request.at == iommu::At::Untranslated ? AtsRoute::Translate : ats_route(w.ste, w.request);
    if (ats_answer(route, w.request, w.result, w.event, w.record)) {
        w.phase = WalkSlot::Phase::Done;
        return;
    }
    if (w.ste.abort()) return fail(w, event::F_STREAM_DISABLED, false);
    if (w.ste.bypass()) {
        w.result = bypass(&w.ste, w.request);
        w.phase = WalkSlot::Phase::Done;
        return;
    }
    if (w.ste.stage2() && !setup_stage2(w)) return;
    if (route == AtsRoute::StageTwo) return start_table_walk(w);  // split-stage Translated: stage 2 only
    if (w.ste.stage1()) return start_cd(w);
    start_table_walk(w);
}

// The STE's stage 2 as the walk uses it; false (and C_BAD_STE) when check() refuses it.
bool SmmuUnit::setup_stage2(WalkSlot& w) {
    Stage2Config& s2 = w.s2;
    s2.ttb = w.ste.s2ttb;
    s2.t0sz = w.ste.s2t0sz;
    s2.sl0 = w.ste.s2sl0;
    decode_tg0(w.ste.s2tg, s2.tg);
    s2.ps_bits = s2_effective_ps_bits(w.ste, caps_);
    s2.affd = w.ste.s2affd;
    s2.ha = w.ste.s2ha && caps_.httu >= 1;
    s2.hd = s2.ha && w.ste.s2hd && caps_.httu >= 2;
    s2.ptw = w.ste.s2ptw;
    if (check(s2, caps_.oas_bits(), caps_.stt) == ConfigError::None) return true;
    fail(w, event::C_BAD_STE);
    return false;
}

// §3.3.2 and §5.2 S1DSS/S1CDMax: which CD, if any, serves the request.
void SmmuUnit::start_cd(WalkSlot& w) {
    const iommu::Request& r = w.request;
    const Lookup l = locate_cd(w.ste, r.pasid_valid, r.pasid);
    switch (l.step) {
        case Step::BypassStage1:
            if (!w.ste.stage2()) {
                w.result = bypass(&w.ste, r);
                w.phase = WalkSlot::Phase::Done;
                return;
            }
            return start_table_walk(w);
        case Step::StreamDisabled: return fail(w, event::F_STREAM_DISABLED);
        case Step::BadSubstreamId: case Step::BadStreamId: return fail(w, event::C_BAD_SUBSTREAMID);
        default: break;
    }
    w.stage1 = true;
    const ConfigValue* c = config_cache_.peek({r.sid, r.pasid_valid ? r.pasid : 0, true});
    if (c) {
        w.cd = c->cd;
        w.cd_cached = true;
        return got_cd(w);
    }
    fetch_cd(w, l.step == Step::ReadL1 ? WalkSlot::Phase::L1Cd : WalkSlot::Phase::Cd, l.addr);
}

// Reads a CD-table descriptor at `address`; nested, `address` is an IPA that stage 2
// translates first (§3.3.3). Called again with the walk done (address unused).
void SmmuUnit::fetch_cd(WalkSlot& w, WalkSlot::Phase p, uint64_t address) {
    if (w.ste.stage2() && w.phase != WalkSlot::Phase::CdS2) {
        iommu::Request rr = w.request;
        rr.iova = address;
        rr.read = true;
        rr.write = rr.exec = false;
        w.cd_walk.configure(nullptr, &w.s2);
        w.cd_walk.use_walk_caches(&walk_caches_, vmid(w.ste.s2vmid), 0);
        w.cd_walk.start(rr);
        w.after_s2 = p;
        w.phase = WalkSlot::Phase::CdS2;
        if (!w.cd_walk.done()) return;
    }
    if (w.phase == WalkSlot::Phase::CdS2) {
        const Fault& f = w.cd_walk.fault();
        if (f.event) {  // a stage-2 fault on the CD fetch: S2 = 1, CLASS = CD (§7.3)
            fail(w, f.event, f.event == event::F_WALK_EABT || w.ste.s2r, f.fetch_pa);
            w.event.s2 = true;
            w.event.cls = event_class::CD;
            w.event.ipa = f.ipa;
            return;
        }
        address = w.cd_walk.result().pa;
    }
    w.phase = p;
    w.addr = address;
    w.index = 0;
}

// §5.4: an ILLEGAL CD is C_BAD_CD.
// §5.2 STE.S1STALLD: a CD with S = 1 under an STE that disables stage-1 stalls is
// ILLEGAL too.
void SmmuUnit::got_cd(WalkSlot& w) {
    if (check_cd(w.cd, caps_) || (w.cd.s && w.ste.s1stalld)) return fail(w, event::C_BAD_CD);
    Stage1Config& s1 = w.s1;
    s1.ttb0 = w.cd.ttb0;
    s1.t0sz = w.cd.t0sz;
    decode_tg0(w.cd.tg0, s1.tg0);
    s1.ips_bits = cd_effective_ips_bits(w.cd, caps_);
    s1.epd0 = w.cd.epd0;
    s1.affd = w.cd.affd;
    s1.ha = w.cd.ha && caps_.httu >= 1;
    s1.hd = s1.ha && w.cd.hd && caps_.httu >= 2;
    s1.mair = w.cd.mair;
    if (check(s1, caps_.stt) != ConfigError::None) return fail(w, event::C_BAD_CD);
    w.cd_ok = true;
    start_table_walk(w);
}

void SmmuUnit::start_table_walk(WalkSlot& w) {
    w.vmsa.configure(w.stage1 ? &w.s1 : nullptr, w.ste.stage2() ? &w.s2 : nullptr);
    // Tagged as the TLB tags what the walk makes (tlb_key).
    w.vmsa.use_walk_caches(&walk_caches_, vmid(w.ste.s2vmid), w.stage1 ? asid(w.cd.asid) : 0);
    w.vmsa.start(w.request);
    w.phase = WalkSlot::Phase::Table;
    if (w.vmsa.done()) finish_walk(w);
}

// A translation fault is recorded as CD.R (stage 1) or STE.S2R (stage 2) says (§5.2,
// §5.4); an external abort on a walk (F_WALK_EABT) always is.
void SmmuUnit::finish_walk(WalkSlot& w) {
    const Fault& f = w.vmsa.fault();
    if (!f.event) {
        w.result = w.vmsa.result();
        w.walked = true;
        w.phase = WalkSlot::Phase::Done;
        return;
    }
    if (ats_retry_read_only(w, f)) return;
    const bool record = f.event == event::F_WALK_EABT || (f.s2 ? w.ste.s2r : w.cd.r);
    fail(w, f.event, record, f.fetch_pa);
    w.event.s2 = f.s2;
    w.event.cls = unsigned(f.cls);
    w.event.ipa = f.ipa;
    w.event.input_addr = f.input;
    w.event.ttrnw = true;
    if (stalls(w, f)) {  // stall.cpp: recorded whatever CD.R / STE.S2R say
        stall(w.request, w.result, w.event);
        w.record = true;
    }
}

}  // namespace smmuv3
