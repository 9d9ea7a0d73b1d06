// The platform as the mapping engine's VT-d driver sees it: the unit's register page
// by MMIO, and memory through the CPU's cache (the unit's walks snoop it when ECAP.C
// says so; otherwise the driver flushes, as clflush would).
#pragma once

#include "models/iommufd/drivers/vtd/vtd_driver.h"
#include "models/memory/memory_controller.h"
#include "models/vtd/remapping_unit.h"

namespace platform {

class VtdMachine : public iommufd::vtd::Machine {
public:
    VtdMachine(vtd::RemappingUnit& unit, memory::MemoryController& mem) : unit_(unit), mem_(mem) {}
    uint64_t read_reg(uint32_t offset, unsigned size) override { return unit_.read(offset, size); }
    void write_reg(uint32_t offset, uint64_t v, unsigned size) override { unit_.write(offset, v, size); }
    uint64_t read64(uint64_t pa) override {
        uint64_t v = 0;
        mem_.cache().cpu_read(pa, &v, 8);
        return v;
    }
    void write64(uint64_t pa, uint64_t v) override { mem_.cache().cpu_write(pa, &v, 8); }
    void flush(uint64_t pa, uint64_t bytes) override { mem_.cache().cpu_flush(pa, bytes); }

private:
    vtd::RemappingUnit& unit_;
    memory::MemoryController& mem_;
};

}  // namespace platform
