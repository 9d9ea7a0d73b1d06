#include "models/iommufd/drivers/smmuv3/arch.h"

#include "models/iommufd/drivers/driver_arch.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

const DriverArch& driver_arch() { return params_driver_arch<DriverParams, Driver>(); }

}  // namespace iommufd::smmuv3
