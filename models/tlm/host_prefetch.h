// HostPrefetch: a model that will soon access a physical address tells the model that
// holds its bytes, which brings the host memory behind them toward the host CPU.
//
// Nothing simulated changes. A random access over a large window misses the host's
// caches (README "Performance": floor-mem-256M); announced while the simulator still
// has work to do before the access (an IOMMU walk's end filling its caches), the miss
// overlaps that work instead of stalling the access.
#pragma once

#include <cstdint>

namespace tlmx {

class HostPrefetch {
public:
    virtual void prefetch(uint64_t pa) const = 0;
    // The same for a small read of pa whose bytes are about to be used, such as a walk's
    // table entry: also the CPU cache model's copy of the line when it holds one (the
    // driver writes tables through it). Finding that copy reads the line's set of tags.
    virtual void prefetch_read(uint64_t pa) const { prefetch(pa); }

protected:
    ~HostPrefetch() = default;
};

}  // namespace tlmx
