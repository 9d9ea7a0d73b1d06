// AMD-Vi as the platform sees an architecture (iommu::HardwareArch): sections
// [amdvi] (the straps, straps.h), [amdvi.dte_cache], [amdvi.iotlb],
// [amdvi.pde_cache] (cache geometry) and [amdvi.cmdbuf] (command costs,
// command_cost.h); one AmdviUnit. platforms/archs.cpp pairs it with its iommufd driver.
#pragma once

#include "models/amdvi/amdvi_unit.h"
#include "models/amdvi/straps.h"
#include "models/iommu/arch.h"

namespace amdvi {

struct UnitConfig : iommu::UnitConfig {
    Straps straps;
    UnitParams unit;
};

const iommu::HardwareArch& hardware();

}  // namespace amdvi
