// Page Request Messages into the PPR log (48882 "Peripheral Page Service
// Request" logging, ppr_log.h). A request is logged when the IOMMU is enabled with PPRSup,
// CONTROL.PPREn, the requester's DTE is valid with PPR=1, and the log runs; otherwise
// (refused, log stopped or overflowed, entry write failed) page_request() returns false
// and the platform answers the device with Response Failure, so no device waits on a
// request nobody will see. Each entry logged with CONTROL.PprIntEn raises
// on_page_request_irq, as does the overflow that loses the first one.
#include "models/amdvi/amdvi_unit.h"

namespace amdvi {

// The requester's DTE as the unit sees it: cached, else read from the device table.
bool AmdviUnit::ppr_allowed(uint16_t device_id) const {
    if (!enabled() || !features_.ppr_sup || !(ctrl_ & ctrl::PPR_EN)) return false;
    if (const Dte* d = dte_cache_.peek({device_id})) return d->v && d->ppr;
    if (!dte_in_table(devtab_, device_id)) return false;
    const uint64_t at = dte_address(devtab_, device_id);
    uint64_t q[4] = {};
    for (unsigned i = 0; i < 4; ++i)
        if (!mem_.read_u64(at + 8 * i, q[i])) return false;
    const Dte d = decode_dte(q);
    return d.v && d.ppr;
}

bool AmdviUnit::page_request(const iommu::PageRequest& pr) {
    if (!ppr_allowed(pr.sid)) {
        ++ppr_refused_;
        return false;
    }
    const bool was_overflowed = ppr_log_.status_bits() & PprLog::kPprOverflow;
    const PprLog::Outcome o = ppr_log_.push(pr, mem_);
    const bool logged = o == PprLog::Outcome::Logged;
    if (logged) ++page_requests_;
    else ++ppr_refused_;
    const bool irq = logged || (o == PprLog::Outcome::Overflow && !was_overflowed);
    if (irq && (ctrl_ & ctrl::PPR_INT_EN) && on_page_request_irq) on_page_request_irq();
    return logged;
}

}  // namespace amdvi
