// The data pointer of an NVMe command as PRPs (NVMe Base Specification, "Physical
// Region Page Entry and List"): PRP1 addresses the first memory page, with an offset;
// PRP2 is the second page when the transfer ends in it, else the address of a PRP
// list holding the entries for the pages after the first, each page-aligned.
//
// Pure: the buffer is contiguous in IOVA space (the DMA API maps it at one IOVA), and
// the list fits in one page (at most 512 entries: 2 MiB with 4 KiB pages), so there
// is no list chaining.
#pragma once

#include <cstdint>
#include <vector>

namespace workload {

constexpr uint64_t kPrpPageBytes = 4096;    // CC.MPS = 0: 4 KiB memory pages
constexpr uint32_t kPrpEntryBytes = 8;
constexpr uint32_t kPrpListEntries = kPrpPageBytes / kPrpEntryBytes;

struct Prp {
    uint64_t prp1 = 0, prp2 = 0;  // prp2 0: not used
    bool list = false;            // prp2 addresses a PRP list
};

// Memory pages a transfer of `bytes` from `iova` touches.
uint32_t prp_pages(uint64_t iova, uint64_t bytes);

// The PRPs of `bytes` (> 0) at `iova`; a list, when needed, is written to `list`
// (cleared first; its capacity is kept) and lives at `list_iova`. Throws
// std::length_error when the list would not fit in one page.
Prp build_prp(uint64_t iova, uint64_t bytes, uint64_t list_iova, std::vector<uint64_t>& list);

}  // namespace workload
