// The FLAT hardware as a plug-in (iommu::HardwareArch): sections [flat],
// [flat.iotlb] and [flat.device_cache], the unit, and the offline `walk` hooks.
#pragma once

#include <cstdint>

#include "models/iommu/arch.h"

namespace sim { class ParamBinder; }

namespace flat {

// [flat]: what the platform straps into CAP.
struct CapParams {
    uint64_t iova_bits = 37;  // every shipped workload's IOVAs fit (gpu_stream maps at 2^36)
    uint64_t fault_records = 8;
    bool snoop_control = true;
    bool coherent = true;
    bool ats = false;
    void bind(sim::ParamBinder& b);
    void validate() const {}
    uint64_t cap() const;
};

const iommu::HardwareArch& hardware();

}  // namespace flat
