// --check-isolation ([sim] check_isolation): every translation the IOMMU completes is
// checked against what the mapping engine says the requester may reach at that IOVA
// (a DmaOracle: the boot map, a workload's IOAS, a replay's contexts). A translation
// to the page an area maps, with no more rights than it grants, is fine; one through
// an area unmapped but not yet flushed is the deferred-invalidation window (stale,
// counted by the workloads, not a breach). Anything else is a breach of isolation:
// it is reported on stderr and the run stops. Faults are never breaches.
#pragma once

#include <cstdint>
#include <string>

#include "models/iommu/translation.h"
#include "models/iommufd/io_pagetable.h"

namespace platform {

class DmaOracle {
public:
    virtual ~DmaOracle() = default;
    virtual iommufd::Reach reach(uint16_t sid, uint64_t iova) const = 0;
};

class IsolationCheck {
public:
    explicit IsolationCheck(const DmaOracle& oracle) : oracle_(oracle) {}
    // The pipeline's translation listener; stops the simulation on a breach.
    void check(uint16_t sid, uint64_t iova, const iommu::Result& r);
    uint64_t checked() const { return checked_; }
    uint64_t breaches() const { return breaches_; }
    const std::string& first_breach() const { return first_; }

private:
    const DmaOracle& oracle_;
    uint64_t checked_ = 0, breaches_ = 0;
    std::string first_;
};

}  // namespace platform
