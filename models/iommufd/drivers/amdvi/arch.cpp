#include "models/iommufd/drivers/amdvi/arch.h"

#include "models/iommufd/drivers/amdvi/amdvi_driver.h"
#include "models/iommufd/drivers/driver_arch.h"

namespace iommufd::amdvi {

const DriverArch& driver_arch() { return params_driver_arch<DriverParams, Driver>(); }

}  // namespace iommufd::amdvi
