// An I/O page table a device can be attached to (Linux's iommu_domain): the mapping
// engine writes mappings into it page by page, and the driver operations it needs of a
// device. The VT-d driver implements both over real tables and registers in simulated
// memory; tests use mocks that record what they were told.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/iommufd/errno.h"

namespace iommufd {

// An inclusive IOVA range [start, last], as Linux writes them (so the top of the
// 64-bit space is expressible).
struct IovaRange {
    uint64_t start = 0, last = 0;
};

enum Prot : unsigned { kRead = 1, kWrite = 2 };

// IOMMU_HWPT_ALLOC flags (enum iommufd_hwpt_alloc_flags).
enum HwptFlags : uint32_t {
    kHwptNestParent = 1u << 0,
    kHwptDirtyTracking = 1u << 1,
    kHwptFaultIdValid = 1u << 2,
};


class Domain {
public:
    virtual ~Domain() = default;
    // Supported page sizes, a bitmap of powers of two (Linux pgsize_bitmap).
    virtual uint64_t page_sizes() const = 0;
    // The highest IOVA the domain can translate (Linux's geometry.aperture_end): an
    // IOAS the domain is attached to reserves every IOVA above it.
    virtual uint64_t aperture_end() const { return ~uint64_t(0); }
    // Maps [iova, iova + size) to pa, size a supported page size, both aligned to it.
    virtual Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) = 0;
    // Removes the mappings in [iova, iova + size), which earlier map() calls created,
    // and invalidates the IOMMU's caches before returning (strict).
    virtual void unmap(uint64_t iova, uint64_t size) = 0;
    // Deferred invalidation: removes the mappings without invalidating; cached
    // translations stay usable until flush_all().
    virtual void unmap_deferred(uint64_t iova, uint64_t size) { unmap(iova, size); }
    // Invalidates everything the IOMMU caches for this domain, and waits for it.
    virtual void flush_all() {}
    // Makes every later mapping force snooping (Linux's enforce_cache_coherency op);
    // false when the unit cannot, or the domain already holds mappings without it.
    virtual bool enforce_cache_coherency() { return false; }
};

// What IOMMU_GET_HW_INFO reports (struct iommu_hw_info): the type of the driver's
// data, its fields in the order of that type's uAPI struct (iommu_hw_info_vtd:
// cap_reg, ecap_reg; ...), and the generic capabilities.
struct HwInfo {
    uint32_t type = 0;          // enum iommu_hw_info_type: 0 NONE, 1 INTEL_VTD, ...
    std::vector<std::pair<std::string, uint64_t>> data;
    uint64_t capabilities = 0;  // enum iommufd_hw_capabilities: bit 0 DIRTY_TRACKING
};

// What the engine asks of a device's IOMMU driver (the iommu_ops iommufd uses).
class DeviceOps {
public:
    virtual ~DeviceOps() = default;
    // A paging domain for the device (domain_alloc_paging_flags); EOPNOTSUPP for
    // IOMMU_HWPT_ALLOC flags the unit cannot honour.
    virtual Errno alloc_domain(uint32_t hwpt_flags, std::unique_ptr<Domain>& out) = 0;
    // An identity domain (Linux's ops->identity_domain, what iommu.passthrough=1 makes
    // the default domain): an attached device's DMA addresses are physical ones, all
    // of memory, nothing to map. EOPNOTSUPP when the unit cannot pass through.
    virtual Errno alloc_identity_domain(std::unique_ptr<Domain>&) { return Errno::OpNotSupp; }
    // Points the device at `d`, replacing the domain it had, without a gap.
    virtual Errno attach(Domain& d) = 0;
    // Blocks the device's DMA.
    virtual void detach() = 0;
    // IOMMU_CAP_ENFORCE_CACHE_COHERENCY: the unit can force snooping (VT-d ECAP.SC).
    virtual bool can_enforce_cache_coherency() const { return false; }
    virtual HwInfo hw_info() const { return {}; }
    // IOVA ranges the device must never be given (Linux's get_resv_regions: the x86
    // MSI window, say); iommufd reserves them in every IOAS the device attaches to.
    virtual std::vector<IovaRange> reserved_regions() const { return {}; }
};

}  // namespace iommufd
