#include "models/iommufd/range_set.h"

#include <iterator>

namespace iommufd {

void RangeSet::insert(uint64_t start, uint64_t last) {
    auto next = runs_.upper_bound(start);
    if (next != runs_.begin()) {
        auto prev = std::prev(next);
        if (prev->second != ~uint64_t(0) && prev->second + 1 == start) {  // extends prev
            start = prev->first;
            runs_.erase(prev);
        }
    }
    if (next != runs_.end() && last != ~uint64_t(0) && last + 1 == next->first) {  // joins next
        last = next->second;
        runs_.erase(next);
    }
    runs_[start] = last;
}

void RangeSet::erase(uint64_t start, uint64_t last) {
    auto it = std::prev(runs_.upper_bound(start));
    const uint64_t run_start = it->first, run_last = it->second;
    runs_.erase(it);
    if (run_start < start) runs_[run_start] = start - 1;
    if (last < run_last) runs_[last + 1] = run_last;
}

bool RangeSet::first_ending_at_or_after(uint64_t at, IovaRange& out) const {
    auto it = runs_.upper_bound(at);
    if (it != runs_.begin() && std::prev(it)->second >= at) --it;
    if (it == runs_.end()) return false;
    out = {it->first, it->second};
    return true;
}

}  // namespace iommufd
