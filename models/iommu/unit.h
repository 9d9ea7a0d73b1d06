// An architecture's translation unit as the rest of the simulator sees it: the
// Translator the engine's pipeline drives, its register page (MMIO), a functional
// translate() for atomic and offline use, its statistics, and the invalidations it
// applies, told as they happen (for the timeline). VT-d's RemappingUnit is one; each
// architecture's hardware folder supplies its own behind this interface.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "models/iommu/ats.h"
#include "models/iommu/host_memory.h"
#include "models/iommu/translator.h"
#include "models/sim/stats.h"

namespace iommu {

class Unit : public Translator, public sim::StatGroup {
public:
    using sim::StatGroup::write;  // statistics as JSON, beside the MMIO write below
    // MMIO, 4 or 8 bytes at an offset of the register page. Offsets the architecture
    // reserves read 0 and ignore writes.
    virtual uint64_t read(uint32_t offset, unsigned size) const = 0;
    virtual void write(uint32_t offset, uint64_t value, unsigned size) = 0;
    // The functional loop: lookup, then a walk against the unit's own HostMemory, in
    // a walk slot of its own (never one of the pipeline's).
    virtual Result translate(const Request& r) = 0;
    // An architectural fault code as text, the code first ("0x5 WRITE").
    virtual std::string fault_text(uint32_t reason) const = 0;
    // Unit cycles spent so far on queued commands (command_cost.h); 0 for a unit
    // without a command or invalidation queue.
    virtual uint64_t command_cycles() const { return 0; }
    // A Page Request Message from a device (ats.h). False: the unit takes no page
    // requests (no PRI support, or not enabled); the platform answers the device with
    // Response Failure, as a root complex without PRI would.
    virtual bool page_request(const PageRequest& pr) {
        (void)pr;
        return false;
    }

    // Where the unit's messages to devices go (ATC invalidation, PRG responses); set by
    // the platform before the run, null without devices (unit tests may set their own).
    Endpoints* endpoints = nullptr;
    // Raised when the unit has queued page requests for software and its interrupt for
    // them is enabled (SMMU PRIQ IRQ, VT-d page request event); the platform has the
    // driver service them.
    std::function<void()> on_page_request_irq;
    // Raised when the unit has written an event for software and its event interrupt is
    // enabled (SMMU EVENTQ IRQ); the platform has the driver service it.
    std::function<void()> on_event_irq;
    // Set by the pipeline: the unit ends the stalled transaction `stag` (Result::stall),
    // retried (looked up again) or terminated (it faults). May come before the pipeline
    // has parked it (software answered within the event interrupt).
    std::function<void(uint16_t stag, bool retry)> on_stall_end;

    // Told of every invalidation the unit applies: its kind ("iotlb") and the
    // timeline's JSON arguments for it ("\"did\":3,...", no braces).
    std::function<void(const char* kind, const std::string& args)> on_invalidate;
};

// Runs a walk to its end against `mem`: reads, and the A/D writes it asks for.
inline void run_walk(Walk& w, HostMemory& mem) {
    while (!w.done()) {
        uint64_t v = 0;
        const uint64_t pa = w.read_address();
        const bool ok = w.write_pending() ? mem.write_u64(pa, w.write_value()) : mem.read_u64(pa, v);
        w.supply(v, ok);
    }
}

}  // namespace iommu
