// The queues the unit produces (IHI 0070 3.5 queues, 7.3 event records, 8.1 PRI queue
// entries) as Linux's arm_smmu_evtq_thread and arm_smmu_priq_thread read them: entries
// from CONS to PROD, CONS written back after each, PROD read again until it stays put;
// then an overflow the unit flagged in PROD.OVFLG is acknowledged by copying the flag
// into CONS (queue_sync_cons_ovf), which lets the unit record again. Linux logs each
// event record; the driver counts it by event ID.
#include <cstdio>

#include "models/iommufd/drivers/smmuv3/encoding.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

using namespace enc;

// events.<ID>, events.overflows and pri.*, made on first use.
void Driver::count(const std::string& name, const char* desc) {
    auto& c = events_[name];
    if (!c) c = std::make_unique<sim::Counter>(*this, name, "", desc);
    ++*c;
}

// Queue base (RA/WA, LOG2SIZE), PROD and CONS, as arm_smmu_device_reset writes them.
void Driver::reset_queue(InQueue& q, uint32_t base_reg) {
    mmio_.write(base_reg, q.base | kQueueRaWa | q.shift, 8);
    mmio_.write(q.prod_reg, 0, 4);
    mmio_.write(q.cons_reg, 0, 4);
}

void Driver::consume(InQueue& q, void (Driver::*handle)(uint64_t entry)) {
    const uint32_t mask = (2u << q.shift) - 1, index = (1u << q.shift) - 1;
    for (;;) {
        const uint32_t prod = uint32_t(mmio_.read(q.prod_reg, 4));
        if ((prod ^ q.prod) & kQueueOvf) count(q.overflow_stat, q.overflow_desc);
        q.prod = prod;
        if (!((prod ^ q.cons) & mask)) break;
        while ((prod ^ q.cons) & mask) {
            const uint64_t entry = q.base + uint64_t(q.cons & index) * q.entry_bytes;
            if (!coherent_) m_.flush(entry, q.entry_bytes);  // Linux's queue memory is uncached there
            (this->*handle)(entry);
            q.cons = (q.cons & kQueueOvf) | ((q.cons + 1) & mask);
            mmio_.write(q.cons_reg, q.cons, 4);
        }
    }
    if ((q.prod ^ q.cons) & kQueueOvf) {
        q.cons = (q.cons & mask) | (q.prod & kQueueOvf);
        mmio_.write(q.cons_reg, q.cons, 4);
    }
}

void Driver::handle_event(uint64_t rec) {
    char name[16];
    const uint64_t dw0 = m_.read64(rec);
    std::snprintf(name, sizeof name, "events.0x%02x", unsigned(dw0 & 0xff));
    count(name, "event records with this event ID read from the event queue");
    if (idr0_stall_model(idr_[0]) == 1) return;  // a terminate-only unit never stalls
    const uint64_t dw1 = m_.read64(rec + 8);
    if (!(dw1 & kEvtStall)) return;
    // arm_smmu_handle_evt without an I/O page fault handler: the stalled transaction is
    // answered through arm_smmu_page_response with a failure, CMD_RESUME Abort.
    resumes_.push_back({kOpResume | kResumeAbort << 12 | bits(dw0, 32, 32) << 32, bits(dw1, 0, 16)});
}

// CMD_RESUMEs go without a CMD_SYNC, as arm_smmu_page_response sends them ("it doesn't
// do anything for RESUME").
void Driver::send_resumes() {
    for (size_t i = 0; i < resumes_.size(); ++i) count("stall.resumes", "CMD_RESUME Abort sent for stalled transactions");
    push_batches(resumes_);
    resumes_.clear();
}

// The unit would raise the event interrupt when PROD moves away from CONS; the driver
// reads that state without charging it (it stands in for the interrupt line), and
// runs the thread, whose register accesses are charged, only when something is there.
void Driver::drain_events() {
    if (!evtq_.base) return;
    const uint32_t mask = (2u << evtq_.shift) - 1;
    const uint32_t line = uint32_t(m_.read_reg(kEvtqProd, 4));
    if (!((line ^ evtq_.cons) & (mask | kQueueOvf))) return;
    consume(evtq_, &Driver::handle_event);
    if (!resumes_.empty()) send_resumes();
}

void Driver::service_events() { drain_events(); }

}  // namespace iommufd::smmuv3
