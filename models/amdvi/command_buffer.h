// The AMD-Vi command buffer processor (48882 §2.4 "Commands"), a functional core: when
// software moves CMD_TAIL (MMIO 2008h) while the buffer runs, the IOMMU fetches the
// 16-byte commands from CMD_HEAD (2000h) up to the tail, wrapping at the end, executes
// each in order and advances the head past it.
// - CmdBufRun (STATUS 2020h bit 4) is set while CONTROL.CmdBufEn and IommuEn are both
//   set (start/stop, driven by the unit's CONTROL writes).
// - An illegal command (decode_command / command_supported) writes an
//   ILLEGAL_COMMAND_ERROR event (type 5) with the command's physical address and stops
//   the buffer: CmdBufRun clears and the head stays on the command, so software can read
//   it, fix the buffer and restart by clearing and setting CmdBufEn.
// - A command fetch, or a COMPLETION_WAIT store, that fails writes COMMAND_HARDWARE_ERROR
//   (type 6) with the address accessed and stops the buffer the same way.
// - COMPLETION_WAIT: every earlier command has completed (they complete as they execute
//   here, a device's ATS invalidation included), so F (flush) has nothing more to wait
//   for; S stores the 64-bit data at the store address, then I sets STATUS.ComWaitInt
//   (bit 2, W1C) and tells the unit, which interrupts when CONTROL.ComWaitIntEn is set.
// Each command fetched and executed costs unit cycles on the unit's iommu::CommandClock.
#pragma once

#include <cstdint>

#include "models/amdvi/circular_buffer.h"
#include "models/amdvi/command.h"
#include "models/amdvi/event.h"
#include "models/iommu/ats.h"
#include "models/iommu/command_cost.h"
#include "models/iommu/host_memory.h"

namespace amdvi {

// What the commands do to the unit that owns the buffer: its caches, its event log, the
// devices behind it.
class CommandTarget {
public:
    virtual ~CommandTarget() = default;
    // INVALIDATE_DEVTAB_ENTRY: the cached device table entry of `devid`.
    virtual void invalidate_dte(uint16_t devid) = 0;
    // INVALIDATE_IOMMU_PAGES: translations of `domain` overlapping [first, last] — guest
    // translations of `pasid` when gn, else the domain's host (nested) ones; pde: the
    // page-directory entries cached for them too.
    virtual void invalidate_pages(uint16_t domain, uint32_t pasid, uint64_t first, uint64_t last, bool pde,
                                  bool gn) = 0;
    // INVALIDATE_IOTLB_PAGES: an ATS Invalidate Request to device `inv.sid`.
    virtual void invalidate_iotlb(const iommu::AtsInvalidation& inv) = 0;
    virtual void invalidate_interrupt_table(uint16_t devid) = 0;
    // COMPLETE_PPR_REQUEST: a PRG Response Message to device `r.sid`.
    virtual void complete_ppr(const iommu::PageResponse& r) = 0;
    // INVALIDATE_IOMMU_ALL: every cached entry of every kind.
    virtual void invalidate_all() = 0;
    // A COMPLETION_WAIT with I = 1 has set STATUS.ComWaitInt.
    virtual void completion_wait_interrupt() = 0;
    // ILLEGAL_COMMAND_ERROR / COMMAND_HARDWARE_ERROR, for the unit's event log (event.h
    // encodes the record); false when the log lost it.
    virtual bool log_event(const Event& e) = 0;
};

class CommandBuffer {
public:
    static constexpr uint32_t kComWaitInt = 1u << 2;  // STATUS bits this core owns
    static constexpr uint32_t kCmdBufRun = 1u << 4;
    static constexpr uint64_t kPointerMask = 0x7fff0;  // CMD_HEAD / CMD_TAIL bits 18:4

    enum class Stop { None, IllegalCommand, HardwareError };
    struct Result {
        unsigned executed = 0;
        Stop stop = Stop::None;
    };

    CommandBuffer(CommandTarget& unit, iommu::HostMemory& mem, iommu::CommandClock& clock)
        : unit_(unit), mem_(mem), clock_(clock) {}

    void set_features(const CommandFeatures& f) { features_ = f; }
    // Command Buffer Base (0008h): ComBase 51:12, ComLen 59:56.
    void configure(uint64_t base, unsigned comlen) { ring_ = CircularBuffer::of(base, comlen); }
    // CMD_HEAD written by software (a driver does so only while the buffer is stopped).
    void set_head(uint64_t value) { head_ = ring_.offset(value); }
    uint32_t head() const { return head_; }

    void start() { running_ = true; }
    void stop() { running_ = false; }
    bool running() const { return running_; }
    uint32_t status_bits() const { return (running_ ? kCmdBufRun : 0) | (com_wait_int_ ? kComWaitInt : 0); }
    void clear_status(uint32_t w1c) { com_wait_int_ = com_wait_int_ && !(w1c & kComWaitInt); }

    // The CMD_TAIL doorbell: executes the commands from the head up to `tail` while the
    // buffer runs, at most one pass over the buffer.
    Result process(uint64_t tail);

private:
    bool fetch(uint32_t offset, CommandWords& dw);
    bool execute(const Command& c);  // false: a COMPLETION_WAIT store failed
    bool complete_wait(const Command& c);
    void halt(const Event& e);

    CommandTarget& unit_;
    iommu::HostMemory& mem_;
    iommu::CommandClock& clock_;
    CommandFeatures features_;
    CircularBuffer ring_;
    uint32_t head_ = 0;
    bool running_ = false;
    bool com_wait_int_ = false;
};

}  // namespace amdvi
