// Test helper: endpoints that keep every message a unit sends them, in order.
#pragma once

#include <vector>

#include "models/iommu/ats.h"

namespace testutil {

struct FakeEndpoints : iommu::Endpoints {
    std::vector<iommu::AtsInvalidation> invalidations;
    std::vector<iommu::PageResponse> responses;
    void invalidate(const iommu::AtsInvalidation& inv) override { invalidations.push_back(inv); }
    void page_response(const iommu::PageResponse& r) override { responses.push_back(r); }
};

}  // namespace testutil
