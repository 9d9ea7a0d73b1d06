// The VT-d translation caches (spec 6.2): the context-cache, tagged by source-id; the
// PASID-cache (scalable mode), tagged by source-id and PASID and holding the domain it
// names; the IOTLB, tagged by domain, PASID and page number at each page size; and
// the paging-structure caches.
// Both are SetAssocCaches of the vendor-neutral engine. Until software invalidates
// them (register-based or queued invalidation, invalidation.h), cached entries keep
// translating, as on hardware.
#pragma once

#include <cstdint>
#include <string>

#include "models/iommu/set_assoc_cache.h"

namespace vtd {

// Context-cache: the context entry of one requester, as read (both qwords).
struct ContextKey {
    uint16_t sid = 0;
    bool operator==(const ContextKey& o) const { return sid == o.sid; }
};
struct ContextValue {
    uint64_t lo = 0, hi = 0;
    uint16_t did() const { return uint16_t(hi >> 8); }
};
struct ContextIndex {
    uint64_t operator()(const ContextKey& k) const { return k.sid ^ (k.sid >> 5); }
};
using ContextCache = iommu::SetAssocCache<ContextKey, ContextValue, ContextIndex>;

// PASID-cache: one scalable-mode PASID-table entry (qwords 0-2) and the FPD of the
// directory entry above it, for one requester and PASID.
struct PasidKey {
    uint16_t sid = 0;
    uint32_t pasid = 0;
    bool operator==(const PasidKey& o) const { return sid == o.sid && pasid == o.pasid; }
};
struct PasidValue {
    uint64_t q[3] = {};
    bool dir_fpd = false;
    uint16_t did() const { return uint16_t(q[1]); }
};
struct PasidIndex {
    uint64_t operator()(const PasidKey& k) const { return k.pasid ^ (uint64_t(k.sid) << 3); }
};
using PasidCache = iommu::SetAssocCache<PasidKey, PasidValue, PasidIndex>;

// IOTLB: one translation of a page of `size_log2` bits.
struct IotlbKey {
    uint16_t did = 0;
    uint32_t pasid = 0;       // RID_PASID / no PASID in legacy mode: 0
    uint64_t vpn = 0;         // iova >> size_log2
    uint8_t size_log2 = 12;
    // In this order no two neighbouring tests are of fields in one 8-byte word: GCC
    // merged such a pair into one masked 8-byte compare, storing a key it held in
    // registers to the stack field by field to read it back whole, a load the host's
    // store forwarding cannot serve.
    bool operator==(const IotlbKey& o) const {
        return vpn == o.vpn && pasid == o.pasid && size_log2 == o.size_log2 && did == o.did;
    }
};
struct IotlbValue {
    uint64_t pa_base = 0;
    bool read = false, write = false;
    bool snoop_forced = false;  // SNP (or PGSNP) with ECAP.SC
    // Scalable mode: the privilege and execute attributes the walk was made for (a
    // request with others walks again), and whether a write must walk to set D (the
    // filling walk did not, under SSADE).
    bool priv = false, exec = false;
    bool write_walks = false;
};
struct IotlbIndex {
    uint64_t operator()(const IotlbKey& k) const {
        return k.vpn ^ (uint64_t(k.did) << 7) ^ (uint64_t(k.size_log2) << 3);
    }
};
using Iotlb = iommu::SetAssocCache<IotlbKey, IotlbValue, IotlbIndex>;

// Paging-structure cache of one level (spec 6.2.4): the non-leaf entry at `level`
// that covers iova >> (12 + 9 * (level - 1)), the table it points to, and the
// permissions combined down to it. A hit lets the walk skip the levels above.
struct WalkCacheKey {
    uint16_t did = 0;
    uint64_t prefix = 0;
    bool operator==(const WalkCacheKey& o) const { return prefix == o.prefix && did == o.did; }
};
struct WalkCacheValue {
    uint64_t table = 0;
    bool read = false, write = false;
};
struct WalkCacheIndex {
    uint64_t operator()(const WalkCacheKey& k) const { return k.prefix ^ (uint64_t(k.did) << 5); }
};
using WalkCache = iommu::SetAssocCache<WalkCacheKey, WalkCacheValue, WalkCacheIndex>;

}  // namespace vtd
