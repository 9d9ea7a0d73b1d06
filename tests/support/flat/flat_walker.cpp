#include "tests/support/flat/flat_walker.h"

#include "tests/support/flat/flat_registers.h"

namespace flat {

uint32_t device_fault(uint64_t dte, uint64_t iova, uint64_t c) {
    if (!(dte & dte::V)) return fault::DEVICE_INVALID;
    if (!(dte & dte::T)) return fault::DEVICE_BLOCKED;
    // IOVA_BITS is a 6-bit field: a strap of 0..63 must not shift by 64.
    if (iova >> cap::iova_bits(c)) return fault::IOVA_RANGE;
    return 0;
}

iommu::Result from_pte(const iommu::Request& r, uint64_t e, uint64_t c) {
    iommu::Result res;
    res.fault = true;
    if (!(e & (pte::R | pte::W))) res.reason = fault::NOT_PRESENT;
    else if (r.write && !(e & pte::W)) res.reason = fault::WRITE;
    else if (r.read && !(e & pte::R)) res.reason = fault::READ;
    else res.fault = false;
    if (res.fault) return res;
    res.pa = pte::frame(e) | (r.iova & 0xfff);
    res.page_size = 4096;
    res.read = e & pte::R;
    res.write = e & pte::W;
    res.force_snoop = cap::sc(c) && (e & pte::SNP);
    res.snoop = res.force_snoop || !r.no_snoop;
    return res;
}

void Walker::start(const iommu::Request& r, uint64_t c, uint64_t devtab,
                   std::optional<uint64_t> cached_dte) {
    req_ = r;
    cap_ = c;
    reads_ = 0;
    did_ = 0;
    read_dte_.reset();
    pte_.reset();
    res_ = iommu::Result{};
    if (cached_dte) return after_device(*cached_dte);
    step_ = Step::Device;
    addr_ = devtab + 8 * uint64_t(r.sid);
}

void Walker::supply(uint64_t q, bool ok) {
    if (step_ == Step::Done) return;
    ++reads_;
    if (!ok) return fail(fault::TABLE_READ);
    if (step_ == Step::Device) {
        if (q & dte::V) read_dte_ = q;
        return after_device(q);
    }
    step_ = Step::Done;
    res_ = from_pte(req_, q, cap_);
    if (cap::ats(cap_) && req_.at == iommu::At::TranslationRequest) res_ = tr_answer(res_, q);
    if (q & (pte::R | pte::W)) pte_ = q;
}

// The answer of section 7 for a request with AT set, or nullopt for section 4's.
uint32_t ats_device_fault(const iommu::Request& r, uint64_t dte, uint64_t c) {
    if (!cap::ats(c) || r.at == iommu::At::Untranslated) return 0;
    if (r.at == iommu::At::Translated && !(dte & dte::V)) return fault::DEVICE_INVALID;
    if (r.at == iommu::At::Translated && !(dte & dte::T)) return fault::DEVICE_BLOCKED;
    if (r.at == iommu::At::TranslationRequest && device_fault(dte, r.iova, c)) return device_fault(dte, r.iova, c);
    return dte & dte::EATS ? 0u : uint32_t(fault::ATS_DISABLED);
}

iommu::Result tr_answer(const iommu::Result& res, uint64_t pte) {
    if (!res.fault || res.reason < fault::NOT_PRESENT || res.reason > fault::READ) return res;
    iommu::Result out;
    out.read = pte & pte::R;
    out.write = pte & pte::W;
    out.pa = out.read || out.write ? pte::frame(pte) : 0;
    out.page_size = 4096;
    return out;
}

void Walker::after_device(uint64_t dte) {
    if (cap::ats(cap_) && req_.at != iommu::At::Untranslated) {
        if (const uint32_t reason = ats_device_fault(req_, dte, cap_)) return fail(reason);
        if (req_.at == iommu::At::Translated) {
            step_ = Step::Done;
            res_ = iommu::untranslated(req_);
            return;
        }
    }
    if (const uint32_t reason = device_fault(dte, req_.iova, cap_)) return fail(reason);
    did_ = dte::did(dte);
    step_ = Step::Page;
    addr_ = dte::table(dte) + 8 * (req_.iova >> 12);
}

void Walker::fail(uint32_t reason) {
    step_ = Step::Done;
    res_ = iommu::Result{};
    res_.fault = true;
    res_.reason = reason;
}

}  // namespace flat
