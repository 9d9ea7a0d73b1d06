// A translation unit's own view of host memory: table reads by walks, queue fetches,
// status and A/D writes. A failed access returns false (above installed memory, say),
// which the unit answers architecturally (a fault, an error bit), never by crashing.
#pragma once

#include <cstdint>

#include "models/memory/sparse_memory.h"

namespace iommu {

class HostMemory {
public:
    virtual ~HostMemory() = default;
    virtual bool read_u64(uint64_t pa, uint64_t& value) = 0;
    virtual bool write_u32(uint64_t pa, uint32_t value) = 0;
    virtual bool write_u64(uint64_t pa, uint64_t value) = 0;
    // What read_u64 would return, without counting the access anywhere (a host-side
    // look-ahead, Translator::output_ahead); false when the memory cannot tell.
    virtual bool peek_u64(uint64_t pa, uint64_t& value) const {
        (void)pa;
        (void)value;
        return false;
    }
};

// HostMemory over a SparseMemory, for a unit outside a platform (offline walks,
// tests): accesses at or above `size` fail.
class StoreMemory : public HostMemory {
public:
    explicit StoreMemory(memory::SparseMemory& m, uint64_t size = ~uint64_t(0)) : m_(m), size_(size) {}
    bool read_u64(uint64_t pa, uint64_t& v) override {
        if (!fits(pa, 8)) return false;
        v = m_.read_u64(pa);
        return true;
    }
    bool peek_u64(uint64_t pa, uint64_t& v) const override {
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

}  // namespace iommu
