#include "workloads/prp.h"

#include <stdexcept>

namespace workload {

uint32_t prp_pages(uint64_t iova, uint64_t bytes) {
    const uint64_t offset = iova % kPrpPageBytes;
    return uint32_t((offset + bytes + kPrpPageBytes - 1) / kPrpPageBytes);
}

Prp build_prp(uint64_t iova, uint64_t bytes, uint64_t list_iova, std::vector<uint64_t>& list) {
    list.clear();
    const uint32_t pages = prp_pages(iova, bytes);
    const uint64_t second = iova / kPrpPageBytes * kPrpPageBytes + kPrpPageBytes;
    if (pages == 1) return {iova, 0, false};
    if (pages == 2) return {iova, second, false};
    if (pages - 1 > kPrpListEntries) throw std::length_error("PRP list longer than a page");
    for (uint32_t i = 1; i < pages; ++i) list.push_back(second + (i - 1) * kPrpPageBytes);
    return {iova, list_iova, true};
}

}  // namespace workload
