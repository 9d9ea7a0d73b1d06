// The machine as a driver's CPU sees it (iommufd::Machine): the unit's register page
// by MMIO, and memory either through the CPU's cache, as on a platform (the unit's
// walks snoop it or the driver flushes, as clflush would), or straight to a store,
// for a unit outside a platform.
#pragma once

#include "models/iommu/unit.h"
#include "models/iommufd/driver.h"
#include "models/memory/memory_controller.h"
#include "models/memory/sparse_memory.h"

namespace platform {

class UnitMmio : public iommufd::Machine {
public:
    // cycle_ns: the unit's clock period ([iommu] clock_mhz; 1 ns is its default).
    explicit UnitMmio(iommu::Unit& unit, double cycle_ns = 1.0) : unit_(unit), cycle_ns_(cycle_ns) {}
    uint64_t read_reg(uint32_t offset, unsigned size) override { return unit_.read(offset, size); }
    void write_reg(uint32_t offset, uint64_t v, unsigned size) override { unit_.write(offset, v, size); }
    double command_ns() override { return double(unit_.command_cycles()) * cycle_ns_; }

private:
    iommu::Unit& unit_;
    double cycle_ns_;
};

// Memory through the CPU's cache.
class CachedMachine : public UnitMmio {
public:
    CachedMachine(iommu::Unit& unit, memory::MemoryController& mem, double cycle_ns = 1.0)
        : UnitMmio(unit, cycle_ns), mem_(mem) {}
    uint64_t read64(uint64_t pa) override {
        uint64_t v = 0;
        mem_.cache().cpu_read(pa, &v, 8);
        return v;
    }
    void write64(uint64_t pa, uint64_t v) override { mem_.cache().cpu_write(pa, &v, 8); }
    void flush(uint64_t pa, uint64_t bytes) override { mem_.cache().cpu_flush(pa, bytes); }

private:
    memory::MemoryController& mem_;
};

// Memory written straight through: no cache to flush.
class StoreMachine : public UnitMmio {
public:
    StoreMachine(iommu::Unit& unit, memory::SparseMemory& mem, double cycle_ns = 1.0)
        : UnitMmio(unit, cycle_ns), mem_(mem) {}
    uint64_t read64(uint64_t pa) override { return mem_.read_u64(pa); }
    void write64(uint64_t pa, uint64_t v) override { mem_.write_u64(pa, v); }
    void flush(uint64_t, uint64_t) override {}

private:
    memory::SparseMemory& mem_;
};

}  // namespace platform
