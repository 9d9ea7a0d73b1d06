// What firmware and a driver would have done before the first DMA, standing in for
// the mapping engine until it programs the unit: legacy-mode tables mapping each
// device's window 1:1, then the enable sequence through the registers.
//
// The tables are written by the test-side encoder (tests/support/vtd_tables), which
// was written from the specification apart from the hardware decoder in models/vtd.
#pragma once

#include <vector>

#include "models/memory/sparse_memory.h"
#include "models/pcie/request_stream.h"
#include "models/vtd/remapping_unit.h"
#include "platforms/iommu_config.h"

namespace platform {

// The standard enable sequence (VT-d spec 10.4.4-5, as Linux's iommu_set_root_entry
// and iommu_enable_translation do): GCMD.SRTP latches RTADDR, then GCMD.TE; each
// write carries the enables GSTS already reports.
void enable_translation(vtd::RemappingUnit& unit);

// Writes the tables into `mem` and enables translation. One domain per requester ID
// (DID = index of its first device + 1); windows rounded out to the page size.
// Returns the end of the tables, which occupy [p.table_base, end).
uint64_t boot_identity_map(vtd::RemappingUnit& unit, memory::SparseMemory& mem,
                       const BootMapParams& p, const std::vector<pcie::GeneratorParams>& devs);

}  // namespace platform
