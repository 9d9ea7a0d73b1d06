#include "models/iommu/command_cost.h"

#include "models/sim/params.h"

namespace iommu {

void CommandCost::bind(sim::ParamBinder& b) {
    b.u32("fetch_cycles", fetch_cycles, "cycles", "reading one queued command, per 16 bytes (illustrative)", 0, 1u << 20);
    b.u32("config_cycles", config_cycles, "cycles", "executing a configuration-cache invalidation (illustrative)", 0,
          1u << 20);
    b.u32("tlb_cycles", tlb_cycles, "cycles",
          "executing a TLB invalidation (illustrative; the VT-d configs' is measured: README)", 0, 1u << 20);
    b.u32("sync_cycles", sync_cycles, "cycles", "executing a completion wait (illustrative)", 0, 1u << 20);
    b.u32("atc_inv_cycles", atc_inv_cycles, "cycles", "a device ATC invalidation round trip (PCIe, ~1 us)", 0,
          1u << 24);
    b.u32("other_cycles", other_cycles, "cycles", "executing any other command (illustrative)", 0, 1u << 20);
}

uint32_t CommandCost::exec_cycles(CommandKind k) const {
    switch (k) {
        case CommandKind::Config: return config_cycles;
        case CommandKind::Tlb: return tlb_cycles;
        case CommandKind::Sync: return sync_cycles;
        case CommandKind::Other: return other_cycles;
        case CommandKind::AtcInv: return atc_inv_cycles;
    }
    return 0;
}

}  // namespace iommu
