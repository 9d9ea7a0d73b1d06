// The capability straps of an SMMUv3 as a platform configures them ([smmuv3]), and
// the SMMU_IDR0/1/3/5 values they make (IHI 0070 §6.3). Defaults: a typical SMMUv3.1
// with both stages, AArch64 tables, coherent walks, 16-bit ASID/VMID, two-level stream
// and CD tables, 16-bit StreamIDs, 20-bit SubstreamIDs, 48-bit OAS, all three granules,
// MSI and SEV, range invalidation, no HTTU/ATS/PRI/hypervisor (stage-1 EL2) support.
#pragma once

#include <cstdint>

#include "models/smmuv3/capabilities.h"

namespace sim { class ParamBinder; }

namespace smmuv3 {

struct Straps {
    Caps caps = typical();

    void bind(sim::ParamBinder& b);
    void validate() const;

    static Caps typical();
};

// IDR values with the fields the model follows set from `c`; everything else zero.
uint32_t encode_idr0(const Caps& c);
uint32_t encode_idr1(const Caps& c);
uint32_t encode_idr3(const Caps& c);
uint32_t encode_idr5(const Caps& c);

}  // namespace smmuv3
