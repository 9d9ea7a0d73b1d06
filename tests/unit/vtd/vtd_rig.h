// A VT-d unit over a small legacy-mode table set, for the register and invalidation
// tests. The tables are raw qwords written from the spec's bit positions.
#pragma once

#include <memory>

#include "models/memory/sparse_memory.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "models/iommu/host_memory.h"
#include "tests/support/requests.h"

using vtd::RemappingUnit;
namespace reg = vtd::reg;

// Bus 0: root entry -> context table at 0x2000. devfn 8: 4-level table at 0x3000,
// DID 1, mapping iova 0x1000 read-only to 0x80001000. devfn 9: the same with FPD=1.
struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    vtd::Capabilities caps;
    vtd::UnitParams params;
    std::unique_ptr<RemappingUnit> owned = std::make_unique<RemappingUnit>(caps, params, host);
    RemappingUnit& unit = *owned;
    Rig() {
        mem.write_u64(0x1000, 0x2001);               // root[0]: CTP 0x2000, P
        mem.write_u64(0x2000 + 8 * 16, 0x3001);      // context[8]: SLPTPTR, P
        mem.write_u64(0x2000 + 8 * 16 + 8, 0x102);   // AW=2, DID=1
        mem.write_u64(0x2000 + 9 * 16, 0x3003);      // context[9]: P, FPD
        mem.write_u64(0x2000 + 9 * 16 + 8, 0x102);
        mem.write_u64(0x3000, 0x4003);
        mem.write_u64(0x4000, 0x5003);
        mem.write_u64(0x5000, 0x6003);
        mem.write_u64(0x6008, 0x80001001);           // R only
    }
    void enable(uint64_t rtaddr = 0x1000) {
        unit.write(reg::RTADDR, rtaddr, 8);
        unit.write(reg::GCMD, vtd::gcmd::SRTP, 4);
        unit.write(reg::GCMD, vtd::gcmd::TE, 4);
    }
    iommu::Result access(uint16_t sid, uint64_t iova, bool write) {
        return unit.translate(testutil::dma(sid, iova, write));
    }
    iommu::Result access_request(const iommu::Request& r) { return unit.translate(r); }
    uint64_t frcd(unsigned i, bool hi) { return unit.read(caps.fro * 16 + i * 16 + (hi ? 8 : 0), 8); }
};

