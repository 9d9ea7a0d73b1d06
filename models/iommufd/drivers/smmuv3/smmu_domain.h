// A VMSAv8-64 table set with its TLB tag (Linux's arm_smmu_domain over io-pgtable-arm):
// stage 1 (ARM_64_LPAE_S1) tagged by an ASID and reached through a CD, or stage 2
// (ARM_64_LPAE_S2) tagged by a VMID and reached straight from a stage-2 STE. What the
// driver's Domain writes for iommufd. Private to the driver.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "models/iommufd/domain.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

// 4K granule, the largest not above the CPU's 4 KiB page. Stage 1 translates a 48-bit
// input from level 0 (VA_BITS, 48 without VAX). Stage 2 translates the unit's IAS
// (Driver::s2_ias) and starts where io-pgtable's ARM_64_LPAE_S2 does: at level 1 with
// up to 16 concatenated tables when a level-0 table would hold 16 entries or fewer.
class SmmuDomain : public Domain {
public:
    enum class Stage { S1, S2 };
    // `tag`: the ASID (S1) or VMID (S2), the driver's to free.
    SmmuDomain(Driver& d, Stage stage, uint16_t tag, bool nest_parent = false);
    // io-pgtable's free flushes the tag (tlb_flush_all); the tag is then free.
    ~SmmuDomain() override;
    uint64_t page_sizes() const override;
    uint64_t aperture_end() const override;
    Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) override;
    void unmap(uint64_t iova, uint64_t size) override;
    void unmap_deferred(uint64_t iova, uint64_t size) override;
    void flush_all() override;
    bool enforce_cache_coherency() override;
    Stage stage() const { return stage_; }
    bool nest_parent() const { return nest_parent_; }
    uint16_t asid() const { return stage_ == Stage::S1 ? tag_ : 0; }
    uint16_t vmid() const { return stage_ == Stage::S2 ? tag_ : 0; }
    uint64_t root() const { return root_; }
    unsigned start_level() const { return start_; }
    const Driver& driver() const { return d_; }
    // The CD of SSID 0 for a device attached to this stage-1 domain (arm_smmu_make_s1_cd).
    void cd(uint64_t (&out)[8]) const;
    // The STE of a device attached to this stage-2 domain (arm_smmu_make_s2_domain_ste).
    void s2_ste(uint64_t (&out)[8]) const;
    // The driver is gone: nothing to flush on destruction.
    void orphan() { orphaned_ = true; }
    // StreamIDs of the attached devices with ATS enabled (Linux's nr_ats_masters and the
    // domain's master list), in order: each gets CMD_ATC_INV after the TLB's invalidation.
    const std::set<uint16_t>& ats_sids() const { return ats_sids_; }

private:
    // Leaves of one size cleared over a contiguous range (Linux's iotlb gather).
    struct Run {
        uint64_t iova, size, granule;
    };
    static unsigned shift(unsigned level) { return 12 + 9 * (3 - level); }
    uint64_t index(uint64_t iova, unsigned level) const {
        return (iova >> shift(level)) & ((uint64_t(1) << (level == start_ ? root_bits_ : 9)) - 1);
    }
    uint64_t leaf(uint64_t pa, unsigned level, unsigned prot) const;
    uint64_t slot(uint64_t iova, unsigned level, bool create);
    bool empty_table(uint64_t table, unsigned level) const;
    std::vector<Run> clear(uint64_t iova, uint64_t size);
    // The first dword of this domain's TLBI_NH_VA or TLBI_S2_IPA: opcode and tag.
    uint64_t tlbi_va_op() const;
    // Every cached translation of [iova, iova + size) whose `granule` leaves changed.
    void invalidate(const std::vector<Run>& runs, bool leaf);
    // arm_smmu_atc_inv_domain: CMD_ATC_INV of [iova, iova + size) (size 0: all) for each
    // ATS device, then CMD_SYNC; nothing without one.
    void invalidate_atc(uint64_t iova, uint64_t size);

    Driver& d_;
    Stage stage_;
    uint16_t tag_;
    bool nest_parent_;
    unsigned ias_, start_, root_bits_;
    uint64_t root_;
    bool orphaned_ = false;
    friend class Driver;
    std::set<uint16_t> ats_sids_;
};

// Identity: the device's STE bypasses translation; nothing to map.
class IdentityDomain : public Domain {
public:
    uint64_t page_sizes() const override { return 4096; }
    Errno map(uint64_t, uint64_t, uint64_t, unsigned) override { return Errno::Inval; }
    void unmap(uint64_t, uint64_t) override {}
};

}  // namespace iommufd::smmuv3
