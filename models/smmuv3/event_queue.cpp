// The event queue (IHI 0070 §7.2 "Event queue recording", §7.4 "Event queue overflow"):
// the SMMU writes 32-byte records at PROD and advances it; software consumes at CONS.
// A record that finds the queue full is lost and toggles PROD.OVFLG; records are lost
// until software acknowledges by copying OVFLG into CONS.OVACKFLG. Recording never
// waits, so a storm of faulting requests cannot stall translation.
#include "models/smmuv3/queue.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"

namespace smmuv3 {

bool SmmuUnit::record_event(const Event& e) {
    const QueueBase base = decode_queue_base(q(reg::EVENTQ_BASE));
    const QueueIndex qi(std::min(base.log2size, caps_.eventqs));
    const uint32_t cons = reg(reg::EVENTQ_CONS);
    if (!(cr0_ & cr0::EVENTQEN) || QueueIndex::overflow_pending(evtq_prod_, cons)) {
        ++events_lost_;
        return false;
    }
    if (qi.full(evtq_prod_, cons)) {
        evtq_prod_ = QueueIndex::toggle_overflow(evtq_prod_);
        ++events_lost_;
        return false;
    }
    const auto rec = encode_event(e);
    const uint64_t at = base.addr + uint64_t(qi.index(evtq_prod_)) * 32;
    for (unsigned i = 0; i < 4; ++i) {
        if (!mem_.write_u64(at + 8 * i, rec[i])) {  // §7.2: an abort disables recording
            toggle_gerror(gerror::EVENTQ_ABT_ERR);
            cr0_ &= ~cr0::EVENTQEN;
            ++events_lost_;
            return false;
        }
    }
    evtq_prod_ = qi.advance(evtq_prod_);
    ++events_;
    if ((irq_ctrl_ & irq_ctrl::EVENTQ_IRQEN) && on_event_irq) on_event_irq();
    return true;
}

}  // namespace smmuv3
