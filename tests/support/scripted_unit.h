// A translation unit for pipeline tests whose answers come from the lookup stage alone:
// a test overrides lookup() (and page_request() if it needs to); nothing walks, has
// registers or caches.
#pragma once

#include <string>

#include "models/iommu/unit.h"
#include "models/pcie/request_stream.h"

namespace testutil {

struct DoneWalk : iommu::Walk {
    bool done() const override { return true; }
    uint64_t read_address() const override { return 0; }
    void supply(uint64_t, bool) override {}
};

struct ScriptedUnit : iommu::Unit {
    DoneWalk walk;

    uint64_t read(uint32_t, unsigned) const override { return 0; }
    void write(uint32_t, uint64_t, unsigned) override {}
    iommu::Result translate(const iommu::Request& r) override {
        iommu::Result out;
        lookup(r, out);
        return out;
    }
    std::string fault_text(uint32_t) const override { return "scripted"; }
    void reserve_walks(unsigned) override {}
    iommu::Walk& begin_walk(unsigned, const iommu::Request&) override { return walk; }
    iommu::Result end_walk(unsigned) override { return {}; }
    iommu::Result merged(const iommu::Request& r, const iommu::Result&) override {
        return iommu::untranslated(r);
    }
    bool walks_snoop() const override { return true; }
};

// The device such tests drive: 8 reads of 512 B over one page at 1 MiB, no data.
inline pcie::GeneratorParams one_page_reads() {
    pcie::GeneratorParams p;
    p.requests = 8;
    p.size = 512;
    p.window = 4096;
    p.base = 0x10'0000;
    p.preload = "none";
    p.verify = false;
    return p;
}

}  // namespace testutil
