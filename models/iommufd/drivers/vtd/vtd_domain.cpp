#include "models/iommufd/drivers/vtd/vtd_domain.h"

#include "models/iommufd/drivers/vtd/encoding.h"

namespace iommufd::vtd {

using namespace enc;

uint64_t VtdDomain::page_sizes() const {
    const unsigned sllps = cap_sllps(d_.cap_);
    return 4096 | (sllps & 1 ? uint64_t(1) << 21 : 0) | (sllps & 2 ? uint64_t(1) << 30 : 0);
}


// intel_iommu_enforce_cache_coherency: only before the first mapping, and only where
// the unit has snoop control.
bool VtdDomain::enforce_cache_coherency() {
    if (snp_) return true;
    if (!ecap_sc(d_.ecap_) || has_mappings_) return false;
    snp_ = true;
    return true;
}

bool VtdDomain::empty_table(uint64_t table, unsigned level) {
    for (uint64_t i = 0; i < 512; ++i) {
        const uint64_t e = d_.m_.read64(table + i * 8);
        if (!(e & (kSlR | kSlW))) continue;
        if (level == 1 || (e & kSlPs) || !empty_table(e & kAddrMask, level - 1)) return false;
    }
    return true;
}

uint64_t VtdDomain::slot(uint64_t iova, unsigned level, bool create) {
    uint64_t table = root_;
    for (unsigned l = d_.levels_; l > level; --l) {
        const uint64_t at = table + index(iova, l) * 8;
        uint64_t e = d_.m_.read64(at);
        if (e & kSlPs) return 0;
        if (!(e & (kSlR | kSlW))) {
            if (!create) return 0;
            e = d_.new_table() | kSlR | kSlW;
            d_.write_entry(at, e);
        }
        table = e & kAddrMask;
    }
    return table + index(iova, level) * 8;
}

uint64_t VtdDomain::aperture_end() const { return (uint64_t(1) << (12 + 9 * d_.levels_)) - 1; }

Errno VtdDomain::map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) {
    // The table indexes only the address width's bits: anything above would alias a
    // low IOVA (intel_iommu_map refuses it with EFAULT).
    if (iova > aperture_end() || size - 1 > aperture_end() - iova) return Errno::Fault;
    unsigned level = 1;
    while (level_size(level) < size) ++level;
    if (level_size(level) != size || !(page_sizes() & size) || (iova | pa) % size) return Errno::Inval;
    const uint64_t at = slot(iova, level, true);
    if (!at) return Errno::Exist;
    // A large leaf may take the place of a lower table its range no longer uses (the
    // unmap that emptied it already flushed the paging-structure caches).
    const uint64_t old = d_.m_.read64(at);
    if ((old & (kSlR | kSlW)) && ((old & kSlPs) || level == 1 || !empty_table(old & kAddrMask, level - 1)))
        return Errno::Exist;
    uint64_t e = (pa & kAddrMask) | (level > 1 ? kSlPs : 0) | (snp_ ? kSlSnp : 0);
    has_mappings_ = true;
    if (prot & kRead) e |= kSlR;
    if (prot & kWrite) e |= kSlW;
    d_.write_entry(at, e);
    return Errno::Ok;
}

// Clears every leaf in the range.
void VtdDomain::clear(uint64_t iova, uint64_t size) {
    for (uint64_t a = iova; a < iova + size;) {
        uint64_t step = 4096;
        for (unsigned level = 1; level <= 3; ++level) {
            const uint64_t at = slot(a, level, false);
            if (!at) continue;
            const uint64_t e = d_.m_.read64(at);
            if (!(e & (kSlR | kSlW)) || (level > 1 && !(e & kSlPs))) continue;
            d_.write_entry(at, 0);
            step = level_size(level);
            break;
        }
        a = (a & ~(step - 1)) + step;
    }
}

// Strict: page-selective invalidation of the range, then each ATS device's device-TLB
// over it (the IOTLB first, or a device could refill from it), and a wait, before
// returning: Linux's cache_tag_flush_range, one batch.
void VtdDomain::unmap(uint64_t iova, uint64_t size) {
    clear(iova, size);
    d_.invalidate_iotlb(did_, iova, size);
    for (uint16_t sid : d_.ats_sids(did_)) d_.invalidate_dev_tlb(sid, iova, size);
    d_.wait();
}

void VtdDomain::unmap_deferred(uint64_t iova, uint64_t size) { clear(iova, size); }

// A flush queue's flush: the whole domain and each ATS device's whole device-TLB, as
// iommu_flush_iotlb_all (cache_tag_flush_all) does.
void VtdDomain::flush_all() {
    d_.invalidate_domain(did_);
    for (uint16_t sid : d_.ats_sids(did_)) d_.invalidate_dev_tlb(sid, 0, 0);
    d_.wait();
}

}  // namespace iommufd::vtd
