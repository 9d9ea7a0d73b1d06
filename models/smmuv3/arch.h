// Arm SMMUv3 as the platform sees an architecture (iommu::HardwareArch): sections
// [smmuv3] (IDR straps, straps.h), [smmuv3.tlb], [smmuv3.config_cache] and
// [smmuv3.walk_cache.s1l0] .. [smmuv3.walk_cache.s2l2] (cache geometry, defaults from
// gem5's SMMUv3); one SmmuUnit. Not yet in platforms/archs.cpp:
// it is registered together with its iommufd driver.
#pragma once

#include "models/iommu/arch.h"
#include "models/smmuv3/smmu_unit.h"
#include "models/smmuv3/straps.h"

namespace smmuv3 {

struct UnitConfig : iommu::UnitConfig {
    Caps caps;
    UnitParams unit;
};

const iommu::HardwareArch& hardware();

}  // namespace smmuv3
