// The time a unit spends on its command or invalidation queue ("command processing
// takes time"): each queued command costs a fetch — one memory read of the entry,
// `fetch_cycles` per 16 bytes — and an execution by kind, in the unit's clock cycles
// (the engine's [iommu] clock_mhz). The unit still processes a batch functionally
// when software rings the doorbell; the cycles it takes accumulate (Unit::
// command_cycles()), and a driver's completion wait lasts at least that long on the
// host CPU (iommufd::Machine::command_ns()). Defaults are illustrative: a fetch near a
// cached memory read shared by a 64-byte line's entries, a TLB invalidation a pass of
// tag compares, a completion wait a drain and a write of the consumer index. The
// shipped VT-d configs set tlb_cycles from a measured strict-unmap invalidation time
// (README "Calibration: driver and invalidation costs").
#pragma once

#include <cstdint>

#include "models/sim/stats.h"

namespace sim { class ParamBinder; }

namespace iommu {

enum class CommandKind : uint8_t { Config, Tlb, Sync, Other, AtcInv };

struct CommandCost {
    uint32_t fetch_cycles = 20;   // per 16 bytes of a command read
    uint32_t config_cycles = 8;   // configuration-cache invalidation (STE/CD, context/PASID)
    uint32_t tlb_cycles = 16;     // TLB / IOTLB / device-TLB invalidation
    uint32_t sync_cycles = 8;     // completion wait (CMD_SYNC, wait descriptor)
    uint32_t other_cycles = 4;    // anything else (prefetch, page response)
    // An ATS Invalidate Request to a device and its Invalidate Completion: a PCIe
    // message round trip through the root port, ~1 us (1000 cycles at 1 GHz), not the
    // tag compares of a TLB invalidation.
    uint32_t atc_inv_cycles = 1000;

    void bind(sim::ParamBinder& b);
    void validate() const {}
    uint32_t exec_cycles(CommandKind k) const;
};

// A unit's running total of command cycles, as the statistic `name`.
class CommandClock {
public:
    CommandClock(sim::StatGroup& owner, const CommandCost& c, const char* name)
        : cost_(c), busy_(owner, name, "cycles", "unit cycles spent fetching and executing queued commands") {}
    void fetch(unsigned bytes) { busy_ += uint64_t(cost_.fetch_cycles) * ((bytes + 15) / 16); }
    void execute(CommandKind k) { busy_ += cost_.exec_cycles(k); }
    uint64_t cycles() const { return busy_.value(); }

private:
    CommandCost cost_;
    sim::Counter busy_;
};

}  // namespace iommu
