// AmdviUnit's guest translation (48882 §2.2.6): a request with a PASID whose DTE sets
// GV (with GIoV also one without a PASID, as PASID 0) walks the GCR3 table and the
// guest tables (guest_walk.h), nested over the host table when Mode != 0, guest-only
// (GPA = SPA) with Mode 0. It needs EFR.GTSup and CONTROL.GTEn; without them the
// request is an INVALID_DEVICE_REQUEST.
//
// Events: a fault in the GCR3 table or the guest tables is an IO_PAGE_FAULT with GN=1,
// the PASID, US (a user request) and NX (an execute request), at the request's
// address; a PASID above EFR.PASmax faults as a GCR3 entry that is not valid (PR=0).
// A fault of the host tables translating a GPA during the walk is reported as a host
// fault: GN=0, the DomainID, the GPA that failed. [verify: 48882 §2.5.4's GN wording]
#include "models/amdvi/amdvi_unit.h"

namespace amdvi {

bool AmdviUnit::guest_enabled() const { return features_.gt_sup && (ctrl_ & ctrl::GT_EN); }

// §2.2.2.1 GIoV (DTE bit 54, Linux DTE_FLAG_GIOV): on GV=1 a request without a PASID
// is also a guest request, through the guest tables of PASID 0; Linux's v2 page-table
// domains rely on it. Otherwise only a request with a PASID is.
bool AmdviUnit::guest_request(const Dte& d, const iommu::Request& r) { return d.gv && (r.pasid_valid || d.giov); }

// A request without the PASID TLP prefix carries no Privileged Mode Requested or
// Execute Requested bit (PCIe 6.20): as PASID 0's guest request it is a user,
// non-execute access (Linux's v2 leaves set U/S for it). [verify: 48882 §2.2.6 wording]
iommu::Request AmdviUnit::as_guest(const iommu::Request& r) {
    if (r.pasid_valid) return r;
    iommu::Request g = r;
    g.pasid = 0;
    g.priv = g.exec = false;
    return g;
}

// What a cached guest translation must also allow: U/S for a user request (USSup),
// NX for an execute request (NXSup).
bool AmdviUnit::guest_allows(const iommu::Request& r, const IotlbValue& e) const {
    return (r.priv || !features_.us_sup || e.user) && (!r.exec || !features_.nx_sup || e.exec);
}

void AmdviUnit::start_guest_walk(WalkSlot& w) {
    const Dte& d = w.dte;
    const iommu::Request& r = w.request;
    if (!guest_enabled()) {  // guest translation is off: the request is not handled
        Event e = request_event(w, event::INVALID_DEVICE_REQUEST);
        e.type = invalid_request::UNSUPPORTED;
        return fail(w, e, true);
    }
    if (uint64_t(r.pasid) >> (features_.pas_max + 1)) {
        GuestFault f;
        static_cast<HostFault&>(f) = HostFault::page(false);
        return guest_fault(w, f);
    }
    if (w.dte_fetched && r.at == iommu::At::Untranslated && iotlb_hit(d, r, w.result)) return;
    GuestWalkConfig c;
    c.gcr3_table = d.gcr3;
    c.glx = d.glx;
    c.pasid = r.pasid;
    c.levels = d.gpm == 1 ? 5 : 4;
    c.nested = d.mode != 0;
    c.host = host_config(d);
    c.us_sup = features_.us_sup;
    c.nx_sup = features_.nx_sup;
    const bool tr = r.at == iommu::At::TranslationRequest;
    GuestAccess a;
    a.read = !tr && (r.read || !r.write);
    a.write = !tr && r.write;
    a.user = !r.priv;
    a.exec = !tr && r.exec;
    w.phase = WalkSlot::Phase::Guest;
    w.guest.start(c, r.iova, a);
    if (w.guest.done()) guest_done(w);
}

void AmdviUnit::guest_done(WalkSlot& w) {
    const GuestWalk& g = w.guest;
    const iommu::Request& r = w.request;
    w.phase = WalkSlot::Phase::Done;
    if (!g.ok()) return guest_fault(w, g.fault());
    const bool tr = r.at == iommu::At::TranslationRequest;
    const bool ir = w.dte.ir && g.host_ir(), iw = w.dte.iw && g.writable() && g.host_iw();
    if (!tr && !permits(r, w.dte.ir, w.dte.iw)) {  // guest-only: the DTE's IR/IW still apply
        GuestFault f;
        static_cast<HostFault&>(f) = HostFault::page(true, true);
        return guest_fault(w, f);
    }
    w.guest_walked = true;
    iommu::Result& out = w.result;
    out = iommu::Result{};
    out.pa = g.output();
    out.page_size = g.page_size();
    out.read = ir;
    out.write = iw;
    out.force_snoop = g.fc();
    out.snoop = g.fc() || !r.no_snoop;
    if (tr && !out.read && !out.write) answer_translation_request(w);
}

void AmdviUnit::guest_fault(WalkSlot& w, const GuestFault& f) {
    const iommu::Request& r = w.request;
    const bool hw = f.kind == HostFault::Kind::HardwareError;
    Event e = request_event(w, hw ? event::PAGE_TAB_HARDWARE_ERROR : event::IO_PAGE_FAULT);
    e.gn = !f.host;
    if (hw) {  // §2.5.6: the access that failed
        e.type = hw_error::MASTER_ABORT;
        e.address = f.fetch;
        return fail(w, e, true);
    }
    if (f.host) {
        e.address = f.gpa;
        w.event_at_request = false;
    } else {
        e.us = !r.priv;
        e.nx = r.exec;
    }
    e.pr = f.present;
    e.pe = f.permission;
    e.rz = f.reserved;
    if (r.at == iommu::At::TranslationRequest) return answer_translation_request(w);
    fail(w, e, !w.dte.sa);
}

// A guest translation in the IOTLB, tagged by DomainID and PASID. The guest leaf's D
// (and the host's with HAD) must be set by a walk before a write may hit.
void AmdviUnit::fill_guest(const WalkSlot& w) {
    const GuestWalk& g = w.guest;
    const iommu::Request& r = w.request;
    IotlbValue v;
    v.pa_base = g.output() & ~(g.page_size() - 1);
    v.ir = g.host_ir();
    v.iw = g.writable() && g.host_iw();
    v.fc = g.fc();
    v.user = g.user();
    v.exec = g.executable();
    v.nested = w.dte.mode != 0;
    v.write_walks = !g.dirty() || (v.nested && !r.write && w.dte.had == 3 && features_.hd_sup);
    iotlb_.fill({w.dte.domain_id, r.iova >> g.size_log2(), uint8_t(g.size_log2()), true, r.pasid}, v);
    iotlb_sizes_ |= uint64_t(1) << g.size_log2();
}

}  // namespace amdvi
