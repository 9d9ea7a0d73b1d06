#include "platforms/isolation.h"

#include <iostream>

#include <systemc>

#include "models/sim/format.h"

namespace platform {

void IsolationCheck::check(uint16_t sid, uint64_t iova, const iommu::Result& r) {
    if (r.fault) return;
    ++checked_;
    const iommufd::Reach want = oracle_.reach(sid, iova);
    if (want.kind == iommufd::Reach::Unflushed) return;
    if (want.kind == iommufd::Reach::Live && r.pa == want.pa && (want.writable || !r.write)) return;
    if (breaches_++) return;
    first_ = "requester " + sim::hex(sid) + " iova " + sim::hex(iova) + " translated to pa " + sim::hex(r.pa) +
             (r.write ? " (writable)" : "") + "; the mapping engine " +
             (want.kind == iommufd::Reach::Live
                  ? "maps it to " + sim::hex(want.pa) + (want.writable ? " (writable)" : " (read-only)")
                  : std::string("maps nothing there"));
    std::cerr << "iommu-sim: isolation breach at " << sc_core::sc_time_stamp().to_seconds() * 1e9
              << " ns: " << first_ << "\n";
    sc_core::sc_stop();
}

}  // namespace platform
