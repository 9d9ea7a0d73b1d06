// AmdviUnit: the lookup stage, the caches, and what each request reports.
#include "models/amdvi/amdvi_unit.h"

#include <cstdio>

#include "models/sim/hot_path.h"

namespace amdvi {

AmdviUnit::AmdviUnit(const Straps& straps, const UnitParams& p, iommu::HostMemory& mem)
    : straps_(straps),
      features_(straps.efr),
      efr_(encode_efr(straps.efr)),
      mem_(mem),
      dte_cache_(p.dte_cache, p.seed, "amdvi.dte_cache"),
      iotlb_(p.iotlb, p.seed, "amdvi.iotlb"),
      pde_cache_(p.pde_cache, p.seed, "amdvi.pde_cache"),
      cmd_clock_(*this, p.cmdbuf, "cmdbuf.busy_cycles"),
      cmdbuf_(*this, mem, cmd_clock_) {
    add_child("dte_cache", dte_cache_);
    add_child("iotlb", iotlb_);
    add_child("pde_cache", pde_cache_);
    cmdbuf_.set_features(command_features());
}

void AmdviUnit::strap_efr(uint64_t efr) {
    efr_ = efr;
    features_ = decode_efr(efr);
    cmdbuf_.set_features(command_features());
}

// The EFR bits that make commands legal (command.h).
CommandFeatures AmdviUnit::command_features() const {
    return {features_.pref_sup, features_.ppr_sup, features_.gt_sup, features_.ia_sup};
}

// Control.Coherent asks for snooped table reads; the platform decides whether the
// unit can make them.
bool AmdviUnit::walks_snoop() const { return straps_.coherent && (ctrl_ & ctrl::COHERENT); }

bool AmdviUnit::walk_snoops(const iommu::Walk& w) const {
    const auto& s = static_cast<const WalkSlot&>(w);
    const bool tables = s.phase == WalkSlot::Phase::Host || s.phase == WalkSlot::Phase::Guest;
    return walks_snoop() && !(tables && s.dte.sd);
}

// §2.3.1 exclusion range: [base, limit | 0xfff], for every device with Allow, else
// for devices whose DTE sets EX.
bool AmdviUnit::excluded(const Dte& d, uint64_t iova) const {
    if (!(excl_base_ & excl::EX_EN) || !((excl_base_ & excl::ALLOW) || d.ex)) return false;
    return iova >= (excl_base_ & excl::ADDR) && iova <= ((excl_limit_ & excl::ADDR) | 0xfff);
}

bool AmdviUnit::permits(const iommu::Request& r, bool ir, bool iw) {
    return (!(r.read || !r.write) || ir) && (!r.write || iw);
}

// Mode 0 (§2.2.2.1): no translation, the DTE's IR/IW still apply; Mode0FC forces
// snooping.
iommu::Result AmdviUnit::mode0(const Dte& d, const iommu::Request& r) {
    iommu::Result out = iommu::untranslated(r);
    out.read = d.ir;
    out.write = d.iw;
    out.force_snoop = d.mode0_fc;
    out.snoop = d.mode0_fc || !r.no_snoop;
    return out;
}

// The lookup stage answers what the caches decide without a fault: IommuEn=0, a
// cached DTE that passes the request or holds an IOTLB entry granting it. Anything
// else walks, so the walk (not the cache) logs every event.
IOMMU_SIM_HOT_PATH bool AmdviUnit::lookup(const iommu::Request& r, iommu::Result& out) {
    if (!enabled()) {
        ++bypassed_;
        out = iommu::untranslated(r);
        return report(r, out, {}, false), true;
    }
    if (r.at != iommu::At::Untranslated) return false;  // the walk answers ATS
    const Dte* d = dte_shortcut_.lookup(dte_cache_, {r.sid}, r.sid);
    if (!d) return false;
    if (!d->v) {
        ++bypassed_;
        out = iommu::untranslated(r);
    } else if (!d->tv) {
        return false;
    } else if (guest_request(*d, r)) {
        if (!guest_enabled() || !iotlb_hit(*d, r, out)) return false;
    } else if (d->mode == 0) {
        if (!permits(r, d->ir, d->iw)) return false;
        out = mode0(*d, r);
    } else if (excluded(*d, r.iova)) {
        ++bypassed_;
        out = iommu::untranslated(r);
    } else if (!iotlb_hit(*d, r, out)) {
        return false;
    }
    report(r, out, {}, false);
    return true;
}

// A host entry of the DomainID, or for a guest request a guest entry of its PASID
// (PASID 0 without one, on GIoV=1).
bool AmdviUnit::iotlb_hit(const Dte& d, const iommu::Request& request, iommu::Result& out) {
    const bool guest = guest_request(d, request);
    const iommu::Request r = guest ? as_guest(request) : request;
    for (unsigned log2 = 12; log2 < 64; ++log2) {
        if (!(iotlb_sizes_ >> log2 & 1)) continue;
        const IotlbKey key{d.domain_id, r.iova >> log2, uint8_t(log2), guest, r.pasid};
        const Iotlb::Slot found = iotlb_.probe(key);
        if (!found) continue;
        const IotlbValue* e = found.value;
        const bool ir = d.ir && e->ir, iw = d.iw && e->iw;
        if (!permits(r, ir, iw) || (r.write && e->write_walks) || (guest && !guest_allows(r, *e))) break;
        iotlb_.record_hit(found);
        out = iommu::Result{};
        out.page_size = uint64_t(1) << log2;
        out.pa = e->pa_base | (r.iova & (out.page_size - 1));
        out.read = ir;
        out.write = iw;
        out.force_snoop = e->fc;
        out.snoop = e->fc || !r.no_snoop;
        return true;
    }
    iotlb_.record_miss();
    return false;
}

// After a walk: the DTE it read, the directory entries it used, its leaf.
void AmdviUnit::fill_caches(const WalkSlot& w) {
    const iommu::Request& r = w.request;
    if (w.dte_fetched) dte_cache_.fill({r.sid}, w.dte);
    if (w.guest_walked) fill_guest(w);
    for (unsigned i = 0; w.host_started && i < w.host.pde_count(); ++i) {
        const PdeStep& s = w.host.pde(i);
        pde_cache_.fill({w.dte.domain_id, uint8_t(s.level), r.iova >> level_shift(s.level)}, s);
    }
    if (!w.walked) return;
    const HostWalk& h = w.host;
    IotlbValue v;
    v.pa_base = h.output() & ~(h.page_size() - 1);
    v.ir = h.ir();
    v.iw = h.iw();
    v.fc = h.fc();
    v.u = h.u();
    v.write_walks = !r.write && w.dte.had == 3 && features_.hd_sup;
    iotlb_.fill({w.dte.domain_id, r.iova >> h.size_log2(), uint8_t(h.size_log2())}, v);
    iotlb_sizes_ |= uint64_t(1) << h.size_log2();
}

IOMMU_SIM_HOT_PATH iommu::Result AmdviUnit::end(WalkSlot& w) {
    dte_reads_ += w.dte_reads;
    walk_reads_ += w.host.reads() + w.guest.reads();
    walk_writes_ += w.host.writes() + w.guest.writes();
    fill_caches(w);
    report(w.request, w.result, w.event, w.record);
    last_event_ = w.event;
    last_record_ = w.record;
    last_at_request_ = w.event_at_request;
    return w.result;
}

// A request that waited on the walk of its page, with the same attributes, gets that
// walk's answer for its own address, and its own event record.
iommu::Result AmdviUnit::merged(const iommu::Request& r, const iommu::Result& walked) {
    iommu::Result res = walked;
    if (!res.fault && res.page_size) res.pa = (walked.pa & ~(walked.page_size - 1)) | (r.iova & (walked.page_size - 1));
    Event e = last_event_;
    if (last_at_request_ && (e.code == event::IO_PAGE_FAULT || e.code == event::ILLEGAL_DEV_TABLE_ENTRY ||
                             e.code == event::INVALID_DEVICE_REQUEST))
        e.address = r.iova;  // these name the request's address; the others a table's (or a GPA)
    report(r, res, e, res.fault && last_record_);
    return res;
}

// Statistics, and the event log entry when the fault records one.
void AmdviUnit::report(const iommu::Request& r, const iommu::Result& res, const Event& e, bool record) {
    (void)r;
    ++translations_;
    if (!res.fault) return;
    ++faults_;
    fault_codes_.count(res.reason);
    if (record) log_event(e);
}

}  // namespace amdvi
