#include "tests/support/flat/flat_domain.h"

#include <algorithm>

#include "tests/support/flat/flat_driver_encoding.h"

namespace flat_driver {

using namespace enc;
using iommufd::Errno;

// EINVAL for what the table cannot hold (flat_spec.h section 6); EEXIST over a
// present entry.
Errno Domain::map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) {
    if (size != 4096 || (iova | pa) % 4096 || (iova >> 12) >= entries_) return Errno::Inval;
    if ((pa & ~kAddrMask) || !(prot & (iommufd::kRead | iommufd::kWrite))) return Errno::Inval;
    const uint64_t at = table_ + 8 * (iova >> 12);
    if (d_.read_entry(at) & (kPteRead | kPteWrite)) return Errno::Exist;
    uint64_t e = pa | (snoop_ ? kPteSnoop : 0);
    if (prot & iommufd::kRead) e |= kPteRead;
    if (prot & iommufd::kWrite) e |= kPteWrite;
    d_.write_entry(at, e);
    has_mappings_ = true;
    return Errno::Ok;
}

void Domain::clear(uint64_t iova, uint64_t size) {
    if (!size) return;
    const uint64_t first = iova >> 12;
    const uint64_t last = std::min((iova + size - 1) >> 12, entries_ - 1);
    for (uint64_t i = first; i <= last; ++i) {
        const uint64_t at = table_ + 8 * i;
        if (d_.read_entry(at) & (kPteRead | kPteWrite)) d_.write_entry(at, 0);
    }
}

// Strict: PAGE invalidations for a few pages, the whole DOMAIN beyond.
void Domain::unmap(uint64_t iova, uint64_t size) {
    clear(iova, size);
    if (!size) return;
    const uint64_t first = iova >> 12, last = (iova + size - 1) >> 12;
    if (last - first + 1 > kPageInvalidations) return flush_all();
    for (uint64_t p = first; p <= last; ++p) d_.invalidate(kInvPage | inv_did(did_), p << 12);
    d_.invalidate_atcs(did_, iova, size);
}

void Domain::unmap_deferred(uint64_t iova, uint64_t size) { clear(iova, size); }

void Domain::flush_all() {
    d_.invalidate(kInvDomain | inv_did(did_));
    d_.invalidate_atcs(did_, 0, 0);
}

bool Domain::enforce_cache_coherency() {
    if (snoop_) return true;
    if (!cap_sc(d_.cap()) || has_mappings_) return false;
    snoop_ = true;
    return true;
}

}  // namespace flat_driver
