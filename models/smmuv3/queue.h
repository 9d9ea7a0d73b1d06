// PROD/CONS arithmetic of an SMMU circular queue of 2^LOG2SIZE entries (IHI 0070 §3.5
// "Command and Event queues", §6.3 SMMU_CMDQ_PROD/CONS, SMMU_EVENTQ_PROD/CONS): the
// index in bits LOG2SIZE-1:0, the wrap flag at bit LOG2SIZE, which toggles each time the
// index passes the end. Empty: index and wrap equal. Full: index equal, wrap different.
// Bit 31 is EVENTQ_PROD.OVFLG / EVENTQ_CONS.OVACKFLG (and PRIQ's); CMDQ_CONS.ERR is
// 30:24. A value type: no allocation, no state beyond the size.
#pragma once

#include <cstdint>

namespace smmuv3 {

class QueueIndex {
public:
    static constexpr uint32_t OVFLG = 1u << 31;
    static constexpr unsigned ERR_SHIFT = 24;
    static constexpr uint32_t ERR_MASK = 0x7fu << ERR_SHIFT;

    // log2size: the effective LOG2SIZE, min(Q_BASE.LOG2SIZE, IDR1.xQS) (at most 19).
    explicit constexpr QueueIndex(unsigned log2size) : log2size_(log2size) {}

    constexpr unsigned log2size() const { return log2size_; }
    constexpr uint32_t entries() const { return 1u << log2size_; }
    constexpr uint32_t index(uint32_t p) const { return p & (entries() - 1); }
    constexpr bool wrap(uint32_t p) const { return (p >> log2size_) & 1; }
    // Index and wrap together: what full/empty compare.
    constexpr uint32_t position(uint32_t p) const { return p & ((entries() << 1) - 1); }

    constexpr bool empty(uint32_t prod, uint32_t cons) const { return position(prod) == position(cons); }
    constexpr bool full(uint32_t prod, uint32_t cons) const {
        return index(prod) == index(cons) && wrap(prod) != wrap(cons);
    }
    // Entries written and not yet consumed.
    constexpr uint32_t used(uint32_t prod, uint32_t cons) const {
        return (position(prod) - position(cons)) & ((entries() << 1) - 1);
    }
    constexpr uint32_t space(uint32_t prod, uint32_t cons) const { return entries() - used(prod, cons); }

    // p moved on by n entries; bits above the wrap flag (OVFLG, ERR) are kept.
    constexpr uint32_t advance(uint32_t p, uint32_t n = 1) const {
        const uint32_t wrap_mask = (entries() << 1) - 1;
        return (p & ~wrap_mask) | ((p + n) & wrap_mask);
    }

    // Event/PRI queue overflow (§7.4 "Event queue overflow"): the SMMU toggles PROD.OVFLG
    // when it loses a record while the previous overflow is acknowledged; software
    // acknowledges by copying OVFLG into CONS.OVACKFLG. Overflowed until then.
    static constexpr bool overflow_pending(uint32_t prod, uint32_t cons) { return ((prod ^ cons) & OVFLG) != 0; }
    static constexpr uint32_t toggle_overflow(uint32_t prod) { return prod ^ OVFLG; }
    static constexpr uint32_t acknowledge_overflow(uint32_t cons, uint32_t prod) {
        return (cons & ~OVFLG) | (prod & OVFLG);
    }

    // CMDQ_CONS.ERR (§6.3 SMMU_CMDQ_CONS; CERROR_* in regs.h).
    static constexpr unsigned error(uint32_t cons) { return (cons & ERR_MASK) >> ERR_SHIFT; }
    static constexpr uint32_t with_error(uint32_t cons, unsigned err) {
        return (cons & ~ERR_MASK) | ((uint32_t(err) << ERR_SHIFT) & ERR_MASK);
    }

private:
    unsigned log2size_;
};

// SMMU_CMDQ_BASE / EVENTQ_BASE / PRIQ_BASE: address 51:5, LOG2SIZE 4:0, RA/WA 62.
struct QueueBase {
    uint64_t addr = 0;
    unsigned log2size = 0;
    bool allocate = false;
};
constexpr QueueBase decode_queue_base(uint64_t v) {
    return QueueBase{v & (((uint64_t(1) << 52) - 1) & ~uint64_t(0x1f)), unsigned(v & 0x1f), ((v >> 62) & 1) != 0};
}

}  // namespace smmuv3
