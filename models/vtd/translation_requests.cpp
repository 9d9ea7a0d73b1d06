// RemappingUnit's ATS answers (spec 4.1-4.2): what the context entry alone decides, and
// how a translation request's translation faults are completed.
#include "models/vtd/remapping_unit.h"

#include "models/vtd/legacy_walker.h"
#include "models/vtd/regs.h"
#include "models/vtd/scalable_walker.h"

namespace vtd {
namespace {

// Faults of the translation itself, not of the unit's programming: the address has no
// translation with the rights asked for (not present, permission, privilege, execute,
// beyond the address width, not canonical). Every other fault (root, context, PASID
// structures, reserved bits, table access errors, TT/DTE blocking) completes the
// translation request with Unsupported Request and is recorded (unless FPD).
bool translation_fault(uint32_t reason) {
    using namespace sm_fault;
    switch (reason) {
        case fault::ADDRESS_BEYOND_AW: case fault::WRITE: case fault::READ:
        case SFL_NOT_PRESENT: case SFL_NESTED_ADDR: case SFL_NESTED_TOP_READ: case SFL_NESTED_READ:
        case SSL_NOT_PRESENT:
            return true;
        default:
            return reason >= SGN_NON_CANONICAL && reason <= SGN_READ;
    }
}

}  // namespace

// A translated request, or a translation request the context entry blocks (legacy TT
// other than 01b, scalable DTE clear): the cached context entry decides without a
// walk — the walker run from it finishes at the context entry.
bool RemappingUnit::context_answer(const iommu::Request& r, const ContextValue& ctx, iommu::Result& out) {
    if (ttm() == unsigned(Ttm::Scalable)) {
        ScalableWalker walk(caps_, root_ & kRtaddrAddrMask);
        walk.start_from_context(r, ctx.lo, ctx.hi);
        if (!walk.done()) return false;
        out = walk.result();
    } else {
        LegacyWalker walk(caps_, root_ & kRtaddrAddrMask);
        walk.start_from_context(r, ctx.lo, ctx.hi);
        if (!walk.done()) return false;
        out = walk.result();
    }
    report(r, out);
    return true;
}

// A translation request whose translation faults completes successfully with R=W=0
// (spec 4.2.3: the device may then ask for the page with a page request) and is not
// recorded as a fault.
void RemappingUnit::answer_translation_request(const iommu::Request& r, iommu::Result& res) const {
    if (r.at != iommu::At::TranslationRequest || !res.fault || !translation_fault(res.reason)) return;
    res = iommu::Result{};
    res.pa = r.iova & ~uint64_t(0xfff);
    res.page_size = 4096;
    res.read = res.write = false;
}

}  // namespace vtd
