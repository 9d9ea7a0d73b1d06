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

uint64_t Pages::fresh_pages(uint64_t first, uint64_t last) const {
    if (pins_.empty()) return last - first + 1;
    uint64_t fresh = 0;
    for (uint64_t i = first; i <= last; ++i) fresh += pins_[i] == 0;
    return fresh;
}

Errno Pages::pin(uint64_t first, uint64_t last) {
    const uint64_t fresh = fresh_pages(first, last);
    if (fresh) {
        if (!proc_.mapped(start_ + first * kPageSize, (last - first + 1) * kPageSize))
            return Errno::Fault;
        if (locked() + fresh > proc_.rlimit_pages()) return Errno::NoMem;
    }
    if (pins_.empty()) {
        pins_.assign(count_, 0);
        frames_.assign(count_, 0);
    }
    for (uint64_t i = first; i <= last; ++i) {
        if (pins_[i]++ == 0) {
            const auto f = proc_.frame(start_ + i * kPageSize);
            frames_[i] = f ? *f : 0;
        }
    }
    locked() += fresh;
    pinned_ += fresh;
    return Errno::Ok;
}

void Pages::unpin(uint64_t first, uint64_t last) {
    for (uint64_t i = first; i <= last; ++i) {
        if (pins_[i] == 0 || --pins_[i] != 0) continue;
        --locked();
        --pinned_;
    }
}

}  // namespace iommufd
