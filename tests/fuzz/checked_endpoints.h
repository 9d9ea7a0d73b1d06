// The endpoints behind a unit under fuzzing (smmuv3_cmdq, amdvi_cmdbuf), checking what
// the unit's commands send them (ats.h): an ATS invalidation spans a power of two of
// at least 4 KiB from an address aligned to it (or everything: size 0), and a PRG
// response carries a 9-bit PRG index and one of the three PCIe codes (PCIe 10.3.1,
// 10.4.2).
#pragma once

#include "models/iommu/ats.h"
#include "models/sim/format.h"
#include "tests/fuzz/fuzz_input.h"

namespace fuzz {

struct CheckedEndpoints : iommu::Endpoints {
    void invalidate(const iommu::AtsInvalidation& inv) override {
        const bool all = inv.size == 0 && inv.addr == 0;
        if (!all && (inv.size < 4096 || (inv.size & (inv.size - 1)) || (inv.addr & (inv.size - 1))))
            fail("ATC invalidation of " + sim::hex(inv.size) + " bytes at " + sim::hex(inv.addr));
        ++invalidations;
    }
    void page_response(const iommu::PageResponse& r) override {
        const auto c = r.code;
        if (r.prg_index > 0x1ff || (c != iommu::PrgResponse::Success && c != iommu::PrgResponse::InvalidRequest &&
                                    c != iommu::PrgResponse::ResponseFailure))
            fail("PRG response index " + sim::hex(r.prg_index));
        ++responses;
    }
    unsigned invalidations = 0, responses = 0;
};

}  // namespace fuzz
