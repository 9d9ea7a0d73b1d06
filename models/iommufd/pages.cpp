#include "models/iommufd/pages.h"

namespace iommufd {

Pages::Pages(Process& p, uint64_t user_va, uint64_t length, bool writable, RlimitMode mode)
    : proc_(p), start_(user_va & ~(kPageSize - 1)), writable_(writable), mode_(mode) {
    const uint64_t end = (user_va + length + kPageSize - 1) & ~(kPageSize - 1);
    count_ = (end - start_) / kPageSize;
}

uint64_t& Pages::locked() {
    return mode_ == RlimitMode::PerUser ? proc_.user().locked_pages : proc_.locked_pages;
}

// The pages of [first, last] nobody holds yet.
uint64_t Pages::fresh_pages(uint64_t first, uint64_t last) const {
    uint64_t held = 0;
    for (auto it = pinned_pages_.lower_bound(first); it != pinned_pages_.end() && it->first <= last; ++it) ++held;
    return last - first + 1 - held;
}

Errno Pages::pin(uint64_t first, uint64_t last) {
    const uint64_t fresh = fresh_pages(first, last);
    if (fresh) {
        if (!proc_.mapped(start_ + first * kPageSize, (last - first + 1) * kPageSize))
            return Errno::Fault;
        if (locked() + fresh > proc_.rlimit_pages()) return Errno::NoMem;
    }
    // The pages are the process's and within its limit: the loop is bounded by it.
    for (uint64_t i = first; i <= last; ++i) {
        Pinned& p = pinned_pages_[i];
        if (p.holders++ == 0) {
            const auto f = proc_.frame(start_ + i * kPageSize);
            p.frame = f ? *f : 0;
        }
    }
    locked() += fresh;
    pinned_ += fresh;
    return Errno::Ok;
}

void Pages::unpin(uint64_t first, uint64_t last) {
    for (auto it = pinned_pages_.lower_bound(first); it != pinned_pages_.end() && it->first <= last;) {
        if (--it->second.holders != 0) {
            ++it;
            continue;
        }
        it = pinned_pages_.erase(it);
        --locked();
        --pinned_;
    }
}

}  // namespace iommufd
