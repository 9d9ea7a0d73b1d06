// The SMMUv3 driver as the registry will name it (iommufd::DriverArch): its section
// [iommufd.smmuv3] holds DriverParams. Not registered in platforms/archs.cpp until the
// hardware model is there to pair it with.
#pragma once

#include "models/iommufd/driver.h"

namespace iommufd::smmuv3 {

const DriverArch& driver_arch();

}  // namespace iommufd::smmuv3
