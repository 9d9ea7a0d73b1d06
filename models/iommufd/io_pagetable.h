// One IOAS's address space (Linux's io_pagetable, drivers/iommu/iommufd/
// io_pagetable.c): areas of user pages at IOVAs, reserved regions no area may cover,
// the ranges user space allows, and the domains every area is mapped into.
//
// Ranges are inclusive [start, last], as in Linux, so the top of the 64-bit space is
// expressible. Areas are never split: an unmap must cover whole areas. An IOAS without
// domains has no alignment (areas are byte ranges); each domain raises it to its
// smallest page, and so does turning large pages off (iopt_calculate_iova_alignment).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "models/iommufd/domain.h"
#include "models/iommufd/errno.h"
#include "models/iommufd/pages.h"
#include "models/iommufd/range_set.h"

namespace iommufd {

struct Area {
    uint64_t iova = 0, last = 0;   // inclusive
    std::shared_ptr<Pages> pages;
    uint64_t offset = 0;           // byte offset of `iova` from pages->start()
    unsigned prot = 0;
    uint64_t length() const { return last - iova + 1; }
    uint64_t first_page() const { return offset / kPageSize; }
    uint64_t last_page() const { return (offset + length() - 1) / kPageSize; }
    // The IOVA of the area's first page (areas in a domain are page-aligned).
    uint64_t page_iova() const { return iova & ~(kPageSize - 1); }
};

// A run of user pages to map: `length` bytes of `pages` from byte `offset`.
struct PagesSpan {
    std::shared_ptr<Pages> pages;
    uint64_t offset = 0, length = 0;
};

// How unmaps invalidate the domains' IOMMU caches. Strict (Linux iommufd): before the
// unmap returns. Deferred (Linux's DMA-API flush queue): the mappings go at once, but
// the invalidation waits until `batch` unmapped areas are queued or the oldest has
// waited `timeout_ps`; until then the IOMMU may keep translating them from its caches,
// so their pages stay pinned and their IOVAs stay taken.
struct FlushPolicy {
    bool deferred = false;
    uint32_t batch = 256;                      // IOVA_FQ_SIZE
    uint64_t timeout_ps = 10'000'000'000ull;   // IOVA_FQ_TIMEOUT, 10 ms
};

// What a device attached to an IOAS may reach at one IOVA: the byte's physical address
// through a live area, an unmapped area whose invalidation is still queued (deferred),
// or nothing. Identity: the device is on an identity domain (pass-through) and may
// reach all of memory, the IOVA being the physical address. The isolation check
// compares every translation with it.
struct Reach {
    enum Kind : uint8_t { None, Live, Unflushed, Identity } kind = None;
    uint64_t pa = 0;
    bool writable = false;
};

class IoPagetable {
public:
    // `now_ps` tells deferred flushing the time (a simulation clock); 0 without one.
    // `stale_window` hears, for each unmapped area of a domain, how long its
    // translation stayed usable: unmap to flush when deferred, 0 when strict (ps).
    void set_flush_policy(const FlushPolicy& p, std::function<uint64_t()> now_ps,
                          std::function<void(uint64_t)> stale_window = {});
    // Deferred mode: invalidates what is queued (all of it, or only when the oldest
    // entry has waited the timeout).
    void flush();
    void flush_if_due();
    // When the oldest queued unmap times out (0: none queued).
    uint64_t flush_deadline_ps() const;
    // Whether `iova` was unmapped but not yet flushed (a translation of it is stale).
    bool unflushed(uint64_t iova) const;
    Reach reach(uint64_t iova) const;
    uint64_t flushes() const { return flushes_; }
    uint64_t last_stale_window_ps() const { return last_window_ps_; }

    // Maps `length` bytes of `pages` from byte `offset` at a fixed or allocated IOVA:
    // EINVAL misaligned (IOVA, length or the user address's page offset against the
    // IOAS's alignment) or reserved, EEXIST over an area, ENOSPC no room, EOVERFLOW,
    // EPERM writable over read-only pages; with domains attached the pages are pinned
    // (EFAULT, ENOMEM) and mapped.
    Errno map(std::shared_ptr<Pages> pages, uint64_t offset, uint64_t length, unsigned prot,
              bool fixed, uint64_t& iova);
    // Maps the spans back to back, one area each, as one range (iopt_map_pages, what
    // IOAS_COPY does with the source's areas); all or nothing.
    Errno map_spans(const std::vector<PagesSpan>& spans, unsigned prot, bool fixed, uint64_t& iova);
    // Removes the areas in [iova, iova + length), lowest first (iopt_unmap_iova_range):
    // at an area the range cuts, ENOENT, with the areas before it already gone.
    // `unmapped` is the bytes removed; a range with no area is not an error here.
    Errno unmap(uint64_t iova, uint64_t length, uint64_t& unmapped);
    Errno unmap_all(uint64_t& unmapped);
    // The pages behind [iova, iova + length), one span per area, the first and last
    // possibly partial (iopt_get_pages): ENOENT unless contiguous areas cover it.
    Errno spans(uint64_t iova, uint64_t length, std::vector<PagesSpan>& out) const;

