// A second-level table set for one domain ID (spec 9.8): what the driver's Domain
// writes for iommufd. Private to the driver.
#pragma once

#include <cstdint>

#include "models/iommufd/domain.h"
#include "models/iommufd/drivers/vtd/vtd_driver.h"

namespace iommufd::vtd {

// A second-level table set for one domain ID.
class VtdDomain : public Domain {
public:
    VtdDomain(Driver& d, uint16_t did) : d_(d), did_(did), root_(d.new_table()) {}
    uint64_t page_sizes() const override;
    // The adjusted guest address width: 39, 48 or 57 bits for 3, 4 or 5 levels.
    uint64_t aperture_end() const override;
    Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) override;
    void unmap(uint64_t iova, uint64_t size) override;
    void unmap_deferred(uint64_t iova, uint64_t size) override;
    void flush_all() override;
    bool enforce_cache_coherency() override;
    uint16_t did() const { return did_; }
    bool snoops() const { return snp_; }
    // IOMMU_HWPT_ALLOC_DIRTY_TRACKING: the unit sets A/D bits (SSADE in scalable mode).
    bool dirty_tracking = false;
    uint64_t root() const { return root_; }

private:
    static uint64_t index(uint64_t iova, unsigned level) { return (iova >> (12 + 9 * (level - 1))) & 511; }
    static uint64_t level_size(unsigned level) { return uint64_t(4096) << (9 * (level - 1)); }
    // The entry for `iova` at `level`, creating tables above it; 0 if a large page is in the way.
    uint64_t slot(uint64_t iova, unsigned level, bool create);
    void clear(uint64_t iova, uint64_t size);
    // Whether the table at `table` (of entries at `level`) maps nothing.
    bool empty_table(uint64_t table, unsigned level);

    Driver& d_;
    uint16_t did_;
    bool snp_ = false;
    bool has_mappings_ = false;
    uint64_t root_;
};

// Pass-through (Linux's identity domain): the context entry (TT=10b) or PASID entry
// (PGTT=100b) lets requests through untranslated; a domain ID, nothing to map.
class VtdIdentityDomain : public Domain {
public:
    explicit VtdIdentityDomain(uint16_t did) : did_(did) {}
    uint64_t page_sizes() const override { return 4096; }
    Errno map(uint64_t, uint64_t, uint64_t, unsigned) override { return Errno::Inval; }
    void unmap(uint64_t, uint64_t) override {}
    uint16_t did() const { return did_; }

private:
    uint16_t did_;
};

}  // namespace iommufd::vtd
