// A protection domain with v1 host page tables (spec §2.2.3; Linux io_pgtable.c) under
// its own DomainID: what the driver's Domain writes for iommufd. Private to the driver.
//
// A fixed depth (DriverParams::levels, DTE Mode) with no level skipped: every table
// entry names the level below (NextLevel = level - 1), with PR, IR and IW, as Linux's
// PM_LEVEL_PDE. Page sizes are Linux's AMD_IOMMU_PGSIZES (every power of two from 4 KiB,
// except 512 GiB) that have a leaf below the top level: 4 KiB, 2 MiB and 1 GiB pages are
// one entry with NextLevel = 0 at levels 1, 2 and 3; every other size is 2^k entries
// with NextLevel = 7 at the level below it, each holding the size in its address bits
// (PAGE_SIZE_PTE: the bits under the size's top bit set, that bit clear). Every leaf has
// FC, as Linux sets it always (IOMMU_PTE_FC: DMA through the domain is snooped).
#pragma once

#include <cstdint>

#include "models/iommufd/domain.h"
#include "models/iommufd/drivers/amdvi/amdvi_driver.h"

namespace iommufd::amdvi {

class AmdviDomain : public Domain {
public:
    AmdviDomain(Driver& d, uint16_t domid);
    // The DomainID is free again (amd_iommu_domain_free); attached devices were
    // detached and flushed first.
    ~AmdviDomain() override;
    uint64_t page_sizes() const override;
    uint64_t aperture_end() const override;
    Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) override;
    // Strict: the cleared range's INVALIDATE_IOMMU_PAGES (and INVALIDATE_IOTLB_PAGES)
    // and COMPLETION_WAIT before returning (amd_iommu_iotlb_sync).
    void unmap(uint64_t iova, uint64_t size) override;
    void unmap_deferred(uint64_t iova, uint64_t size) override;
    // The flush queue's flush: every page of the DomainID (amd_iommu_flush_iotlb_all).
    void flush_all() override;
    bool enforce_cache_coherency() override { return true; }  // FC is in every leaf
    // iommu_v1_iova_to_phys: 0 when nothing maps `iova`.
    uint64_t iova_to_phys(uint64_t iova) const;
    uint16_t domid() const { return domid_; }
    uint64_t root() const { return root_; }
    unsigned mode() const { return levels_; }
    const Driver& driver() const { return d_; }
    void orphan() { orphaned_ = true; }

private:
    // A page: its first (or only) entry, the level it sits at, its size.
    struct Leaf {
        uint64_t slot = 0, size = 0;
        unsigned level = 0;
        uint64_t entry = 0;
    };
    static unsigned shift(unsigned level) { return 12 + 9 * (level - 1); }
    static uint64_t index(uint64_t iova, unsigned level) { return (iova >> shift(level)) & 511; }
    bool is_leaf(uint64_t e, unsigned level) const;
    // The entry slot for `iova` at `level`, creating tables above it; 0 when a page is
    // in the way or memory ran out.
    uint64_t slot(uint64_t iova, unsigned level, bool create);
    // fetch_pte: the page holding `iova`; size 0 when unmapped (slot names the empty entry's level span then).
    Leaf find(uint64_t iova) const;
    bool empty_table(uint64_t table, unsigned level) const;
    // Clears every page in [iova, iova + size); the span they covered, [first, end).
    void clear(uint64_t iova, uint64_t size, uint64_t& first, uint64_t& end);

    Driver& d_;
    uint16_t domid_;
    unsigned levels_;
    uint64_t root_;
    bool orphaned_ = false;
};

// Linux's identity domain: DTE Mode 0 under one DomainID; nothing to map.
class IdentityDomain : public Domain {
public:
    IdentityDomain(const Driver& d, uint16_t domid) : d_(d), domid_(domid) {}
    uint64_t page_sizes() const override { return 4096; }
    Errno map(uint64_t, uint64_t, uint64_t, unsigned) override { return Errno::Inval; }
    void unmap(uint64_t, uint64_t) override {}
    uint16_t domid() const { return domid_; }
    const Driver& driver() const { return d_; }

private:
    const Driver& d_;
    uint16_t domid_;
};

}  // namespace iommufd::amdvi
