// The AMD-Vi driver as the registry will name it (iommufd::DriverArch): its section
// [iommufd.amdvi] holds DriverParams. Not registered in platforms/archs.cpp until the
// hardware model is there to pair it with.
#pragma once

#include "models/iommufd/driver.h"

namespace iommufd::amdvi {

const DriverArch& driver_arch();

}  // namespace iommufd::amdvi
