// The IOMMU part of a platform's configuration: which architecture sits on the DMA
// path ([iommu] arch, from the registry in archs.h), its hardware's sections and its
// driver's ([iommufd.<arch>]), the engine's pipeline ([iommu]), and the boot-time
// mapping the architecture's own driver makes when no workload maps ([iommu.map]).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "models/iommu/arch.h"
#include "models/iommu/pipeline.h"
#include "models/iommufd/driver.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "platforms/archs.h"

namespace platform {

struct IommuChoice {
    std::string arch = "none";  // none | a registered architecture
    void bind(sim::ParamBinder& b);
};

// Every device's window [base, base + window) mapped 1:1 at boot through the
// architecture's driver: one domain per requester ID, the device attached.
struct BootMapParams {
    std::string map = "identity";        // identity | none
    uint64_t page_size = 4096;           // leaf size; one the driver's domains support
    uint64_t table_base = 0x1000'0000;   // where the driver allocates its tables
    bool snoop = false;                  // the domains enforce cache coherency
    void bind(sim::ParamBinder& b);
    void validate() const;
};

// The chosen architecture and its configuration; arch == nullptr: none.
struct ArchConfig {
    const Arch* arch = nullptr;
    std::shared_ptr<const iommu::UnitConfig> unit;
    std::shared_ptr<const iommufd::DriverConfig> driver;
};

// Every registered architecture's sections, hardware and driver.
void declare_archs(sim::ParamSchema& s);
// Reads them all (so a bad value is an error whichever is chosen); the chosen one.
ArchConfig read_arch(const sim::Config& cfg, const std::string& name, uint64_t seed);

}  // namespace platform
