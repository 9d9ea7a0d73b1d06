// Disjoint inclusive IOVA ranges kept merged where they touch, so that a search for
// free space steps over a run of back-to-back areas in one step, not one per area.
// The IOVA allocator's view of what is taken: with a million 4 KiB areas mapped one
// after another it is one entry.
#pragma once

#include <cstdint>
#include <map>

#include "models/iommufd/domain.h"

namespace iommufd {

class RangeSet {
public:
    // [start, last] must not overlap a range already in the set.
    void insert(uint64_t start, uint64_t last);
    // [start, last] must be wholly inside the set, as inserted.
    void erase(uint64_t start, uint64_t last);
    // The merged range holding `at`, or else the lowest one above it; false if none.
    bool first_ending_at_or_after(uint64_t at, IovaRange& out) const;
    size_t runs() const { return runs_.size(); }

private:
    std::map<uint64_t, uint64_t> runs_;  // start -> last, merged
};

}  // namespace iommufd
