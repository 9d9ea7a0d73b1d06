// The IOMMU part of a platform's configuration: which architecture sits on the DMA
// path ([iommu] arch), the engine's pipeline ([iommu]), the VT-d unit ([vtd],
// [vtd.iotlb], [vtd.context_cache], [vtd.pasid_cache], [vtd.walk_cache], shared with
// `iommu-sim walk --set`), and the boot-time mapping that stands in for a driver until
// the mapping engine programs the unit ([iommu.map]).
#pragma once

#include <cstdint>
#include <string>

#include "models/iommu/pipeline.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "models/vtd/capabilities.h"
#include "models/vtd/remapping_unit.h"

namespace platform {

struct IommuChoice {
    std::string arch = "none";  // none | vtd
    void bind(sim::ParamBinder& b);
};

// Every device's window [base, base + window) mapped 1:1 at boot, in legacy mode,
// one domain per device (DID = device index + 1).
struct BootMapParams {
    std::string map = "identity";        // identity | none
    uint64_t page_size = 4096;           // 4K, 2M or 1G leaves
    uint32_t levels = 4;                 // second-level table depth: 3, 4 or 5
    uint64_t table_base = 0x1000'0000;   // where the boot tables are allocated
    bool snoop = false;                  // SNP in every leaf: DMA always snoops (ECAP.SC)
    void bind(sim::ParamBinder& b);
    void validate() const;
};

struct VtdConfig {
    vtd::Capabilities caps;
    vtd::UnitParams unit;
};

// [vtd] and its cache sections, in a schema and from a configuration.
void declare_vtd(sim::ParamSchema& s);
VtdConfig read_vtd(const sim::Config& cfg, uint64_t seed);

}  // namespace platform
