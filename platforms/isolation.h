// --check-isolation ([sim] check_isolation): every translation the IOMMU completes is
// checked against what the mapping engine says the requester may reach at that IOVA
// (a DmaOracle: the boot map, a workload's IOAS, a replay's contexts). A translation
// to the page an area maps, with no more rights than it grants, is fine; one through
// an area unmapped but not yet flushed is the deferred-invalidation window (stale,
// counted by the workloads, not a breach). A device on an identity domain
// (pass-through) may reach all of memory: a translation to the IOVA itself is fine.
// Anything else is a breach of isolation:
// it is reported on stderr and the run stops. Faults are never breaches.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "models/iommu/translation.h"
#include "models/iommufd/io_pagetable.h"

namespace platform {

class DmaOracle {
public:
    virtual ~DmaOracle() = default;
    virtual iommufd::Reach reach(uint16_t sid, uint64_t iova) const = 0;
};

// The rule: whether translation `r` of requester `sid` at `iova` breaches isolation
// when the mapping engine says the requester may reach `want` there. nullopt when it
// does not (a fault, the mapped page with no more rights than the area grants, an
// unflushed area, or pa = iova on an identity domain); otherwise the report naming both sides. Pure, so that the fuzz
// targets can hold the model to exactly the rule a --check-isolation run uses.
std::optional<std::string> breach(uint16_t sid, uint64_t iova, const iommu::Result& r,
                                  const iommufd::Reach& want);

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