    // The holes between reserved regions, ascending (IOAS_IOVA_RANGES; allowed
    // ranges do not narrow them).
    std::vector<IovaRange> iova_ranges() const;
    // Replaces the allowed ranges (empty: everything): EINVAL for a range with
    // start >= last or overlapping another, EADDRINUSE when one intersects a reserved
    // region. Areas already outside them stay.
    Errno allow(const std::vector<IovaRange>& ranges);
    // A reserved region of `owner` (a device's MSI window, a host bridge window):
    // EADDRINUSE over an area or outside... any area it would cover.
    Errno reserve(IovaRange r, const void* owner);
    void unreserve(const void* owner);

    // An in-kernel access pinning [iova, iova + length) (iommufd_access_pin_pages): the
    // range may run across contiguous areas. EINVAL empty or not in whole pages of the
    // areas' user memory (a piece must start on a page boundary and, if another
    // follows, end on one), EOVERFLOW, ENOENT not fully mapped, EPERM a write pin of an
    // area without write permission; pages are pinned
    // and charged like a domain's. `frames` gets one frame per 4 KiB page.
    Errno access_pin(uint64_t iova, uint64_t length, bool write, uint64_t& out_pin,
                     std::vector<uint64_t>& frames);
    // ENOENT when the pin is unknown, or was dropped because its area was unmapped
    // (the access's unmap callback unpins, as Linux asks of every access).
    Errno access_unpin(uint64_t pin);

    // Maps every area into a newly attached domain (pinning them if it is the first):
    // EINVAL for a domain whose smallest page exceeds 4 KiB, EADDRINUSE when an area is
    // not aligned to it or lies beyond its aperture, which stays reserved while it is
    // attached. Detaching unmaps, and the last detach unpins.
    Errno attach(Domain& d);
    void detach(Domain& d);
    bool has_domains() const { return !domains_.empty(); }
    // IOMMU_OPTION_HUGE_PAGES: with large pages (the default) an area maps into each
    // domain with the largest pages its IOVA, frames and the domain allow; disabling
    // them is EINVAL once a domain holds mappings (iopt_disable_large_pages) and
    // EADDRINUSE when an area is not page-aligned.
    Errno set_large_pages(bool enable);
    bool large_pages() const { return large_pages_; }
    // What IOVAs, lengths and page offsets must be aligned to: 1 with no domain and
    // large pages on; at least each domain's smallest page, and 4 KiB with large
    // pages off.
    uint64_t iova_alignment() const { return alignment(domains_, large_pages_); }
    const std::map<uint64_t, Area>& areas() const { return areas_; }

private:
    static uint64_t alignment(const std::vector<Domain*>& domains, bool large_pages);
    bool areas_aligned(uint64_t align) const;
    bool hits_reserved(uint64_t start, uint64_t last) const;
    bool hits_area(uint64_t start, uint64_t last) const;
    bool first_fit(uint64_t lo, uint64_t hi, uint64_t length, uint64_t align, uint64_t page_offset,
                   uint64_t& iova) const;
    Errno alloc_iova(uint64_t user_addr, uint64_t length, uint64_t& iova) const;
    Errno check_iova(uint64_t iova, uint64_t length) const;
    Errno fill(const Area& a, Domain& d);
    uint64_t leaf_size(const Area& a, const Domain& d, uint64_t page, uint64_t iova) const;
    Errno pin_and_fill(const Area& a);
    void unfill(const Area& a, Domain& d);
    void remove(std::map<uint64_t, Area>::iterator it);
    void drop_pins_of(const Area& a);

    std::map<uint64_t, Area> areas_;  // by first IOVA
    RangeSet taken_;                  // the areas' and unflushed areas' IOVAs
    struct Reserved {
        IovaRange range;
        const void* owner;
    };
    std::vector<Reserved> reserved_;
    std::vector<IovaRange> allowed_;  // empty: all
    std::vector<Domain*> domains_;
    bool large_pages_ = true;
    struct Unflushed {
        Area area;            // unmapped, its pages still pinned
        uint64_t unmapped_ps;
    };
    FlushPolicy policy_;
    std::function<uint64_t()> now_ps_;
    std::vector<Unflushed> unflushed_;
    std::function<void(uint64_t)> stale_window_;
    uint64_t flushes_ = 0, last_window_ps_ = 0;
    uint64_t now() const { return now_ps_ ? now_ps_() : 0; }
    void flush_over(uint64_t start, uint64_t last);
    struct PinPiece {
        std::shared_ptr<Pages> pages;
        uint64_t first, last;  // page indexes in pages
        uint64_t area_iova;    // the area it went through
    };
    std::map<uint64_t, std::vector<PinPiece>> pins_;  // by pin ID
    uint64_t next_pin_ = 1;
};

}  // namespace iommufd
