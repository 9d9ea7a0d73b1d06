#include "models/iommufd/process.h"

#include <iterator>

namespace iommufd {

std::optional<uint64_t> FrameAllocator::allocate(uint64_t bytes, uint64_t align) {
    const uint64_t at = (next_ + align - 1) & ~(align - 1);
    if (at < next_ || at > end_ || end_ - at < bytes) return std::nullopt;
    next_ = at + bytes;
    return at;
}

uint64_t FrameRuns::find(uint64_t index) const {
    auto it = runs_.upper_bound(index);
    if (it == runs_.begin()) return 0;
    --it;
    return index - it->first < it->second.count ? it->second.frame + (index - it->first) * unit_ : 0;
}

void FrameRuns::add(uint64_t index, uint64_t frame) {
    auto next = runs_.upper_bound(index);
    if (next != runs_.begin()) {
        auto prev = std::prev(next);
        Run& r = prev->second;
        if (prev->first + r.count == index && r.frame + r.count * unit_ == frame) {  // extends prev
            ++r.count;
            if (next != runs_.end() && next->first == index + 1 && next->second.frame == frame + unit_) {
                r.count += next->second.count;  // and closes the gap to next
                runs_.erase(next);
            }
            return;
        }
    }
    if (next != runs_.end() && next->first == index + 1 && next->second.frame == frame + unit_) {
        const Run joined{next->second.count + 1, frame};  // extends next downward
        runs_.erase(next);
        runs_.emplace(index, joined);
        return;
    }
    runs_.emplace(index, Run{1, frame});
}

Errno Process::mmap(uint64_t va, uint64_t length, bool hugepage) {
    const uint64_t unit = hugepage ? kHugePageSize : kPageSize;
    if (length == 0 || va % unit || length % unit || va + length < va) return Errno::Inval;
    constexpr uint64_t kTaskSize = (uint64_t(1) << 47) - kPageSize;  // TASK_SIZE_MAX (4-level)
    if (va > kTaskSize || length > kTaskSize - va) return Errno::NoMem;
    auto next = maps_.lower_bound(va);
    if (next != maps_.end() && next->first < va + length) return Errno::Inval;
    if (next != maps_.begin()) {
        auto prev = std::prev(next);
        if (prev->first + prev->second.length > va) return Errno::Inval;
    }
    maps_.emplace(va, Mapping{length, hugepage, FrameRuns(hugepage ? kHugePageSize : kPageSize)});
    return Errno::Ok;
}

Errno Process::munmap(uint64_t va, uint64_t length) {
    if (length == 0 || va + length < va) return Errno::Inval;
    auto first = maps_.lower_bound(va);
    if (first != maps_.begin()) {
        auto prev = std::prev(first);
        if (prev->first + prev->second.length > va) return Errno::Inval;  // cuts it
    }
    auto last = first;
    while (last != maps_.end() && last->first < va + length) {
        if (last->first + last->second.length > va + length) return Errno::Inval;
        ++last;
    }
    if (first == last) return Errno::Inval;
    maps_.erase(first, last);
    return Errno::Ok;
}

const Process::Mapping* Process::find(uint64_t va, uint64_t* start) const {
    auto it = maps_.upper_bound(va);
    if (it == maps_.begin()) return nullptr;
    --it;
    if (va - it->first >= it->second.length) return nullptr;
    *start = it->first;
    return &it->second;
}

bool Process::mapped(uint64_t va, uint64_t length) const {
    uint64_t at = va;
    while (at < va + length) {
        uint64_t start = 0;
        const Mapping* m = find(at, &start);
        if (!m) return false;
        at = start + m->length;
    }
    return true;
}

std::optional<uint64_t> Process::frame(uint64_t va) {
    uint64_t start = 0;
    const Mapping* found = find(va, &start);
    if (!found) return std::nullopt;
    Mapping& m = maps_.at(start);
    const uint64_t unit = m.hugepage ? kHugePageSize : kPageSize;
    const uint64_t index = (va - start) / unit;
    uint64_t f = m.frames.find(index);
    if (f == 0) {
        const auto got = frames_.allocate(unit, unit);
        if (!got) return std::nullopt;
        f = *got;
        m.frames.add(index, f);
    }
    return f + ((va - start) % unit & ~(kPageSize - 1));
}

}  // namespace iommufd
