// The user pages behind one IOAS_MAP (Linux's iopt_pages): a range of a process's
// address space, pinned page by page while a domain or an access needs it, and charged
// to locked memory once per page however many areas (IOAS_COPY) and holders share it.
//
// Accounting (drivers/iommu/iommufd/pages.c): the first pin of a page charges it to the
// user's locked_vm (per-user mode, the default) or the process's (per-process mode),
// compared with the process's RLIMIT_MEMLOCK: past it, ENOMEM and nothing pinned. The
// last unpin returns the charge to the same counter.
#pragma once

#include <cstdint>
#include <vector>

#include "models/iommufd/errno.h"
#include "models/iommufd/process.h"

namespace iommufd {

enum class RlimitMode { PerUser = 0, PerProcess = 1 };  // IOMMU_OPTION_RLIMIT_MODE

class Pages {
public:
    // [user_va, user_va + length) rounded out to pages; charged in `mode`.
    Pages(Process& p, uint64_t user_va, uint64_t length, bool writable, RlimitMode mode);

    // Pins pages [first, last] (indexes from the first page); all or nothing: EFAULT
    // where the process has no memory, ENOMEM past the limit.
    Errno pin(uint64_t first, uint64_t last);
    void unpin(uint64_t first, uint64_t last);

    // The frame of page `index` (pinned; std::out_of_range if not).
    uint64_t frame(uint64_t index) const;
    bool pinned(uint64_t index) const { return run_of(index) != nullptr; }
    uint64_t start() const { return start_; }  // page-aligned user address of page 0
    uint64_t page_count() const { return count_; }
    bool writable() const { return writable_; }
    Process& process() { return proc_; }
    uint64_t pinned_pages() const { return pinned_; }

private:
    uint64_t& locked();
    uint64_t fresh_pages(uint64_t first, uint64_t last) const;

    Process& proc_;
    uint64_t start_;
    bool writable_;
    RlimitMode mode_;
    uint64_t count_;                // pages in the range
    // Only the pinned pages, as Linux's xarray of pfns: a huge range (an IOAS may map
    // one while no domain needs its pages) costs what is pinned of it, never its size.
    // Consecutive pages on consecutive frames with the same holders are one run, so
    // a buffer pinned whole is one entry (24 bytes) however many pages it has.
    struct Run {
        uint64_t first;     // page index
        uint32_t count;     // pages
        uint32_t holders;
        uint64_t frame;     // of the first page
        uint64_t end() const { return first + count; }
    };
    const Run* run_of(uint64_t index) const;
    void split_at(uint64_t index);  // no run crosses `index` afterwards
    void merge();
    std::vector<Run> runs_;         // ascending, disjoint
    uint64_t pinned_ = 0;           // pages with at least one holder
};

}  // namespace iommufd
