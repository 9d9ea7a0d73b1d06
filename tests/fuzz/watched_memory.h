// A unit's view of memory for the MMIO fuzz targets (smmuv3_mmio, amdvi_mmio): it
// remembers which qwords the unit has read and what the unit writes, so that a target
// can tell when the unit's own writes (event records, A/D updates, completion stores)
// change what it will read again.
#pragma once

#include <cstdint>
#include <set>
#include <vector>

#include "models/iommu/host_memory.h"

namespace fuzz {

class Watched : public iommu::StoreMemory {
public:
    struct Write {
        uint64_t pa;
        unsigned bytes;
    };
    using StoreMemory::StoreMemory;
    bool read_u64(uint64_t pa, uint64_t& v) override {
        read_.insert(pa & ~uint64_t(7));
        read_.insert((pa + 7) & ~uint64_t(7));
        return StoreMemory::read_u64(pa, v);
    }
    bool write_u32(uint64_t pa, uint32_t v) override {
        writes_.push_back({pa, 4});
        return StoreMemory::write_u32(pa, v);
    }
    bool write_u64(uint64_t pa, uint64_t v) override {
        writes_.push_back({pa, 8});
        return StoreMemory::write_u64(pa, v);
    }
    bool was_read(const Write& w) const {
        return read_.count(w.pa & ~uint64_t(7)) || read_.count((w.pa + w.bytes - 1) & ~uint64_t(7));
    }
    // Whether any of `writes` landed on memory the unit has read.
    bool any_read(const std::vector<Write>& writes) const {
        for (const Write& w : writes)
            if (was_read(w)) return true;
        return false;
    }
    std::vector<Write> take_writes() { return std::move(writes_); }

private:
    std::set<uint64_t> read_;
    std::vector<Write> writes_;
};

}  // namespace fuzz
