// The byte ranges a device has written, with when each write completed: what a device
// fed from a trace may check its later reads against. Reads are checked only where
// the device itself wrote before the read was issued, so data it never wrote (or
// wrote while the read was in flight) is never called wrong.
#pragma once

#include <cstdint>
#include <algorithm>
#include <iterator>
#include <map>

namespace pcie {

class WrittenRanges {
public:
    // [addr, addr + len) was written, completing at `done_ps`.
    void record(uint64_t addr, uint64_t len, uint64_t done_ps);
    // Forgets [addr, addr + len): the mapping behind those addresses changed.
    void forget(uint64_t addr, uint64_t len);
    void clear() { spans_.clear(); }

    // Calls f(addr, len) for each part of [addr, addr + len) whose last write completed
    // at or before `before_ps`, in address order.
    template <class F>
    void for_each_before(uint64_t addr, uint64_t len, uint64_t before_ps, F&& f) const {
        const uint64_t end = addr + len;
        auto it = spans_.upper_bound(addr);
        if (it != spans_.begin()) --it;
        for (; it != spans_.end() && it->first < end; ++it) {
            const uint64_t lo = std::max(addr, it->first), hi = std::min(end, it->second.end);
            if (lo < hi && it->second.done_ps <= before_ps) f(lo, hi - lo);
        }
    }
    size_t spans() const { return spans_.size(); }

private:
    struct Span {
        uint64_t end;
        uint64_t done_ps;
    };
    std::map<uint64_t, Span> spans_;  // start -> span; disjoint
};

}  // namespace pcie
