// Intel VT-d as the platform sees an architecture (iommu::HardwareArch): sections
// [vtd] (CAP/ECAP straps, capabilities.h) and [vtd.iotlb], [vtd.context_cache],
// [vtd.pasid_cache], [vtd.walk_cache] (cache geometry); one RemappingUnit.
#pragma once

#include "models/iommu/arch.h"
#include "models/vtd/capabilities.h"
#include "models/vtd/remapping_unit.h"

namespace vtd {

struct UnitConfig : iommu::UnitConfig {
    Capabilities caps;
    UnitParams unit;
};

const iommu::HardwareArch& hardware();

}  // namespace vtd
