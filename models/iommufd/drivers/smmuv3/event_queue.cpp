// The event queue as Linux's arm_smmu_evtq_thread reads it (IHI 0070 3.5 queues, 7.3
// event records): records from CONS to PROD, CONS written back after each, PROD read
// again until it stays put; then an overflow the unit flagged in PROD.OVFLG is
// acknowledged by copying the flag into CONS (queue_sync_cons_ovf), which lets the unit
// record again. Linux logs each record; the driver counts it by event ID.
#include <cstdio>

#include "models/iommufd/drivers/smmuv3/encoding.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

using namespace enc;

// events.<ID> and events.overflows, made on first use.
void Driver::count(const std::string& name, const char* desc) {
    auto& c = events_[name];
    if (!c) c = std::make_unique<sim::Counter>(*this, name, "", desc);
    ++*c;
}

// The unit would raise the event interrupt when PROD moves away from CONS; the driver
// reads that state without charging it (it stands in for the interrupt line), and
// runs the thread, whose register accesses are charged, only when something is there.
void Driver::drain_events() {
    if (!evtq_) return;
    const uint32_t mask = (2u << evtq_shift_) - 1, index = (1u << evtq_shift_) - 1;
    const uint32_t line = uint32_t(m_.read_reg(kEvtqProd, 4));
    if (!((line ^ evtq_cons_) & (mask | kQueueOvf))) return;
    for (;;) {
        const uint32_t prod = uint32_t(mmio_.read(kEvtqProd, 4));
        if ((prod ^ evtq_prod_) & kQueueOvf)
            count("events.overflows", "event queue overflows seen in EVENTQ_PROD.OVFLG (records were lost)");
        evtq_prod_ = prod;
        if (!((prod ^ evtq_cons_) & mask)) break;
        while ((prod ^ evtq_cons_) & mask) {
            const uint64_t rec = evtq_ + uint64_t(evtq_cons_ & index) * 32;
            if (!coherent_) m_.flush(rec, 32);  // Linux's queue memory is uncached there
            char name[16];
            std::snprintf(name, sizeof name, "events.0x%02x", unsigned(m_.read64(rec) & 0xff));
            count(name, "event records with this event ID read from the event queue");
            evtq_cons_ = (evtq_cons_ & kQueueOvf) | ((evtq_cons_ + 1) & mask);
            mmio_.write(kEvtqCons, evtq_cons_, 4);
        }
    }
    if ((evtq_prod_ ^ evtq_cons_) & kQueueOvf) {
        evtq_cons_ = (evtq_cons_ & mask) | (evtq_prod_ & kQueueOvf);
        mmio_.write(kEvtqCons, evtq_cons_, 4);
    }
}

}  // namespace iommufd::smmuv3
