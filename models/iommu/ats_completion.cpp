#include "models/iommu/ats_completion.h"

namespace iommu {

// Size encoding (PCIe 10.2.3.2): S=0 is 4 KiB; with S=1 the size is 2^(k+1) where k
// is the lowest address bit >= 12 that is 0, so bits 12..k-1 are ones.
uint64_t encode_ats_completion(const AtsCompletionFields& f) {
    uint64_t v = f.addr & ~(f.size - 1) & ~uint64_t(0xfff);
    if (f.size > 4096) v |= (((f.size >> 1) - 1) & ~uint64_t(0xfff)) | uint64_t(1) << 11;
    v |= uint64_t(f.no_snoop) << 10 | uint64_t(f.global) << 5 | uint64_t(f.exec) << 4 |
         uint64_t(f.priv) << 3 | uint64_t(f.untranslated_only) << 2 | uint64_t(f.write) << 1 |
         uint64_t(f.read);
    return v;
}

// R=W=0 ("no access") carries no address. The unit grants no execute here: Result
// has no execute permission of its own.
uint64_t ats_completion_of(const Request& r, const Result& res) {
    AtsCompletionFields f;
    f.read = res.read;
    f.write = res.write;
    if (!f.read && !f.write) return 0;
    f.size = res.page_size >= 4096 ? res.page_size : 4096;
    f.addr = res.pa & ~(f.size - 1);
    f.priv = r.priv;
    f.no_snoop = !res.snoop;
    return encode_ats_completion(f);
}

}  // namespace iommu
