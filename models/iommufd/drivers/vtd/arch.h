// The VT-d driver as the registry names it (iommufd::DriverArch): its section
// [iommufd.vtd] holds DriverParams.
#pragma once

#include "models/iommufd/driver.h"

namespace iommufd::vtd {

const DriverArch& driver_arch();

}  // namespace iommufd::vtd
