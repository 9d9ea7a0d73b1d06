// AmdviUnit's walk: the DTE fetch, the decisions the DTE makes (§2.2.2.1), the host
// walk, and the events of each outcome (§2.5). Guest walks: unit_guest.cpp.
#include "models/amdvi/amdvi_unit.h"

#include "models/sim/hot_path.h"

namespace amdvi {

void WalkSlot::supply(uint64_t qword, bool ok) {
    if (phase == Phase::Dte) return owner->dte_read(*this, qword, ok);
    if (phase == Phase::Guest) {
        guest.supply(qword, ok);
        if (guest.done()) owner->guest_done(*this);
        return;
    }
    if (phase != Phase::Host) return;
    host.supply(qword, ok);
    if (host.done()) owner->host_done(*this);
}

IOMMU_SIM_HOT_PATH void AmdviUnit::begin(WalkSlot& w, const iommu::Request& r) {
    w = WalkSlot{};
    w.owner = this;
    w.request = r;
    ++walks_;
    if (!enabled()) {  // disabled between lookup and walk
        w.result = iommu::untranslated(r);
        w.phase = WalkSlot::Phase::Done;
        return;
    }
    if (const Dte* d = dte_cache_.peek({r.sid})) {
        w.dte = *d;
        return got_dte(w);
    }
    w.dte_addr = dte_address(devtab_, r.sid);
    // A DeviceID beyond the table's Size cannot be fetched: a hardware error, as a
    // read that fails is.
    if (!dte_in_table(devtab_, r.sid)) return dte_read(w, 0, false);
    w.phase = WalkSlot::Phase::Dte;
}

void AmdviUnit::dte_read(WalkSlot& w, uint64_t qword, bool ok) {
    if (!ok) {  // §2.5.5 DEV_TAB_HARDWARE_ERROR, the entry's address
        Event e = request_event(w, event::DEV_TAB_HARDWARE_ERROR);
        e.type = hw_error::MASTER_ABORT;
        e.address = w.dte_addr;
        return fail(w, e, true);
    }
    ++w.dte_reads;
    w.q[w.index++] = qword;
    if (w.index < 4) return;
    w.dte = decode_dte(w.q);
    if (w.dte.v) {
        const DteProblem p = check_dte(w.dte, w.q, features_);
        if (p != DteProblem::None) {  // §2.5.3 ILLEGAL_DEV_TABLE_ENTRY; not cached
            Event e = request_event(w, event::ILLEGAL_DEV_TABLE_ENTRY);
            e.rz = p == DteProblem::ReservedBit;
            return fail(w, e, true);
        }
    }
    w.dte_fetched = true;
    got_dte(w);
}

void AmdviUnit::got_dte(WalkSlot& w) {
    const Dte& d = w.dte;
    const iommu::Request& r = w.request;
    w.phase = WalkSlot::Phase::Done;
    if (!d.v) {  // no translation: the request passes as it is
        w.result = iommu::untranslated(r);
        return;
    }
    if (!ats_checks(w)) return;
    if (!d.tv) {  // translation information not valid: the walk is terminated
        if (r.at == iommu::At::TranslationRequest) return answer_translation_request(w);
        Event e = request_event(w, event::IO_PAGE_FAULT);
        return fail(w, e, !d.sa);
    }
    if (guest_request(d, r)) {  // guest (GCR3) translation
        w.request = as_guest(r);
        return start_guest_walk(w);
    }
    if (d.mode == 0) {
        if (!permits(r, d.ir, d.iw) && r.at != iommu::At::TranslationRequest) {
            Event e = request_event(w, event::IO_PAGE_FAULT);
            e.pr = e.pe = true;
            return fail(w, e, !d.sa);
        }
        w.result = mode0(d, r);
        return;
    }
    if (excluded(d, r.iova)) {
        w.result = iommu::untranslated(r);
        return;
    }
    // The lookup stage could not try the IOTLB without the DTE's DomainID.
    if (w.dte_fetched && r.at == iommu::At::Untranslated && iotlb_hit(d, r, w.result)) return;
    start_host_walk(w);
}

// §2.1.3 with ATS (the capability's IotlbSup, the DTE's I): a Translated request
// passes at its own address; a Translation Request is translated and answered.
// Either without IotlbSup and DTE.I is an INVALID_DEVICE_REQUEST. False: answered.
bool AmdviUnit::ats_checks(WalkSlot& w) {
    const iommu::Request& r = w.request;
    if (r.at == iommu::At::Untranslated) return true;
    const bool tr = r.at == iommu::At::TranslationRequest;
    if (!straps_.iotlb_sup || !w.dte.i) {
        Event e = request_event(w, event::INVALID_DEVICE_REQUEST);
        e.type = tr ? invalid_request::TRANSLATION_DISABLED : invalid_request::TRANSLATED_NOT_ALLOWED;
        fail(w, e, true);
        return false;
    }
    if (tr) return true;
    w.result = iommu::untranslated(r);
    return false;
}

HostWalkConfig AmdviUnit::host_config(const Dte& d) const {
    HostWalkConfig c;
    c.root = d.root;
    c.mode = d.mode;
    c.ir = d.ir;
    c.iw = d.iw;
    c.update_a = (d.had & 1) && features_.ha_sup;
    c.update_d = d.had == 3 && features_.hd_sup;
    return c;
}

void AmdviUnit::start_host_walk(WalkSlot& w) {
    const Dte& d = w.dte;
    const iommu::Request& r = w.request;
    const HostWalkConfig c = host_config(d);
    // A Translation Request asks for no access: it learns what the tables grant.
    const bool tr = r.at == iommu::At::TranslationRequest;
    const bool read = !tr && (r.read || !r.write), write = !tr && r.write;
    w.phase = WalkSlot::Phase::Host;
    w.host_started = true;
    // The deepest cached directory entry for this input, lowest level first.
    for (unsigned level = 2; level <= d.mode; ++level) {
        const PdeCache::Slot s = pde_cache_.probe({d.domain_id, uint8_t(level), r.iova >> level_shift(level)});
        if (!s) continue;
        w.host.resume(c, r.iova, read, write, pde_cache_.record_hit(s));
        if (w.host.done()) host_done(w);
        return;
    }
    if (d.mode >= 2) pde_cache_.record_miss();
    w.host.start(c, r.iova, read, write);
    if (w.host.done()) host_done(w);
}

void AmdviUnit::host_done(WalkSlot& w) {
    const HostWalk& h = w.host;
    const iommu::Request& r = w.request;
    w.phase = WalkSlot::Phase::Done;
    if (h.ok()) {
        w.walked = true;
        iommu::Result& out = w.result;
        out = iommu::Result{};
        out.pa = h.output();
        out.page_size = h.page_size();
        out.read = w.dte.ir && h.ir();
        out.write = w.dte.iw && h.iw();
        out.force_snoop = h.fc();
        out.snoop = h.fc() || !r.no_snoop;
        if (r.at == iommu::At::TranslationRequest && !out.read && !out.write) answer_translation_request(w);
        return;
    }
    if (h.fault().kind == HostFault::Kind::HardwareError) {  // §2.5.6
        Event e = request_event(w, event::PAGE_TAB_HARDWARE_ERROR);
        e.type = hw_error::MASTER_ABORT;
        e.address = h.fault().fetch;
        return fail(w, e, true);
    }
    Event e = request_event(w, event::IO_PAGE_FAULT);  // §2.5.4
    e.pr = h.fault().present;
    e.pe = h.fault().permission;
    e.rz = h.fault().reserved;
    if (r.at == iommu::At::TranslationRequest) return answer_translation_request(w);
    fail(w, e, !w.dte.sa);
}

// §2.1.3.2: a Translation Request that finds no usable translation is answered
// Success with R=W=0 (the device may ask by PPR), and no event is logged.
void AmdviUnit::answer_translation_request(WalkSlot& w) const {
    w.result = iommu::Result{};
    w.result.page_size = 4096;
    w.walked = false;
}

Event AmdviUnit::request_event(const WalkSlot& w, uint8_t code) const {
    const iommu::Request& r = w.request;
    Event e;
    e.code = code;
    e.device_id = r.sid;
    e.domain_id = w.dte.domain_id;
    e.pasid = r.pasid_valid ? r.pasid : 0;
    e.rw = r.write;
    e.tr = r.at == iommu::At::TranslationRequest;
    e.address = r.iova;
    return e;
}

void AmdviUnit::fail(WalkSlot& w, const Event& e, bool record) {
    w.result = iommu::Result{};
    w.result.fault = true;
    w.result.reason = e.code;
    w.result.record = record;
    w.event = e;
    w.record = record;
    w.phase = WalkSlot::Phase::Done;
}

}  // namespace amdvi
