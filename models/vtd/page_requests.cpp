// RemappingUnit's page requests (spec 7.5) and page group responses (6.5.2.7).
#include "models/vtd/remapping_unit.h"

#include "models/vtd/regs.h"
#include "models/vtd/scalable_walker.h"

namespace vtd {
namespace {

constexpr uint64_t kCtxPre = uint64_t(1) << 4;  // scalable context entry, qword 0 (9.4)

// The request a fault record names: the page request's requester, page and rights.
iommu::Request as_request(const iommu::PageRequest& pr) {
    return {iommu::At::Untranslated, pr.sid, pr.addr, pr.read, pr.write, pr.pasid_valid, pr.pasid, pr.priv, pr.exec};
}

}  // namespace

// Page requests exist in scalable mode only (legacy mode records RTA.3), and need the
// device's scalable-mode context entry present, valid and with PRE set (SCT.8). The
// context entry comes from the context-cache or is read as a walk would read it, with
// the walk's checks and FPD.
bool RemappingUnit::page_requests_enabled(const iommu::PageRequest& pr) {
    const iommu::Request r = as_request(pr);
    if (ttm() != unsigned(Ttm::Scalable)) {
        report(r, iommu::Result{true, sm_fault::RTA_LEGACY_PAGE_REQUEST});
        return false;
    }
    ScalableWalker walk(caps_, root_ & kRtaddrAddrMask);
    if (const ContextValue* ctx = context_cache_.peek({pr.sid})) walk.start_from_context(r, ctx->lo, ctx->hi);
    else walk.start(r);
    while (!walk.done() && !walk.context_valid()) {
        uint64_t v = 0;
        const bool ok = mem_.read_u64(walk.read_address(), v);
        walk.supply(v, ok);
    }
    iommu::Result res = walk.result();
    if (!res.fault && !(walk.context_lo() & kCtxPre)) {
        res.fault = true;
        res.reason = sm_fault::SCT_PRE_CLEAR;
        res.record = !(walk.context_lo() & 2);  // FPD
    }
    report(r, res);
    return !res.fault;
}

// A request dropped by a full or overflowed queue gets no descriptor; when it closed its
// group, hardware answers the group itself with Success so the device retries the
// translation (and asks again) instead of waiting for a response software never sends.
bool RemappingUnit::page_request(const iommu::PageRequest& pr) {
    if (!caps_.prs || !translation_enabled() || !page_requests_enabled(pr) || !prq_.configured())
        return false;
    bool irq = false;
    if (prq_.push(pr, mem_, irq) == PageRequestQueue::Outcome::Dropped && pr.last && endpoints)
        endpoints->page_response({pr.sid, pr.pasid_valid, pr.pasid, pr.prg_index, iommu::PrgResponse::Success});
    if (irq && on_page_request_irq) on_page_request_irq();
    return true;
}

// Response codes other than Success (0) and Invalid Request (1) answer Response Failure
// (PCIe 10.4.2 reserves them).
void RemappingUnit::respond_page_group(const Invalidation& inv) {
    if (!endpoints) return;
    iommu::PageResponse r{inv.sid, inv.pasid_present, inv.pasid_present ? inv.pasid : 0, inv.prg_index,
                          iommu::PrgResponse::ResponseFailure};
    if (inv.response_code == 0) r.code = iommu::PrgResponse::Success;
    if (inv.response_code == 1) r.code = iommu::PrgResponse::InvalidRequest;
    endpoints->page_response(r);
}

}  // namespace vtd
