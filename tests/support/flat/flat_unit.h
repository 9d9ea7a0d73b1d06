// The FLAT translation unit (flat_spec.h): its register page, its two caches and its
// walks, as an iommu::Unit. Test-only; the engine drives it exactly as it drives VT-d.
//
// Statistics: translations, walks, walk_reads, faults (and faults.N per reason),
// inv.all, inv.device, inv.domain, inv.page, inv.atc, inv.errors, and the caches' own under
// iotlb.* and device_cache.*.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "models/iommu/cache_geometry.h"
#include "models/iommu/slotted_unit.h"
#include "tests/support/flat/flat_caches.h"
#include "tests/support/flat/flat_walker.h"

namespace flat {

struct UnitParams {
    uint64_t cap = 0;  // the CAP strap (flat_spec.h section 1)
    iommu::CacheGeometry iotlb{16, 4, "lru"};
    iommu::CacheGeometry device_cache{4, 4, "lru"};
    uint64_t seed = 1;
};

class Unit : public iommu::SlottedUnit<Walker> {
public:
    Unit(const UnitParams& p, iommu::HostMemory& mem);

    uint64_t read(uint32_t offset, unsigned size) const override;
    void write(uint32_t offset, uint64_t value, unsigned size) override;
    std::string fault_text(uint32_t reason) const override;

    bool lookup(const iommu::Request& r, iommu::Result& out) override;
    iommu::Result merged(const iommu::Request& r, const iommu::Result& walked) override;
    bool walks_snoop() const override;

    // The platform's strap of the read-only CAP register.
    void strap_cap(uint64_t cap) { cap_ = cap; }
    bool enabled() const { return status_ & 1; }

private:
    void write_ctrl(uint32_t v);
    void write_inv(uint64_t v);
    void invalidate(unsigned type, uint16_t sid, uint16_t did, uint64_t addr);
    void begin(Walker& w, const iommu::Request& r) override;
    iommu::Result end(Walker& w) override;
    iommu::HostMemory& walk_memory() override { return mem_; }
    void report(const iommu::Request& r, const iommu::Result& res);
    void record_fault(const iommu::Request& r, uint32_t reason);
    uint64_t read_record(uint32_t offset) const;
    void clear_record(uint32_t offset, uint64_t value);

    uint64_t cap_;
    uint32_t ctrl_ = 0, status_ = 0;
    uint64_t devtab_ = 0;        // as written
    uint64_t devtab_live_ = 0;   // latched at enable
    uint64_t inv_ = 0, inv_addr_ = 0;
    bool overflow_ = false;
    unsigned next_record_ = 0;
    struct Record {
        uint64_t addr = 0, info = 0;
    };
    std::vector<Record> records_;  // 16, the most NFR can give
    iommu::HostMemory& mem_;
    DeviceCache device_cache_;
    Iotlb iotlb_;

    sim::Counter translations_{*this, "translations", "", "requests translated or faulted"};
    sim::Counter walks_{*this, "walks", "", "table walks started"};
    sim::Counter walk_reads_{*this, "walk_reads", "", "8-byte table reads by walks"};
    sim::Counter faults_{*this, "faults", "", "translation faults"};
    std::map<uint32_t, std::unique_ptr<sim::Counter>> fault_reasons_;
    sim::Counter inv_all_{*this, "inv.all", "", "invalidations of every cache"};
    sim::Counter inv_device_{*this, "inv.device", "", "device-cache invalidations"};
    sim::Counter inv_domain_{*this, "inv.domain", "", "domain IOTLB invalidations"};
    sim::Counter inv_page_{*this, "inv.page", "", "page IOTLB invalidations"};
    sim::Counter inv_atc_{*this, "inv.atc", "", "ATC invalidations sent to devices (CAP.ATS)"};
    sim::Counter inv_errors_{*this, "inv.errors", "", "invalidations with an invalid TYPE"};
};

}  // namespace flat
