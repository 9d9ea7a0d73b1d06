#include "platforms/isolation.h"

#include <iostream>

#include <systemc>

#include "models/sim/format.h"

namespace platform {

std::optional<std::string> breach(uint16_t sid, uint64_t iova, const iommu::Result& r,
                                  const iommufd::Reach& want) {
    if (r.fault) return std::nullopt;
    if (want.kind == iommufd::Reach::Unflushed) return std::nullopt;
    if (want.kind == iommufd::Reach::Identity && r.pa == iova) return std::nullopt;
    if (want.kind == iommufd::Reach::Live && r.pa == want.pa && (want.writable || !r.write)) return std::nullopt;
    return "requester " + sim::hex(sid) + " iova " + sim::hex(iova) + " translated to pa " + sim::hex(r.pa) +
           (r.write ? " (writable)" : "") + "; the mapping engine " +
           (want.kind == iommufd::Reach::Live
                ? "maps it to " + sim::hex(want.pa) + (want.writable ? " (writable)" : " (read-only)")
            : want.kind == iommufd::Reach::Identity ? std::string("passes it through untranslated")
                                                      : std::string("maps nothing there"));
}

void IsolationCheck::check(uint16_t sid, uint64_t iova, const iommu::Result& r) {
    if (r.fault) return;
    ++checked_;
    std::optional<std::string> report = breach(sid, iova, r, oracle_.reach(sid, iova));
    if (!report || breaches_++) return;
    first_ = std::move(*report);
    std::cerr << "iommu-sim: isolation breach at " << sc_core::sc_time_stamp().to_seconds() * 1e9
              << " ns: " << first_ << "\n";
    sc_core::sc_stop();
}

}  // namespace platform
