// HostMemory over a SparseMemory, for the unit outside a platform (offline walks,
// tests): accesses at or above `size` fail, as accesses above installed memory do.
#pragma once

#include <cstdint>

#include "models/memory/sparse_memory.h"
#include "models/vtd/remapping_unit.h"

namespace vtd {

class StoreMemory : public HostMemory {
public:
    explicit StoreMemory(memory::SparseMemory& m, uint64_t size = ~uint64_t(0)) : m_(m), size_(size) {}
    bool read_u64(uint64_t pa, uint64_t& v) override {
        if (!fits(pa, 8)) return false;
        v = m_.read_u64(pa);
        return true;
    }
    bool write_u32(uint64_t pa, uint32_t v) override {
        if (!fits(pa, 4)) return false;
        m_.write(pa, &v, 4);
        return true;
    }
    bool write_u64(uint64_t pa, uint64_t v) override {
        if (!fits(pa, 8)) return false;
        m_.write_u64(pa, v);
        return true;
    }

private:
    bool fits(uint64_t pa, uint64_t n) const { return pa < size_ && size_ - pa >= n; }
    memory::SparseMemory& m_;
    uint64_t size_;
};

}  // namespace vtd
