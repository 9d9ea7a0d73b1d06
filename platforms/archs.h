// The architectures the simulator knows: each pairs its hardware (models/<arch>) with
// its driver (models/iommufd/drivers/<arch>) under one name, the value of
// `[iommu] arch` and `walk --arch`, the prefix of its sections ([<name>...]) and of
// its driver's ([iommufd.<name>]). `none` is no IOMMU on the DMA path. The product's
// list is in archs.cpp; a test build may add architectures of its own before it
// declares any configuration.
#pragma once

#include <string>
#include <vector>

#include "models/iommu/arch.h"
#include "models/iommufd/driver.h"

namespace platform {

struct Arch {
    std::string name;
    const iommu::HardwareArch* hardware;
    const iommufd::DriverArch* driver;
    // Its driver's section: iommufd.<name>.
    std::string driver_section() const { return "iommufd." + name; }
};

// In registration order.
const std::vector<Arch>& archs();
// "vtd, flat": the registered names, for messages.
std::string arch_names();
// nullptr for an unknown name (and for none).
const Arch* find_arch(const std::string& name);
// Adds an architecture (tests); a name already there is replaced.
void register_arch(const Arch& a);

}  // namespace platform
