// A Unit whose walks are one type of its own (`Slot`, an iommu::Walk): the numbered
// slots the pipeline reserves, one more for the functional translate(), and the
// stages in between. The architecture says how a walk begins (from what its caches
// hold) and what its end fills and reports.
#pragma once

#include <memory>
#include <vector>

#include "models/iommu/unit.h"

namespace iommu {

template <class Slot>
class SlottedUnit : public Unit {
public:
    void reserve_walks(unsigned n) override {
        while (slots_.size() < n) slots_.push_back(std::make_unique<Slot>());
    }
    Walk& begin_walk(unsigned slot, const Request& r) override {
        Slot& s = *slots_.at(slot);
        begin(s, r);
        return s;
    }
    Result end_walk(unsigned slot) override { return end(*slots_.at(slot)); }
    // The functional loop: the stages the timing shell runs, back to back.
    Result translate(const Request& r) override {
        Result out;
        if (lookup(r, out)) return out;
        begin(functional_, r);
        run_walk(functional_, walk_memory());
        return end(functional_);
    }

protected:
    virtual void begin(Slot& s, const Request& r) = 0;
    virtual Result end(Slot& s) = 0;
    // Where the functional loop's walks read.
    virtual HostMemory& walk_memory() = 0;

private:
    std::vector<std::unique_ptr<Slot>> slots_;
    Slot functional_;
};

}  // namespace iommu
