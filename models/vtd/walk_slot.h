// One VT-d table walk in a walker slot: the legacy or scalable walker doing it and
// the request it serves, for RemappingUnit to finish (fill caches, report a fault).
#pragma once

#include <optional>

#include "models/iommu/translator.h"
#include "models/vtd/legacy_walker.h"
#include "models/vtd/scalable_walker.h"

namespace vtd {

class WalkSlot final : public iommu::Walk {
public:
    bool done() const override { return legacy ? legacy->done() : scalable->done(); }
    uint64_t read_address() const override {
        return legacy ? legacy->read_address() : scalable->read_address();
    }
    bool write_pending() const override { return scalable && scalable->write_pending(); }
    uint64_t write_value() const override { return scalable ? scalable->write_value() : 0; }
    void supply(uint64_t qword, bool ok) override {
        if (legacy) legacy->supply(qword, ok);
        else scalable->supply(qword, ok);
    }
    const iommu::Result& result() const { return legacy ? legacy->result() : scalable->result(); }
    const iommu::Result* outcome() const override { return &result(); }

    iommu::Request request{};
    bool context_cached = false;  // the walk started from the context-cache
    bool pasid_cached = false;    // ... and the PASID-cache (scalable mode)
    std::optional<LegacyWalker> legacy;
    std::optional<ScalableWalker> scalable;
};

}  // namespace vtd
