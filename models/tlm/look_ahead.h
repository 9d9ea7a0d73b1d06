// LookAhead: a device in atomic mode that knows the address of its next request tells
// the IOMMU ahead of it, in two steps, so that the host memory the request will touch
// is on its way to the host CPU before the simulator needs it (tlmx::HostPrefetch).
//
//   next_access       before the request ahead of it goes: the table entry its walk
//                     will read first (a random line of the page tables over a large
//                     window, often in host DRAM);
//   next_translation  once that request is done: the walk run on the side over what
//                     the caches and memory hold (the entry is in host cache by now),
//                     and the data at its output address.
//
// Nothing simulated changes: the IOMMU looks at its caches without using them (no
// statistics, no replacement) and reads memory without counting (HostMemory::peek_u64).
// A walk that would go otherwise (the caches change in between) still goes as it must;
// only a host line was brought in for nothing.
#pragma once

#include <cstdint>

namespace tlmx {

class LookAhead {
public:
    struct Access {
        uint16_t requester_id = 0;
        bool pasid_valid = false;
        uint32_t pasid = 0;
        uint64_t address = 0;  // the untranslated address of the request
        bool read = true;
    };
    // Whether an announcement may help: the IOMMU's last request walked and it can
    // read ahead. A device asks this before and after each request, so IOTLB hits pay
    // two checks and the pipeline's store of the answer (about 10 instructions). The
    // platform wires a look-ahead only where the devices' data that host memory
    // keeps (not generated content) outgrows the host's caches (platforms/system.cpp).
    bool wanted() const { return wanted_; }
    virtual void next_access(const Access& a) const = 0;
    virtual void next_translation(const Access& a) const = 0;

protected:
    ~LookAhead() = default;
    bool wanted_ = false;
};

}  // namespace tlmx
