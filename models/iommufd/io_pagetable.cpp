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

uint64_t IoPagetable::alignment(const std::vector<Domain*>& domains, bool large_pages) {
    uint64_t align = large_pages ? 1 : kPageSize;
    for (const Domain* d : domains) align = std::max(align, lowest_bit(d->page_sizes()));
    return align;
}

// iopt_check_iova_alignment: every area conforms to a raised alignment.
bool IoPagetable::areas_aligned(uint64_t align) const {
    for (const auto& [iova, a] : areas_)
        if ((a.iova | a.length() | a.offset % kPageSize) & (align - 1)) return false;
    return true;
}

bool IoPagetable::hits_reserved(uint64_t start, uint64_t last) const {
    return std::any_of(reserved_.begin(), reserved_.end(), [&](const Reserved& r) {
        return overlaps(start, last, r.range.start, r.range.last);
    });
}

bool IoPagetable::hits_area(uint64_t start, uint64_t last) const {
    auto it = areas_.upper_bound(last);
    return it != areas_.begin() && std::prev(it)->second.last >= start;
}

namespace {
// __alloc_iova_check_range: the aligned start that fits `length` in [start, last].
bool fit(uint64_t start, uint64_t last, uint64_t length, uint64_t align, uint64_t page_offset,
         uint64_t& at) {
    uint64_t aligned = 0;
    if (__builtin_add_overflow(start, align - 1, &aligned)) return false;
    aligned = (aligned & ~(align - 1)) | page_offset;
    if (aligned >= last || last - aligned < length - 1) return false;
    at = aligned;
    return true;
}
}  // namespace

// The lowest hole of [lo, hi] (between reserved regions, areas and unmapped areas
// still queued for a flush) where fit() places the IOVA. Holes are visited in
// ascending order one at a time, and a run of touching areas is one step (taken_),
// so a map costs the holes it passes, not the areas mapped.
bool IoPagetable::first_fit(uint64_t lo, uint64_t hi, uint64_t length, uint64_t align,
                            uint64_t page_offset, uint64_t& iova) const {
    for (uint64_t at = lo;;) {
        IovaRange next{};  // the taken range starting lowest among those reaching `at`
        bool found = taken_.first_ending_at_or_after(at, next) && next.start <= hi;
        for (const Reserved& r : reserved_) {
            if (r.range.last < at || r.range.start > hi) continue;
            if (!found || r.range.start < next.start) next = r.range;
            found = true;
        }
        if (!found) return fit(at, hi, length, align, page_offset, iova);
        if (next.start > at && fit(at, std::min(next.start - 1, hi), length, align, page_offset, iova))
            return true;
        if (next.last >= hi) return false;
        at = std::max(at, next.last + 1);
    }
}

// Automatic IOVA (iopt_alloc_iova): aligned to the largest power of two not above the
// length that the user address is also aligned to, capped at a huge page, keeping the
// address's offset in its page; EINVAL below the IOAS's alignment; the lowest fit in
// [4 KiB, 2^64 - 4 KiB] inside the allowed ranges, clear of areas and reserved regions.
Errno IoPagetable::alloc_iova(uint64_t addr, uint64_t length, uint64_t& iova) const {
    if (length == 0 || length >= kMax / 2) return Errno::Overflow;
    const uint64_t page_offset = addr % kPageSize;
    uint64_t align = roundup_pow2(length);
    if (addr) align = std::min(align, lowest_bit(addr));
    align = std::min(align, kHugePageSize);  // HPAGE_SIZE (x86, THP enabled)
    if (align < iova_alignment()) return Errno::Inval;
    const uint64_t lo = kPageSize, hi = kMax - kPageSize;
    std::vector<IovaRange> spans;
    for (const IovaRange& r : allowed_.empty() ? std::vector<IovaRange>{{lo, hi}} : allowed_)
        if (overlaps(r.start, r.last, lo, hi)) spans.push_back({std::max(r.start, lo), std::min(r.last, hi)});
    for (const IovaRange& span : spans) {
        uint64_t start = 0;
        if (!fit(span.start, span.last, length, align, page_offset, start)) continue;
        if (first_fit(start, span.last, length, align, page_offset, iova)) return Errno::Ok;
    }
    return Errno::NoSpc;
}

