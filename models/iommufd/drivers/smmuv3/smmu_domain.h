// A stage-1 VMSAv8-64 table set with one ASID (Linux's arm_smmu_domain over
// io-pgtable-arm's ARM_64_LPAE_S1 format): what the driver's Domain writes for iommufd.
// Private to the driver.
#pragma once

#include <cstdint>
#include <vector>

#include "models/iommufd/domain.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

// 4K granule, 48-bit input (T0SZ=16, start level 0): the largest granule not above the
// CPU's 4 KiB page, and the input size Linux gives stage 1 (VA_BITS, 48 without VAX).
class SmmuDomain : public Domain {
public:
    SmmuDomain(Driver& d, uint16_t asid);
    // io-pgtable's free flushes the ASID (tlb_flush_all); the ASID is then free.
    ~SmmuDomain() override;
    uint64_t page_sizes() const override;
    uint64_t aperture_end() const override;
    Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) override;
    void unmap(uint64_t iova, uint64_t size) override;
    void unmap_deferred(uint64_t iova, uint64_t size) override;
    void flush_all() override;
    bool enforce_cache_coherency() override;
    uint16_t asid() const { return asid_; }
    uint64_t root() const { return root_; }
    const Driver& driver() const { return d_; }
    // The CD of SSID 0 for a device attached to this domain (arm_smmu_make_s1_cd).
    void cd(uint64_t (&out)[8]) const;
    // The driver is gone: nothing to flush on destruction.
    void orphan() { orphaned_ = true; }

private:
    // Leaves of one size cleared over a contiguous range (Linux's iotlb gather).
    struct Run {
        uint64_t iova, size, granule;
    };
    static unsigned shift(unsigned level) { return 12 + 9 * (3 - level); }
    static uint64_t index(uint64_t iova, unsigned level) { return (iova >> shift(level)) & 511; }
    uint64_t slot(uint64_t iova, unsigned level, bool create);
    bool empty_table(uint64_t table, unsigned level) const;
    std::vector<Run> clear(uint64_t iova, uint64_t size);

    Driver& d_;
    uint16_t asid_;
    uint64_t root_;
    bool orphaned_ = false;
};

// Identity: the device's STE bypasses translation; nothing to map.
class IdentityDomain : public Domain {
public:
    uint64_t page_sizes() const override { return 4096; }
    Errno map(uint64_t, uint64_t, uint64_t, unsigned) override { return Errno::Inval; }
    void unmap(uint64_t, uint64_t) override {}
};

}  // namespace iommufd::smmuv3
