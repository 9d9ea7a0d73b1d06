// The PRI queue (IHI 0070 chapter 8): the SMMU writes a 16-byte entry at PRIQ_PROD for
// each PCIe Page Request (PPR) it takes and advances PROD; software consumes at CONS
// and answers each group with CMD_PRI_RESP.
// - PRIQEN == 0 (also when SMMUEN == 0), no IDR0.PRI, or an active GERROR.PRIQ_ABT_ERR:
//   nothing is written and the PPR gets an automatic Response Failure (§8.2) — here
//   page_request() returns false and the platform sends it.
// - Overflow (§8.1): a PPR that finds the queue full toggles PROD.OVFLG; while OVFLG
//   differs from CONS.OVACKFLG no entry is written (unlike the event queue, even with
//   room). A lost PPR with Last == 1 gets an automatic Success response (without a
//   PASID: STE.PPAR and IDR3.PPS are not modelled); one with Last == 0 is discarded.
// - A queue write that aborts toggles GERROR.PRIQ_ABT_ERR and loses the PPR.
#include <algorithm>

#include "models/smmuv3/page_request.h"
#include "models/smmuv3/queue.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"

namespace smmuv3 {
namespace {

PageRequest entry(const iommu::PageRequest& pr) {
    PageRequest e;
    e.sid = pr.sid;
    e.ssv = pr.pasid_valid;
    e.ssid = pr.pasid_valid ? pr.pasid : 0;
    e.priv = pr.priv;
    e.exec = pr.exec;
    e.read = pr.read;
    e.write = pr.write;
    e.last = pr.last;
    e.prg_index = pr.prg_index & 0x1ff;
    e.addr = pr.addr;
    return e;
}

}  // namespace

bool SmmuUnit::page_request(const iommu::PageRequest& pr) {
    if (!caps_.pri || !enabled() || !(cr0_ & cr0::PRIQEN) || ((gerror_ ^ gerrorn_) & gerror::PRIQ_ABT_ERR))
        return false;
    const QueueBase base = decode_queue_base(q(reg::PRIQ_BASE));
    const QueueIndex qi(std::min(base.log2size, caps_.priqs));
    const uint32_t cons = reg(reg::PRIQ_CONS);
    const bool overflowed = QueueIndex::overflow_pending(priq_prod_, cons);
    if (overflowed || qi.full(priq_prod_, cons)) {
        if (!overflowed) priq_prod_ = QueueIndex::toggle_overflow(priq_prod_);
        ++pri_lost_;
        if (pr.last && endpoints) {
            iommu::PageResponse r;
            r.sid = pr.sid;
            r.prg_index = pr.prg_index;
            r.code = iommu::PrgResponse::Success;
            endpoints->page_response(r);
        }
        return true;
    }
    const auto rec = encode_page_request(entry(pr));
    const uint64_t at = base.addr + uint64_t(qi.index(priq_prod_)) * 16;
    if (!mem_.write_u64(at, rec[0]) || !mem_.write_u64(at + 8, rec[1])) {
        toggle_gerror(gerror::PRIQ_ABT_ERR);
        ++pri_lost_;
        return false;
    }
    priq_prod_ = qi.advance(priq_prod_);
    ++pri_requests_;
    if ((irq_ctrl_ & irq_ctrl::PRIQ_IRQEN) && on_page_request_irq) on_page_request_irq();
    return true;
}

}  // namespace smmuv3
