// One IOAS's address space (Linux's io_pagetable, drivers/iommu/iommufd/
// io_pagetable.c): areas of user pages at IOVAs, reserved regions no area may cover,
// the ranges user space allows, and the domains every area is mapped into.
//
// Ranges are inclusive [start, last], as in Linux, so the top of the 64-bit space is
// expressible. Areas are never split: an unmap must cover whole areas. Occupancy is by
// IOVA page (an area with a sub-page offset still takes its whole pages).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "models/iommufd/domain.h"
#include "models/iommufd/errno.h"
#include "models/iommufd/pages.h"

namespace iommufd {

struct IovaRange {
    uint64_t start = 0, last = 0;
};

struct Area {
    uint64_t iova = 0, last = 0;   // inclusive
    std::shared_ptr<Pages> pages;
    uint64_t offset = 0;           // byte offset of `iova` from pages->start()
    unsigned prot = 0;
    uint64_t length() const { return last - iova + 1; }
    uint64_t first_page() const { return offset / kPageSize; }
    uint64_t last_page() const { return (offset + length() - 1) / kPageSize; }
    // The IOVA pages the area occupies: domains map whole pages, so two areas never
    // share one even when their bytes do not overlap.
    uint64_t page_iova() const { return iova & ~(kPageSize - 1); }
    uint64_t page_last() const { return last | (kPageSize - 1); }
};

// A run of user pages to map: `length` bytes of `pages` from byte `offset`.
struct PagesSpan {
    std::shared_ptr<Pages> pages;
    uint64_t offset = 0, length = 0;
};

class IoPagetable {
public:
    // Maps `length` bytes of `pages` from byte `offset` at a fixed or allocated IOVA:
    // EINVAL misaligned or reserved, EEXIST over an area, ENOSPC no room, EOVERFLOW;
    // with domains attached the pages are pinned (EFAULT, ENOMEM) and mapped.
    Errno map(std::shared_ptr<Pages> pages, uint64_t offset, uint64_t length, unsigned prot,
              bool fixed, uint64_t& iova);
    // Maps the spans back to back, one area each, as one range (iopt_map_pages, what
    // IOAS_COPY does with the source's areas); all or nothing.
    Errno map_spans(const std::vector<PagesSpan>& spans, unsigned prot, bool fixed, uint64_t& iova);
    // Removes the areas inside [iova, iova + length): ENOENT when the range cuts an
    // area or holds none. `unmapped` is the bytes removed.
    Errno unmap(uint64_t iova, uint64_t length, uint64_t& unmapped);
    Errno unmap_all(uint64_t& unmapped);
    // The areas exactly covering [iova, iova + length), contiguous (IOAS_COPY's
    // source): ENOENT otherwise.
    Errno covering(uint64_t iova, uint64_t length, std::vector<Area>& out) const;

    // Allowed ranges minus reserved regions, ascending (IOAS_IOVA_RANGES).
    std::vector<IovaRange> usable_ranges() const;
    // Replaces the allowed ranges (empty: everything): EADDRINUSE when one intersects a
    // reserved region, EBUSY when an area would fall outside, EINVAL when unordered
    // or overlapping.
    Errno allow(const std::vector<IovaRange>& ranges);
    // A reserved region of `owner` (a device's MSI window, a host bridge window):
    // EADDRINUSE over an area or outside... any area it would cover.
    Errno reserve(IovaRange r, const void* owner);
    void unreserve(const void* owner);

    // An in-kernel access pinning [iova, iova + length) (iommufd_access_pin_pages): the
    // range may run across contiguous areas. EINVAL empty, EOVERFLOW, ENOENT not fully
    // mapped, EPERM a write pin of an area without write permission; pages are pinned
    // and charged like a domain's. `frames` gets one frame per 4 KiB page.
    Errno access_pin(uint64_t iova, uint64_t length, bool write, uint64_t& out_pin,
                     std::vector<uint64_t>& frames);
    // ENOENT when the pin is unknown, or was dropped because its area was unmapped
    // (the access's unmap callback unpins, as Linux asks of every access).
    Errno access_unpin(uint64_t pin);

    // Maps every area into a newly attached domain (pinning them if it is the first);
    // detaching unmaps, and the last detach unpins.
    Errno attach(Domain& d);
    void detach(Domain& d);
    bool has_domains() const { return !domains_.empty(); }
    // IOMMU_OPTION_HUGE_PAGES: with large pages (the default) an area maps into each
    // domain with the largest pages its IOVA, frames and the domain allow; disabling
    // them is EINVAL once a domain holds mappings (iopt_disable_large_pages).
    Errno set_large_pages(bool enable);
    bool large_pages() const { return large_pages_; }
    // The smallest page any attached domain supports (4 KiB with none): IOVAs and
    // lengths of fixed maps must be aligned to it.
    uint64_t iova_alignment() const;
    const std::map<uint64_t, Area>& areas() const { return areas_; }

private:
    bool in_allowed(uint64_t start, uint64_t last) const;
    bool hits_reserved(uint64_t start, uint64_t last) const;
    bool hits_area(uint64_t start, uint64_t last) const;
    Errno alloc_iova(uint64_t user_addr, uint64_t length, uint64_t& iova) const;
    Errno fill(const Area& a, Domain& d);
    uint64_t leaf_size(const Area& a, const Domain& d, uint64_t page, uint64_t iova) const;
    Errno pin_and_fill(const Area& a);
    void unfill(const Area& a, Domain& d);
    void remove(std::map<uint64_t, Area>::iterator it);
    void drop_pins_of(const Area& a);

    std::map<uint64_t, Area> areas_;  // by first IOVA
    struct Reserved {
        IovaRange range;
        const void* owner;
    };
    std::vector<Reserved> reserved_;
    std::vector<IovaRange> allowed_;  // empty: all
    std::vector<Domain*> domains_;
    bool large_pages_ = true;
    struct PinPiece {
        std::shared_ptr<Pages> pages;
        uint64_t first, last;  // page indexes in pages
        uint64_t area_iova;    // the area it went through
    };
    std::map<uint64_t, std::vector<PinPiece>> pins_;  // by pin ID
    uint64_t next_pin_ = 1;
};

}  // namespace iommufd
