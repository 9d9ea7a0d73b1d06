// The AMD-Vi driver as the registry (platforms/archs.cpp) names it, paired with
// amdvi::hardware() (iommufd::DriverArch): its section [iommufd.amdvi] holds
// DriverParams.
#pragma once

#include "models/iommufd/driver.h"

namespace iommufd::amdvi {

const DriverArch& driver_arch();

}  // namespace iommufd::amdvi
