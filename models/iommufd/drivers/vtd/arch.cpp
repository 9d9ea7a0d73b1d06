#include "models/iommufd/drivers/vtd/arch.h"

#include "models/iommufd/drivers/driver_arch.h"
#include "models/iommufd/drivers/vtd/vtd_driver.h"

namespace iommufd::vtd {

const DriverArch& driver_arch() { return params_driver_arch<DriverParams, Driver>(); }

}  // namespace iommufd::vtd
