// An I/O page table a device can be attached to (Linux's iommu_domain): the mapping
// engine writes mappings into it page by page. The VT-d driver implements it over real
// tables in simulated memory; tests use a mock that records what it was told.
#pragma once

#include <cstdint>

#include "models/iommufd/errno.h"

namespace iommufd {

enum Prot : unsigned { kRead = 1, kWrite = 2 };

class Domain {
public:
    virtual ~Domain() = default;
    // Supported page sizes, a bitmap of powers of two (Linux pgsize_bitmap).
    virtual uint64_t page_sizes() const = 0;
    // Maps [iova, iova + size) to pa, size a supported page size, both aligned to it.
    virtual Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) = 0;
    // Removes the mappings in [iova, iova + size), which earlier map() calls created.
    virtual void unmap(uint64_t iova, uint64_t size) = 0;
};

}  // namespace iommufd
