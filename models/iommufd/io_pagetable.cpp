#include "models/iommufd/io_pagetable.h"

#include <algorithm>

namespace iommufd {
namespace {

constexpr uint64_t kMax = ~uint64_t(0);

bool overlaps(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1) { return a0 <= b1 && b0 <= a1; }

uint64_t roundup_pow2(uint64_t v) {
    uint64_t p = 1;
    while (p < v && p) p <<= 1;
    return p ? p : uint64_t(1) << 63;
}

uint64_t lowest_bit(uint64_t v) { return v & (~v + 1); }

}  // namespace

uint64_t IoPagetable::iova_alignment() const {
    uint64_t align = kPageSize;
    for (const Domain* d : domains_) align = std::max(align, lowest_bit(d->page_sizes()));
    return align;
}

bool IoPagetable::in_allowed(uint64_t start, uint64_t last) const {
    if (allowed_.empty()) return true;
    return std::any_of(allowed_.begin(), allowed_.end(),
                       [&](const IovaRange& r) { return r.start <= start && last <= r.last; });
}

bool IoPagetable::hits_reserved(uint64_t start, uint64_t last) const {
    return std::any_of(reserved_.begin(), reserved_.end(), [&](const Reserved& r) {
        return overlaps(start, last, r.range.start, r.range.last);
    });
}

// Whether an area's pages meet the pages of [start, last].
bool IoPagetable::hits_area(uint64_t start, uint64_t last) const {
    start &= ~(kPageSize - 1);
    last |= kPageSize - 1;
    auto it = areas_.upper_bound(last);
    if (it == areas_.begin()) return false;
    --it;
    return it->second.page_last() >= start;
}

// Automatic IOVA (io_pagetable.c iopt_alloc_iova): aligned to the largest power of two
// not above the length that the user address is also aligned to, at least the IOAS's
// alignment, keeping the user address's offset within its page; the lowest fit in
// [4 KiB, 2^64 - 4 KiB] inside the allowed ranges, clear of areas and reserved regions.
Errno IoPagetable::alloc_iova(uint64_t user_addr, uint64_t length, uint64_t& iova) const {
    const uint64_t page_offset = user_addr % kPageSize;
    uint64_t align = roundup_pow2(length);
    if (const uint64_t page_addr = user_addr - page_offset)
        align = std::min(align, lowest_bit(page_addr));
    align = std::max(align, iova_alignment());
    std::vector<IovaRange> spans = allowed_.empty() ? std::vector<IovaRange>{{0, kMax}} : allowed_;
    for (const IovaRange& span : spans) {
        uint64_t at = std::max<uint64_t>(span.start, kPageSize);
        const uint64_t end = std::min(span.last, kMax - kPageSize);
        while (at <= end) {
            const uint64_t start = ((at + align - 1) & ~(align - 1)) | page_offset;
            if (start < at || start > end || end - start < length - 1) break;
            const uint64_t last = start + length - 1;
            // Skip past whatever is in the way, else this is it.
            uint64_t next = 0;
            for (const Reserved& r : reserved_)
                if (overlaps(start, last, r.range.start, r.range.last)) next = std::max(next, r.range.last);
            auto it = areas_.upper_bound(last | (kPageSize - 1));
            if (it != areas_.begin() && std::prev(it)->second.page_last() >= (start & ~(kPageSize - 1)))
                next = std::max(next, std::prev(it)->second.page_last());
            if (next == 0) {
                iova = start;
                return Errno::Ok;
            }
            if (next == kMax) break;
            at = next + 1;
        }
    }
    return Errno::NoSpc;
}

Errno IoPagetable::map(std::shared_ptr<Pages> pages, uint64_t offset, uint64_t length,
                       unsigned prot, bool fixed, uint64_t& iova) {
    return map_spans({{std::move(pages), offset, length}}, prot, fixed, iova);
}

Errno IoPagetable::map_spans(const std::vector<PagesSpan>& spans, unsigned prot, bool fixed,
                             uint64_t& iova) {
    uint64_t length = 0;
    for (const PagesSpan& s : spans) {
        if (s.length == 0) return Errno::Inval;
        if (__builtin_add_overflow(length, s.length, &length)) return Errno::Overflow;
    }
    if (length == 0) return Errno::Inval;
    const uint64_t offset = spans.front().offset;
    if (fixed) {
        uint64_t last = 0;
        if (__builtin_add_overflow(iova, length - 1, &last)) return Errno::Overflow;
        // Aligned to the IOAS, with the user address's offset within its page.
        if (iova % iova_alignment() != offset % kPageSize % iova_alignment() ||
            iova % kPageSize != offset % kPageSize)
            return Errno::Inval;
        if (hits_reserved(iova, last) || !in_allowed(iova, last)) return Errno::Inval;
        if (hits_area(iova, last)) return Errno::Exist;
    } else if (const Errno e = alloc_iova(spans.front().pages->start() + offset, length, iova);
               e != Errno::Ok) {
        return e;
    }
    uint64_t at = iova;
    for (size_t i = 0; i < spans.size(); ++i) {
        const PagesSpan& s = spans[i];
        Area a{at, at + s.length - 1, s.pages, s.offset, prot};
        if (const Errno e = pin_and_fill(a); e != Errno::Ok) {
            for (uint64_t undo = iova; undo < at;) {  // the spans mapped so far
                auto it = areas_.find(undo);
                undo = it->second.last + 1;
                remove(it);
            }
            return e;
        }
        areas_.emplace(a.iova, a);
        at += s.length;
    }
    return Errno::Ok;
}

// With domains attached an area's pages are pinned once and mapped into each domain.
Errno IoPagetable::pin_and_fill(const Area& a) {
    if (domains_.empty()) return Errno::Ok;
    if (const Errno e = a.pages->pin(a.first_page(), a.last_page()); e != Errno::Ok) return e;
    for (size_t i = 0; i < domains_.size(); ++i) {
        if (const Errno e = fill(a, *domains_[i]); e != Errno::Ok) {
            for (size_t j = 0; j < i; ++j) unfill(a, *domains_[j]);
            a.pages->unpin(a.first_page(), a.last_page());
            return e;
        }
    }
    return Errno::Ok;
}

// The largest page of `d` that can map the area's page `page` at `iova`: aligned in
// IOVA and frame, inside the area, over physically contiguous frames (4 KiB when large
// pages are off).
uint64_t IoPagetable::leaf_size(const Area& a, const Domain& d, uint64_t page, uint64_t iova) const {
    if (!large_pages_) return kPageSize;
    const uint64_t frame = a.pages->frame(page);
    for (uint64_t size = uint64_t(1) << 62; size > kPageSize; size >>= 1) {
        const uint64_t n = size / kPageSize;
        if (!(d.page_sizes() & size) || (iova | frame) % size || a.last_page() - page + 1 < n)
            continue;
        uint64_t i = 1;
        while (i < n && a.pages->frame(page + i) == frame + i * kPageSize) ++i;
        if (i == n) return size;
    }
    return kPageSize;
}

// The IOVA of page i of the area is iova - (offset % 4K) + i * 4K.
Errno IoPagetable::fill(const Area& a, Domain& d) {
    const uint64_t base = a.iova - a.offset % kPageSize;
    for (uint64_t p = a.first_page(); p <= a.last_page();) {
        const uint64_t at = base + (p - a.first_page()) * kPageSize;
        const uint64_t size = leaf_size(a, d, p, at);
        if (const Errno e = d.map(at, a.pages->frame(p), size, a.prot); e != Errno::Ok) {
            if (at != base) d.unmap(base, at - base);
            return e;
        }
        p += size / kPageSize;
    }
    return Errno::Ok;
}

void IoPagetable::unfill(const Area& a, Domain& d) {
    const uint64_t base = a.iova - a.offset % kPageSize;
    d.unmap(base, (a.last_page() - a.first_page() + 1) * kPageSize);
}

void IoPagetable::remove(std::map<uint64_t, Area>::iterator it) {
    const Area& a = it->second;
    drop_pins_of(a);
    for (Domain* d : domains_) unfill(a, *d);
    if (!domains_.empty()) a.pages->unpin(a.first_page(), a.last_page());
    areas_.erase(it);
}

Errno IoPagetable::unmap(uint64_t iova, uint64_t length, uint64_t& unmapped) {
    unmapped = 0;
    if (length == 0) return Errno::Inval;
    uint64_t last = 0;
    if (__builtin_add_overflow(iova, length - 1, &last)) return Errno::Overflow;
    auto first = areas_.lower_bound(iova);
    if (first != areas_.begin() && std::prev(first)->second.last >= iova) return Errno::NoEnt;
    auto end = first;
    while (end != areas_.end() && end->first <= last) {
        if (end->second.last > last) return Errno::NoEnt;  // cuts an area
        ++end;
    }
    if (first == end) return Errno::NoEnt;
    while (first != end) {
        unmapped += first->second.length();
        remove(first++);
    }
    return Errno::Ok;
}

Errno IoPagetable::unmap_all(uint64_t& unmapped) {
    unmapped = 0;
    while (!areas_.empty()) {
        unmapped += areas_.begin()->second.length();
        remove(areas_.begin());
    }
    return Errno::Ok;
}

Errno IoPagetable::covering(uint64_t iova, uint64_t length, std::vector<Area>& out) const {
    out.clear();
    uint64_t last = 0;
    if (length == 0) return Errno::Inval;
    if (__builtin_add_overflow(iova, length - 1, &last)) return Errno::Overflow;
    uint64_t want = iova;
    for (auto it = areas_.find(iova); it != areas_.end() && it->first == want; ++it) {
        if (it->second.last > last) return Errno::NoEnt;
        out.push_back(it->second);
        if (it->second.last == last) return Errno::Ok;
        want = it->second.last + 1;
    }
    out.clear();
    return Errno::NoEnt;
}

std::vector<IovaRange> IoPagetable::usable_ranges() const {
    std::vector<IovaRange> out = allowed_.empty() ? std::vector<IovaRange>{{0, kMax}} : allowed_;
    for (const Reserved& r : reserved_) {
        std::vector<IovaRange> next;
        for (const IovaRange& s : out) {
            if (!overlaps(s.start, s.last, r.range.start, r.range.last)) {
                next.push_back(s);
                continue;
            }
            if (s.start < r.range.start) next.push_back({s.start, r.range.start - 1});
            if (s.last > r.range.last) next.push_back({r.range.last + 1, s.last});
        }
        out.swap(next);
    }
    std::sort(out.begin(), out.end(), [](const IovaRange& a, const IovaRange& b) { return a.start < b.start; });
    return out;
}

Errno IoPagetable::allow(const std::vector<IovaRange>& ranges) {
    std::vector<IovaRange> sorted = ranges;
    std::sort(sorted.begin(), sorted.end(), [](const IovaRange& a, const IovaRange& b) { return a.start < b.start; });
    for (size_t i = 0; i < sorted.size(); ++i) {
        if (sorted[i].start > sorted[i].last) return Errno::Inval;
        if (i && sorted[i].start <= sorted[i - 1].last) return Errno::Inval;
        if (hits_reserved(sorted[i].start, sorted[i].last)) return Errno::AddrInUse;
    }
    const std::vector<IovaRange> old = allowed_;
    allowed_ = sorted;
    for (const auto& [start, a] : areas_) {
        if (!in_allowed(a.iova, a.last)) {
            allowed_ = old;
            return Errno::Busy;
        }
    }
    return Errno::Ok;
}

Errno IoPagetable::reserve(IovaRange r, const void* owner) {
    if (r.start > r.last) return Errno::Inval;
    if (hits_area(r.start, r.last)) return Errno::AddrInUse;
    for (const IovaRange& a : allowed_)
        if (overlaps(a.start, a.last, r.start, r.last)) return Errno::AddrInUse;
    reserved_.push_back({r, owner});
    return Errno::Ok;
}

void IoPagetable::unreserve(const void* owner) {
    reserved_.erase(std::remove_if(reserved_.begin(), reserved_.end(),
                                   [&](const Reserved& r) { return r.owner == owner; }),
                    reserved_.end());
}

Errno IoPagetable::access_pin(uint64_t iova, uint64_t length, bool write, uint64_t& out_pin,
                              std::vector<uint64_t>& frames) {
    frames.clear();
    if (length == 0) return Errno::Inval;
    uint64_t last = 0;
    if (__builtin_add_overflow(iova, length - 1, &last)) return Errno::Overflow;
    // The areas that cover the range, contiguous, each permitting the access.
    std::vector<PinPiece> pieces;
    uint64_t at = iova;
    auto it = areas_.upper_bound(iova);
    if (it == areas_.begin()) return Errno::NoEnt;
    for (--it; at <= last; ++it) {
        if (it == areas_.end() || it->second.iova > at || it->second.last < at) return Errno::NoEnt;
        const Area& a = it->second;
        if (write && !(a.prot & kWrite)) return Errno::Perm;
        const uint64_t end = std::min(last, a.last);
        pieces.push_back({a.pages, (a.offset + (at - a.iova)) / kPageSize,
                          (a.offset + (end - a.iova)) / kPageSize, a.iova});
        if (end == last) break;
        at = end + 1;
    }
    for (size_t i = 0; i < pieces.size(); ++i) {
        if (const Errno e = pieces[i].pages->pin(pieces[i].first, pieces[i].last); e != Errno::Ok) {
            for (size_t j = 0; j < i; ++j) pieces[j].pages->unpin(pieces[j].first, pieces[j].last);
            return e;
        }
    }
    for (const PinPiece& p : pieces)
        for (uint64_t i = p.first; i <= p.last; ++i) frames.push_back(p.pages->frame(i));
    out_pin = next_pin_++;
    pins_.emplace(out_pin, std::move(pieces));
    return Errno::Ok;
}

Errno IoPagetable::access_unpin(uint64_t pin) {
    auto it = pins_.find(pin);
    if (it == pins_.end()) return Errno::NoEnt;
    for (const PinPiece& p : it->second) p.pages->unpin(p.first, p.last);
    pins_.erase(it);
    return Errno::Ok;
}

void IoPagetable::drop_pins_of(const Area& a) {
    for (auto it = pins_.begin(); it != pins_.end();) {
        const bool through = std::any_of(it->second.begin(), it->second.end(),
                                         [&](const PinPiece& p) { return p.area_iova == a.iova; });
        if (!through) {
            ++it;
            continue;
        }
        for (const PinPiece& p : it->second) p.pages->unpin(p.first, p.last);
        it = pins_.erase(it);
    }
}

Errno IoPagetable::set_large_pages(bool enable) {
    if (!enable && large_pages_ && !domains_.empty() && !areas_.empty()) return Errno::Inval;
    large_pages_ = enable;
    return Errno::Ok;
}

// Pins every area if this is the first domain, and maps each into `d`; all or nothing.
Errno IoPagetable::attach(Domain& d) {
    const bool first = domains_.empty();
    for (auto it = areas_.begin(); it != areas_.end(); ++it) {
        const Area& a = it->second;
        Errno e = first ? a.pages->pin(a.first_page(), a.last_page()) : Errno::Ok;
        if (e == Errno::Ok && (e = fill(a, d)) != Errno::Ok && first)
            a.pages->unpin(a.first_page(), a.last_page());
        if (e == Errno::Ok) continue;
        for (auto done = areas_.begin(); done != it; ++done) {
            unfill(done->second, d);
            if (first) done->second.pages->unpin(done->second.first_page(), done->second.last_page());
        }
        return e;
    }
    domains_.push_back(&d);
    return Errno::Ok;
}

void IoPagetable::detach(Domain& d) {
    auto it = std::find(domains_.begin(), domains_.end(), &d);
    if (it == domains_.end()) return;
    domains_.erase(it);
    for (const auto& [iova, a] : areas_) {
        unfill(a, d);
        if (domains_.empty()) a.pages->unpin(a.first_page(), a.last_page());
    }
}

}  // namespace iommufd
