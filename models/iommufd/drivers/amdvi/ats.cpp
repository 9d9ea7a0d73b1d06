// ATS and PRI for devices behind the unit (spec: the DTE's I bit, INVALIDATE_IOTLB_PAGES,
// the PPR log), as Linux's amd_iommu_capable(IOMMU_CAP_PCI_ATS_SUPPORTED),
// pdev_enable_cap_ats and pdev_disable_caps decide it.
#include "models/iommufd/drivers/amdvi/amdvi_driver.h"
#include "models/iommufd/drivers/endpoint.h"

namespace iommufd::amdvi {

// amd_iommu_iotlb_sup (the unit's IotlbSup) and the device's ATS capability.
bool Driver::ats_supported(uint16_t devid) { return params_.iotlb_sup && devices_[devid].caps.ats; }

// Page requests need the PPR log (EFR.PPRSup) and ATS on at a device with PRI.
bool Driver::pri_used(const DeviceState& dev) const { return ppr_log_ && dev.caps.pri && dev.ats; }

void Driver::set_endpoint(uint16_t devid, bool on) {
    DeviceState& dev = devices_[devid];
    set_endpoint_ats(dev.caps, ppr_log_ && dev.caps.pri, on);
    dev.ats = on;
    if (!on && dev.domid) use_[dev.domid].ats.erase(devid);
}

}  // namespace iommufd::amdvi
