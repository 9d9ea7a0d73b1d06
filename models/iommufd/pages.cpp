#include "models/iommufd/pages.h"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace iommufd {

Pages::Pages(Process& p, uint64_t user_va, uint64_t length, bool writable, RlimitMode mode)
    : proc_(p), start_(user_va & ~(kPageSize - 1)), writable_(writable), mode_(mode) {
    const uint64_t end = (user_va + length + kPageSize - 1) & ~(kPageSize - 1);
    count_ = (end - start_) / kPageSize;
}

uint64_t& Pages::locked() {
    return mode_ == RlimitMode::PerUser ? proc_.user().locked_pages : proc_.locked_pages;
}

const Pages::Run* Pages::run_of(uint64_t index) const {
    auto it = std::upper_bound(runs_.begin(), runs_.end(), index, [](uint64_t i, const Run& r) { return i < r.first; });
    if (it == runs_.begin() || index >= std::prev(it)->end()) return nullptr;
    return &*std::prev(it);
}

uint64_t Pages::frame(uint64_t index) const {
    const Run* r = run_of(index);
    if (!r) throw std::out_of_range("page not pinned");
    return r->frame + (index - r->first) * kPageSize;
}

// The pages of [first, last] nobody holds yet.
uint64_t Pages::fresh_pages(uint64_t first, uint64_t last) const {
    uint64_t held = 0;
    for (const Run& r : runs_)
        if (r.first <= last && r.end() > first) held += std::min(r.end(), last + 1) - std::max(r.first, first);
    return last - first + 1 - held;
}

void Pages::split_at(uint64_t index) {
    const Run* r = run_of(index);
    if (!r || r->first == index) return;
    Run tail = *r;
    const size_t at = size_t(r - runs_.data());
    runs_[at].count = uint32_t(index - r->first);
    tail.count -= runs_[at].count;
    tail.first = index;
    tail.frame += uint64_t(runs_[at].count) * kPageSize;
    runs_.insert(runs_.begin() + at + 1, tail);
}

// Joins neighbouring runs that continue each other, so that the runs stay the fewest.
void Pages::merge() {
    for (size_t i = 1; i < runs_.size();) {
        Run& a = runs_[i - 1];
        const Run& b = runs_[i];
        if (a.end() == b.first && a.holders == b.holders && a.frame + uint64_t(a.count) * kPageSize == b.frame &&
            uint64_t(a.count) + b.count <= UINT32_MAX) {
            a.count += b.count;
            runs_.erase(runs_.begin() + i);
        } else {
            ++i;
        }
    }
}

Errno Pages::pin(uint64_t first, uint64_t last) {
    const uint64_t fresh = fresh_pages(first, last);
    if (fresh) {
        if (!proc_.mapped(start_ + first * kPageSize, (last - first + 1) * kPageSize))
            return Errno::Fault;
        if (locked() + fresh > proc_.rlimit_pages()) return Errno::NoMem;
    }
    split_at(first);
    split_at(last + 1);
    // Held pages gain a holder; fresh ones get their frames in ascending order, a
    // page on the frame after the previous fresh page's joining its run. The pages
    // are the process's and within its limit: the loop is bounded by it.
    auto it = std::lower_bound(runs_.begin(), runs_.end(), first, [](const Run& r, uint64_t i) { return r.first < i; });
    for (uint64_t i = first; i <= last;) {
        if (it != runs_.end() && it->first == i) {
            ++it->holders;
            i = (it++)->end();
            continue;
        }
        const auto got = proc_.frame(start_ + i * kPageSize);
        const uint64_t f = got ? *got : 0;
        Run* prev = it == runs_.begin() ? nullptr : &*std::prev(it);
        if (prev && prev->holders == 1 && prev->end() == i && prev->count < UINT32_MAX &&
            prev->frame + uint64_t(prev->count) * kPageSize == f)
            ++prev->count;  // a fresh run of this call (or one merge() would join)
        else
            it = runs_.insert(it, Run{i, 1, 1, f}) + 1;
        ++i;
    }
    merge();
    locked() += fresh;
    pinned_ += fresh;
    return Errno::Ok;
}

void Pages::unpin(uint64_t first, uint64_t last) {
    split_at(first);
    split_at(last + 1);
    for (size_t i = 0; i < runs_.size();) {
        Run& r = runs_[i];
        if (r.first < first || r.first > last || --r.holders != 0) {
            ++i;
            continue;
        }
        locked() -= r.count;
        pinned_ -= r.count;
        runs_.erase(runs_.begin() + i);
    }
    merge();
}

}  // namespace iommufd
