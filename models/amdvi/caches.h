// The AMD-Vi translation caches (§2.2 "Data Structures" caching rules, §2.4.3
// INVALIDATE_IOMMU_PAGES with PDE=1): a device table entry cache by DeviceID, an
// IOTLB of leaf translations tagged by DomainID, and for guest translations also by
// PASID (GVA to SPA, nesting included), and a page directory entry cache of host
// tables tagged by DomainID, level and the input bits above that level. There is no
// guest page directory cache: a guest walk reads every level. SetAssocCaches of the
// engine; they keep answering until a command removes what they hold.
#pragma once

#include <cstdint>

#include "models/amdvi/dte.h"
#include "models/amdvi/host_walk.h"
#include "models/iommu/set_assoc_cache.h"

namespace amdvi {

struct DteKey {
    uint16_t device_id = 0;
    bool operator==(const DteKey& o) const { return device_id == o.device_id; }
};
struct DteIndex {
    uint64_t operator()(const DteKey& k) const { return k.device_id; }
};
using DteCache = iommu::SetAssocCache<DteKey, Dte, DteIndex>;

// One leaf translation of an input page of 2^size_log2 bytes: a host one (guest=false,
// pasid 0) or a guest one of `pasid` (0 for GIoV requests without a PASID).
struct IotlbKey {
    uint16_t domain_id = 0;
    uint64_t vpn = 0;
    uint8_t size_log2 = 12;
    bool guest = false;
    uint32_t pasid = 0;
    bool operator==(const IotlbKey& o) const {
        return vpn == o.vpn && domain_id == o.domain_id && size_log2 == o.size_log2 && guest == o.guest &&
               pasid == o.pasid;
    }
};
struct IotlbValue {
    uint64_t pa_base = 0;
    bool ir = false, iw = false;  // the tables' permissions (the DTE's apply on a hit)
    bool fc = false, u = false;
    // A write must walk when a read filled the entry and the walk would set a dirty
    // bit (the host's with HAD, the guest leaf's D).
    bool write_walks = false;
    // Guest entries: U/S and NX over the guest levels, and whether host tables took
    // part (a GN=0 invalidation of the domain drops them).
    bool user = true, exec = true, nested = false;
};
struct IotlbIndex {
    uint64_t operator()(const IotlbKey& k) const {
        return k.vpn ^ (uint64_t(k.domain_id) << 7) ^ (uint64_t(k.size_log2) << 3) ^ (uint64_t(k.pasid) << 11);
    }
};
using Iotlb = iommu::SetAssocCache<IotlbKey, IotlbValue, IotlbIndex>;

// The page directory entry at `level` covering input >> level_shift(level).
struct PdeKey {
    uint16_t domain_id = 0;
    uint8_t level = 0;
    uint64_t prefix = 0;
    bool operator==(const PdeKey& o) const {
        return prefix == o.prefix && domain_id == o.domain_id && level == o.level;
    }
};
struct PdeIndex {
    uint64_t operator()(const PdeKey& k) const {
        return k.prefix ^ (uint64_t(k.domain_id) << 5) ^ (uint64_t(k.level) << 2);
    }
};
using PdeCache = iommu::SetAssocCache<PdeKey, PdeStep, PdeIndex>;

}  // namespace amdvi
