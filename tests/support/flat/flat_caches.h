// The unit's two caches (flat_spec.h section 5), both SetAssocCaches of the engine:
// the device cache holds valid device-table entries by requester ID, the IOTLB holds
// present page-table entries by domain ID and page number.
#pragma once

#include <cstdint>

#include "models/iommu/set_assoc_cache.h"

namespace flat {

struct DeviceKey {
    uint16_t sid = 0;
    bool operator==(const DeviceKey& o) const { return sid == o.sid; }
};
struct DeviceIndex {
    uint64_t operator()(const DeviceKey& k) const { return k.sid ^ (k.sid >> 5); }
};
// The entry as read (V is always set).
using DeviceCache = iommu::SetAssocCache<DeviceKey, uint64_t, DeviceIndex>;

struct IotlbKey {
    uint16_t did = 0;
    uint64_t vpn = 0;  // iova >> 12
    bool operator==(const IotlbKey& o) const { return did == o.did && vpn == o.vpn; }
};
struct IotlbIndex {
    uint64_t operator()(const IotlbKey& k) const { return k.vpn ^ (uint64_t(k.did) << 7); }
};
// The page-table entry as read (R or W is set).
using Iotlb = iommu::SetAssocCache<IotlbKey, uint64_t, IotlbIndex>;

}  // namespace flat
