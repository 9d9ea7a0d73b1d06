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

protected:
    ~HostPrefetch() = default;
};

}  // namespace tlmx
