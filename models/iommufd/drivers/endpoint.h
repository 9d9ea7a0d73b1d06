// Turning a device's ATS (and PRI) on or off through its config space, as every
// architecture's driver does it: PRI on before ATS, ATS off before PRI, the order of
// Linux's iommu_enable_pci_caps / iommu_disable_pci_caps (a page request needs ATS; an
// ATS request after PRI is gone would go unanswered).
#pragma once

#include "models/iommufd/driver.h"

namespace iommufd {

// `pri`: the unit takes page requests and the device has PRI.
inline void set_endpoint_ats(const EndpointCaps& caps, bool pri, bool on) {
    if (on && pri && caps.enable_pri) caps.enable_pri(true);
    if (caps.enable_ats) caps.enable_ats(on);
    if (!on && pri && caps.enable_pri) caps.enable_pri(false);
}

}  // namespace iommufd
