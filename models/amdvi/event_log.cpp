// The event log (§2.5 "Event Logging", §3.4.3, §3.4.10): 16-byte records at
// EVT_TAIL in a circular buffer of 2^EventLen entries; software consumes from
// EVT_HEAD. The log is full when one more record would make the tail reach the head:
// the IOMMU sets STATUS.EventOverflow, stops logging (EventLogRun = 0) and loses the
// event, and every later one, until software re-enables EventLogEn. Logging never
// waits, so a storm of faults cannot stall translation.
#include "models/amdvi/amdvi_unit.h"

namespace amdvi {

bool AmdviUnit::log_event(const Event& e) {
    if (!(status_ & status::EVENT_LOG_RUN)) {
        ++events_lost_;
        return false;
    }
    const uint64_t bytes = ring::entries(evt_base_) * ring::ENTRY_BYTES;
    const uint64_t tail = evt_tail_ % bytes;
    const uint64_t next = (tail + ring::ENTRY_BYTES) % bytes;
    if (next == evt_head_ % bytes) {
        status_ = (status_ | status::EVENT_OVERFLOW) & ~status::EVENT_LOG_RUN;
        ++events_lost_;
        return false;
    }
    const auto rec = encode_event(e);
    const uint64_t at = (evt_base_ & ring::ADDR) + tail;
    if (!mem_.write_u64(at, rec[0]) || !mem_.write_u64(at + 8, rec[1])) {
        status_ &= ~status::EVENT_LOG_RUN;  // a log it cannot write stops
        ++events_lost_;
        return false;
    }
    evt_tail_ = next;
    ++events_;
    if (ctrl_ & ctrl::EVENT_INT_EN) {
        status_ |= status::EVENT_LOG_INT;
        if (on_event_irq) on_event_irq();
    }
    return true;
}

}  // namespace amdvi
