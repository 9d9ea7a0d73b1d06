// The page request queue of a VT-d unit (spec 7.5 "Page Requests", registers 11.4.11):
// PQH_REG (software's head), PQT_REG (hardware's tail), PQA_REG (base 63:12, PQS 2:0:
// 2^(PQS+7) descriptors of 32 bytes), PRS_REG (PPR, PRO), PECTL_REG with PEDATA,
// PEADDR and PEUADDR (the page request event interrupt).
//
// Hardware writes each page request as a 32-byte Page Request Descriptor at PQT and
// advances PQT; a full queue (PQT one descriptor behind PQH) or an overflow software has
// not cleared drops the request and sets PRO. The page request event fires when PPR or
// PRO goes from clear to set with both clear before (spec 7.5.2, as QEMU models it):
// PECTL.IP is set, and with IM clear the interrupt is sent and IP cleared; clearing IM
// with IP set sends it then.
#pragma once

#include <cstdint>
#include <optional>

#include "models/iommu/ats.h"
#include "models/iommu/host_memory.h"

namespace vtd {

class PageRequestQueue {
public:
    // MMIO within 0xC0-0xEF: the register qword at `base` (8-aligned), or nullopt
    // outside the queue's registers.
    std::optional<uint64_t> read(uint32_t base) const;
    // A 4- or 8-byte write; false outside the queue's registers. True in `irq` when
    // unmasking sends a pending event.
    bool write(uint32_t offset, uint64_t value, unsigned size, bool& irq);

    // Whether software has set the queue up (PQA written with a base).
    bool configured() const { return pqa_ & ~uint64_t(0xfff); }
    enum class Outcome { Queued, Dropped };
    // Writes the descriptor for `pr` at the tail (Dropped: full, overflowed, or the
    // write failed). `irq`: the page request event interrupt is to be sent.
    Outcome push(const iommu::PageRequest& pr, iommu::HostMemory& mem, bool& irq);

private:
    uint64_t entries() const { return uint64_t(1) << ((pqa_ & 7) + 7); }
    bool raise(uint32_t bit);  // sets a PRS bit; true when the event interrupt goes out

    uint64_t pqh_ = 0, pqt_ = 0, pqa_ = 0;
    uint32_t prs_ = 0;
    uint32_t pectl_ = 1u << 31;  // IM set at reset
    uint32_t pedata_ = 0, peaddr_ = 0, peuaddr_ = 0;
};

// The 32-byte Page Request Descriptor (spec 7.5.1.1; Linux struct page_req_dsc, QEMU
// VTD_PRD_*): qword 0 type 7:0 (1), PASID present 8, RID 31:16, PASID 51:32, execute
// 52, privileged 53; qword 1 read 0, write 1, LPIG 2, PRG index 11:3, address 63:12;
// qwords 2-3 private data (none here).
void encode_page_request(const iommu::PageRequest& pr, uint64_t (&qw)[4]);

}  // namespace vtd
