// The seed generators' machine (make_seeds_smmuv3, make_seeds_amdvi): the driver's
// StoreMachine with every write it makes also encoded as an op of the target's input
// language (`ops`, seed_writer.h's RecordOps, which the target's ops header declares).
// A memory write that
// leaves the qword as it was (the driver clearing fresh, zeroed pages) is left out:
// the seeds stay small and replay the same.
#pragma once

#include <cstdint>
#include <stdexcept>

#include "models/memory/sparse_memory.h"
#include "platforms/machine.h"
#include "tests/fuzz/seed_writer.h"

namespace fuzz {

template <const RecordOps& ops>
class Recorder : public platform::StoreMachine {
public:
    Recorder(iommu::Unit& unit, memory::SparseMemory& mem, Encoder& out)
        : StoreMachine(unit, mem), mem_(mem), out_(out) {}
    void write_reg(uint32_t offset, uint64_t v, unsigned size) override {
        if (ops.mmio_offset(ops.mmio_operand(offset), size) != offset)
            throw std::runtime_error("the driver wrote a register the op cannot name");
        out_.put(size == 8 ? ops.write64 : ops.write32, 1);
        out_.put(ops.mmio_operand(offset), 2);
        out_.put(v, size);
        StoreMachine::write_reg(offset, v, size);
    }
    void write64(uint64_t pa, uint64_t v) override {
        if (pa < ops.window || pa - ops.window >= ops.window_bytes || pa % 8)
            throw std::runtime_error("the driver wrote outside the table window");
        if (mem_.read_u64(pa) == v) return;
        out_.put(ops.store, 1);
        out_.put((pa - ops.window) / 8, 3);
        out_.put(v, 8);
        StoreMachine::write64(pa, v);
    }

private:
    memory::SparseMemory& mem_;
    Encoder& out_;
};

}  // namespace fuzz
