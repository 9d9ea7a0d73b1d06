#include "models/iommufd/process.h"

namespace iommufd {

std::optional<uint64_t> FrameAllocator::allocate(uint64_t bytes, uint64_t align) {
    const uint64_t at = (next_ + align - 1) & ~(align - 1);
    if (at < next_ || at > end_ || end_ - at < bytes) return std::nullopt;
    next_ = at + bytes;
    return at;
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
    maps_.emplace(va, Mapping{length, hugepage, {}});
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
    uint64_t& f = m.frames[(va - start) / unit];
    if (f == 0) {
        const auto got = frames_.allocate(unit, unit);
        if (!got) return std::nullopt;
        f = *got;
    }
    return f + ((va - start) % unit & ~(kPageSize - 1));
}

}  // namespace iommufd