// iopt_check_iova: a fixed IOVA.
Errno IoPagetable::check_iova(uint64_t iova, uint64_t length) const {
    if (iova & (iova_alignment() - 1)) return Errno::Inval;
    uint64_t last = 0;
    if (__builtin_add_overflow(iova, length - 1, &last)) return Errno::Overflow;
    if (hits_reserved(iova, last)) return Errno::Inval;
    if (hits_area(iova, last)) return Errno::Exist;
    return Errno::Ok;
}

Errno IoPagetable::map(std::shared_ptr<Pages> pages, uint64_t offset, uint64_t length,
                       unsigned prot, bool fixed, uint64_t& iova) {
    return map_spans({{std::move(pages), offset, length}}, prot, fixed, iova);
}

// iopt_alloc_area_pages + iopt_insert_area + iopt_fill_domains_pages.
Errno IoPagetable::map_spans(const std::vector<PagesSpan>& spans, unsigned prot, bool fixed,
                             uint64_t& iova) {
    uint64_t length = 0;
    for (const PagesSpan& s : spans)
        if (__builtin_add_overflow(length, s.length, &length)) return Errno::Overflow;
    const uint64_t align = iova_alignment();
    if (length == 0 || (length & (align - 1))) return Errno::Inval;
    const PagesSpan& first = spans.front();
    Errno e = fixed ? check_iova(iova, length) : alloc_iova(first.pages->start() + first.offset, length, iova);
    if (e == Errno::NoSpc && !unflushed_.empty()) {  // the queued IOVAs free up on a flush
        flush();
        e = alloc_iova(first.pages->start() + first.offset, length, iova);
    }
    if (e != Errno::Ok) return e;
    flush_over(iova, iova + length - 1);
    for (const PagesSpan& s : spans) {
        if ((prot & kWrite) && !s.pages->writable()) return Errno::Perm;
        if ((s.offset % kPageSize) & (align - 1)) return Errno::Inval;
    }
    uint64_t at = iova;
    for (const PagesSpan& s : spans) {
        Area a{at, at + s.length - 1, s.pages, s.offset, prot};
        if (const Errno err = pin_and_fill(a); err != Errno::Ok) {
            for (uint64_t undo = iova; undo < at;) {  // the spans mapped so far
                auto it = areas_.find(undo);
                undo = it->second.last + 1;
                remove(it);
            }
            return err;
        }
        areas_.emplace(a.iova, a);
        taken_.insert(a.iova, a.last);
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
    // The domain's sizes from 8 KiB to 2^62, largest first, asked for once (a virtual
    // call) rather than once a size.
    constexpr uint64_t kLarger = ((uint64_t(1) << 63) - 1) & ~(2 * kPageSize - 1);
    for (uint64_t sizes = d.page_sizes() & kLarger; sizes;) {
        const uint64_t size = uint64_t(1) << (63 - __builtin_clzll(sizes));
        sizes &= ~size;
        const uint64_t n = size / kPageSize;
        if ((iova | frame) % size || a.last_page() - page + 1 < n) continue;
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
    if (policy_.deferred && !domains_.empty()) {
        const uint64_t base = a.iova - a.offset % kPageSize;
        for (Domain* d : domains_) d->unmap_deferred(base, (a.last_page() - a.first_page() + 1) * kPageSize);
        unflushed_.push_back({a, now()});
        areas_.erase(it);
        if (unflushed_.size() >= policy_.batch) flush();
        return;
    }
    for (Domain* d : domains_) unfill(a, *d);
    taken_.erase(a.iova, a.last);
    if (!domains_.empty()) {
        a.pages->unpin(a.first_page(), a.last_page());
        if (stale_window_) stale_window_(0);  // strict: invalidated before unmap returns
    }
    areas_.erase(it);
}

// ---- deferred invalidation -----------------------------------------------------------

void IoPagetable::set_flush_policy(const FlushPolicy& p, std::function<uint64_t()> now_ps,
                                   std::function<void(uint64_t)> stale_window) {
    flush();
    policy_ = p;
    now_ps_ = std::move(now_ps);
    stale_window_ = std::move(stale_window);
}

void IoPagetable::flush() {
    if (unflushed_.empty()) return;
    for (Domain* d : domains_) d->flush_all();
    const uint64_t t = now();
    for (const Unflushed& u : unflushed_) {
        last_window_ps_ = t - u.unmapped_ps;
        if (stale_window_) stale_window_(last_window_ps_);
        u.area.pages->unpin(u.area.first_page(), u.area.last_page());
        taken_.erase(u.area.iova, u.area.last);
    }
    unflushed_.clear();
    ++flushes_;
}

void IoPagetable::flush_if_due() {
    if (!unflushed_.empty() && now() >= flush_deadline_ps()) flush();
}

uint64_t IoPagetable::flush_deadline_ps() const {
    return unflushed_.empty() ? 0 : unflushed_.front().unmapped_ps + policy_.timeout_ps;
}

bool IoPagetable::unflushed(uint64_t iova) const {
    return std::any_of(unflushed_.begin(), unflushed_.end(),
                       [&](const Unflushed& u) { return u.area.iova <= iova && iova <= u.area.last; });
}

Reach IoPagetable::reach(uint64_t iova) const {
    auto it = areas_.upper_bound(iova);
    if (it != areas_.begin() && (--it)->second.last >= iova) {
        const Area& a = it->second;
        const uint64_t byte = a.offset + (iova - a.iova);
        if (a.pages->pinned(byte / kPageSize))
            return {Reach::Live, a.pages->frame(byte / kPageSize) + byte % kPageSize, (a.prot & kWrite) != 0};
    }
    return {unflushed(iova) ? Reach::Unflushed : Reach::None, 0, false};
}

// A new area over an IOVA still cached for an unmapped one would let the IOMMU use
// the old translation: flush first (as the DMA API never reuses an IOVA before).
void IoPagetable::flush_over(uint64_t start, uint64_t last) {
    for (const Unflushed& u : unflushed_)
        if (overlaps(start, last, u.area.iova, u.area.last)) return flush();
}

Errno IoPagetable::unmap(uint64_t iova, uint64_t length, uint64_t& unmapped) {
    unmapped = 0;
    if (length == 0) return Errno::Inval;
    uint64_t last = 0;
    if (__builtin_add_overflow(iova, length - 1, &last)) return Errno::Overflow;
    for (;;) {
        auto it = areas_.upper_bound(iova);
        if (it != areas_.begin() && std::prev(it)->second.last >= iova) --it;
        if (it == areas_.end() || it->first > last) return Errno::Ok;
        if (it->first < iova || it->second.last > last) return Errno::NoEnt;
        unmapped += it->second.length();
        remove(it);
    }
}

Errno IoPagetable::unmap_all(uint64_t& unmapped) {
    unmapped = 0;
    while (!areas_.empty()) {
        unmapped += areas_.begin()->second.length();
        remove(areas_.begin());
    }
    return Errno::Ok;
}

Errno IoPagetable::spans(uint64_t iova, uint64_t length, std::vector<PagesSpan>& out) const {
    out.clear();
    if (length == 0) return Errno::Inval;
    uint64_t last = 0;
    if (__builtin_add_overflow(iova, length - 1, &last)) return Errno::Overflow;
    auto it = areas_.upper_bound(iova);
    if (it == areas_.begin() || std::prev(it)->second.last < iova) return Errno::NoEnt;
    --it;
    for (uint64_t at = iova;;) {
        const Area& a = it->second;
        const uint64_t end = std::min(last, a.last);
        out.push_back({a.pages, a.offset + (at - a.iova), end - at + 1});
        if (end == last) return Errno::Ok;
        at = end + 1;
        if (++it == areas_.end() || it->first != at) {
            out.clear();
            return Errno::NoEnt;
        }
    }
}

std::vector<IovaRange> IoPagetable::iova_ranges() const {
    std::vector<IovaRange> out;
    uint64_t at = 0;
    std::vector<IovaRange> used;
    for (const Reserved& r : reserved_) used.push_back(r.range);
    std::sort(used.begin(), used.end(), [](const IovaRange& a, const IovaRange& b) { return a.start < b.start; });
    for (const IovaRange& u : used) {
        if (u.start > at) out.push_back({at, u.start - 1});
        if (u.last == kMax) return out;
        at = std::max(at, u.last + 1);
    }
    out.push_back({at, kMax});
    return out;
}

// iommufd_ioas_load_iovas + iopt_set_allow_iova.
Errno IoPagetable::allow(const std::vector<IovaRange>& ranges) {
    for (size_t i = 0; i < ranges.size(); ++i) {
        if (ranges[i].start >= ranges[i].last) return Errno::Inval;
        for (size_t j = 0; j < i; ++j)
            if (overlaps(ranges[i].start, ranges[i].last, ranges[j].start, ranges[j].last)) return Errno::Inval;
    }
    for (const IovaRange& r : ranges)
        if (hits_reserved(r.start, r.last)) return Errno::AddrInUse;
    allowed_ = ranges;
    std::sort(allowed_.begin(), allowed_.end(), [](const IovaRange& a, const IovaRange& b) { return a.start < b.start; });
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
        const uint64_t end = std::min(last, a.last);
        // iopt_area_contig_is_aligned: whole pages, so each piece starts on a page
        // boundary of its pages and, unless it is the last, ends on one.
        if ((a.offset + (at - a.iova)) % kPageSize != 0 ||
            (end != last && (a.offset + (a.last - a.iova)) % kPageSize != kPageSize - 1))
            return Errno::Inval;
        if (write && !(a.prot & kWrite)) return Errno::Perm;
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
    if (!enable && large_pages_) {
        if (!domains_.empty() && !areas_.empty()) return Errno::Inval;
        if (!areas_aligned(alignment(domains_, false))) return Errno::AddrInUse;
    }
    large_pages_ = enable;
    return Errno::Ok;
}

// iopt_table_add_domain: pins every area if this is the first domain, and maps each
// into `d`; all or nothing.
Errno IoPagetable::attach(Domain& d) {
    const uint64_t align = std::max(lowest_bit(d.page_sizes()), iova_alignment());
    if (align > kPageSize) return Errno::Inval;
    if (!areas_aligned(align)) return Errno::AddrInUse;
    // IOVAs beyond the domain's aperture can never be mapped while it is attached
    // (iopt_table_add_domain): EADDRINUSE if an area or an allowed range is there.
    if (d.aperture_end() != ~uint64_t(0))
        if (const Errno e = reserve({d.aperture_end() + 1, ~uint64_t(0)}, &d); e != Errno::Ok) return e;
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
        unreserve(&d);
        return e;
    }
    domains_.push_back(&d);
    return Errno::Ok;
}

void IoPagetable::detach(Domain& d) {
    flush();
    auto it = std::find(domains_.begin(), domains_.end(), &d);
    if (it == domains_.end()) return;
    domains_.erase(it);
    unreserve(&d);
    for (const auto& [iova, a] : areas_) {
        unfill(a, d);
        if (domains_.empty()) a.pages->unpin(a.first_page(), a.last_page());
    }
}

}  // namespace iommufd
