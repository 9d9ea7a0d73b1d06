// The logs the unit writes (spec: Event Log, Peripheral Page Service Request log), read
// as Linux's amd_iommu_handle_irq does on their interrupts: STATUS read, the interrupt
// and overflow bits written back to clear them, the log read from head to tail with
// each entry zeroed (errata 732/733) and the head written after each, a log stopped by
// an overflow restarted (amd_iommu_restart_log); STATUS read again until it is quiet.
#include <cstdio>

#include "models/iommufd/drivers/amdvi/amdvi_driver.h"
#include "models/iommufd/drivers/amdvi/encoding.h"

namespace iommufd::amdvi {

using namespace enc;

namespace {
constexpr int kRounds = 16;  // STATUS re-reads before the handler gives up
}

void Driver::count(const std::string& name, const char* desc) {
    auto& c = counts_[name];
    if (!c) c = std::make_unique<sim::Counter>(*this, name, "", desc);
    ++*c;
}

void Driver::restart_log(unsigned int_bit, unsigned log_bit, uint32_t run_mask, uint32_t overflow_mask) {
    if (uint32_t(mmio_.read(kStatus, 4)) & run_mask) return;
    feature(log_bit, false);
    feature(int_bit, false);
    mmio_.write(kStatus, overflow_mask, 4);
    feature(int_bit, true);
    feature(log_bit, true);
}

// iommu_poll_events: each record counted by its event code.
void Driver::poll_events() {
    uint32_t head = uint32_t(mmio_.read(kEvtHead, 4)) % kRingBytes;
    const uint32_t tail = uint32_t(mmio_.read(kEvtTail, 4)) % kRingBytes;
    while (head != tail) {
        const uint64_t entry = evt_log_ + head;
        refresh(entry, 16);
        char name[24];
        std::snprintf(name, sizeof name, "events.0x%x", event_code(m_.read64(entry)));
        count(name, "event log records with this event code read");
        m_.write64(entry, 0);
        m_.write64(entry + 8, 0);
        head = (head + 16) % kRingBytes;
        mmio_.write(kEvtHead, head, 4);
    }
}

void Driver::service_events() {
    const uint32_t mask = kStsEventLogInt | kStsEventOverflow;
    uint32_t status = uint32_t(mmio_.read(kStatus, 4));
    for (int i = 0; i < kRounds && (status & mask); ++i) {
        mmio_.write(kStatus, mask, 4);
        poll_events();
        if (status & kStsEventOverflow) {
            count("events.overflows", "event log overflows seen in STATUS.EventOverflow (records were lost)");
            restart_log(kCtlEventIntEn, kCtlEventLogEn, kStsEventLogRun, kStsEventOverflow);
        }
        status = uint32_t(mmio_.read(kStatus, 4));
    }
}

// iommu_call_iopf_notifier without a fault handler: a PAGE_SERVICE_REQUEST that closes
// its page request group (tag bit 9) is answered with COMPLETE_PPR_REQUEST, Status
// Response Failure (PCIe PRG response 1111b; Linux passes IOMMU_PAGE_RESP_FAILURE),
// tag 8:0 as the completion tag, GN and the PASID when the request had one.
void Driver::handle_ppr(uint64_t lo) {
    count("ppr.requests", "PPR log entries read");
    if (ppr_type(lo) != kPprPageServiceRequest || !(ppr_tag(lo) & kPprTagLast)) return;
    const bool gn = ppr_gn(lo);
    const uint64_t pasid = gn ? uint64_t(ppr_pasid(lo)) << 32 : 0;
    ppr_responses_.push_back({bits(lo, 0, 16) | pasid | cmd_op(kOpCompletePpr),
                              uint64_t(ppr_tag(lo) & 0x1ff) << 32 | kPprRespFailure << 44 | (gn ? kInvGn : 0)});
}

// amd_iommu_poll_ppr_log.
void Driver::poll_ppr_log() {
    uint32_t head = uint32_t(mmio_.read(kPprHead, 4)) % kRingBytes;
    const uint32_t tail = uint32_t(mmio_.read(kPprTail, 4)) % kRingBytes;
    while (head != tail) {
        const uint64_t entry = ppr_log_ + head;
        refresh(entry, 16);
        const uint64_t lo = m_.read64(entry);
        m_.write64(entry, 0);
        m_.write64(entry + 8, 0);
        head = (head + 16) % kRingBytes;
        mmio_.write(kPprHead, head, 4);
        handle_ppr(lo);
    }
}

// The responses are queued as Linux's amd_iommu_complete_ppr queues them, without a
// COMPLETION_WAIT of their own (the next one covers them).
void Driver::service_page_requests() {
    if (!ppr_log_) return;
    const uint32_t mask = kStsPprInt | kStsPprOverflow;
    uint32_t status = uint32_t(mmio_.read(kStatus, 4));
    for (int i = 0; i < kRounds && (status & mask); ++i) {
        mmio_.write(kStatus, mask, 4);
        ppr_responses_.clear();
        poll_ppr_log();
        for (const Cmd& c : ppr_responses_) {
            queue(c);
            count("ppr.responses", "COMPLETE_PPR_REQUEST commands sent (Response Failure: no fault handler)");
        }
        if (status & kStsPprOverflow) {
            count("ppr.overflows", "PPR log overflows seen in STATUS.PPROverflow (requests were lost)");
            restart_log(kCtlPprIntEn, kCtlPprLogEn, kStsPprLogRun, kStsPprOverflow);
        }
        status = uint32_t(mmio_.read(kStatus, 4));
    }
}

}  // namespace iommufd::amdvi
