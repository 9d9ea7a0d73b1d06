#include "models/pcie/written_ranges.h"

namespace pcie {

void WrittenRanges::forget(uint64_t addr, uint64_t len) {
    const uint64_t end = addr + len;
    auto it = spans_.upper_bound(addr);
    if (it != spans_.begin() && std::prev(it)->second.end > addr) --it;
    while (it != spans_.end() && it->first < end) {
        const uint64_t start = it->first;
        const Span s = it->second;
        it = spans_.erase(it);
        if (start < addr) spans_.emplace(start, Span{addr, s.done_ps});
        if (s.end > end) it = spans_.emplace(end, Span{s.end, s.done_ps}).first;
    }
}

void WrittenRanges::record(uint64_t addr, uint64_t len, uint64_t done_ps) {
    if (len == 0) return;
    forget(addr, len);
    auto it = spans_.emplace(addr, Span{addr + len, done_ps}).first;
    // Merge with neighbours of the same completion time, so sequential writes of one
    // burst stay one span.
    auto next = std::next(it);
    if (next != spans_.end() && next->first == it->second.end && next->second.done_ps == done_ps) {
        it->second.end = next->second.end;
        spans_.erase(next);
    }
    if (it != spans_.begin()) {
        auto prev = std::prev(it);
        if (prev->second.end == addr && prev->second.done_ps == done_ps) {
            prev->second.end = it->second.end;
            spans_.erase(it);
        }
    }
}

}  // namespace pcie
