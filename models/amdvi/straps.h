// The platform straps of an AMD-Vi unit ([amdvi]): the Extended Feature Register
// fields (features.h), the PCI capability's IotlbSup (device IOTLBs / ATS, §3.2.1
// Capability Header bit 24) and whether the unit's own table reads can snoop.
// Defaults: an EPYC-like unit as Linux expects one: 6-level host tables (HATS 2),
// guest translation with 4-level guest tables and a two-level GCR3 table, 16-bit
// PASIDs (PASmax 15), PPR, NX, IA, GA, PC, x2APIC, host access/dirty, IOTLB support.
#pragma once

#include "models/amdvi/features.h"

namespace sim { class ParamBinder; }

namespace amdvi {

struct Straps {
    Features efr = typical();
    bool iotlb_sup = true;
    bool coherent = true;  // Control.Coherent can make table reads snoop

    void bind(sim::ParamBinder& b);
    void validate() const;

    static Features typical();
};

}  // namespace amdvi
