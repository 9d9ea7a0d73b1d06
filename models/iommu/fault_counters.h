// A unit's faults counted by architectural code ("faults.0x2"), each counter created
// the first time its code occurs, so a statistics file lists only the codes seen.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>

#include "models/sim/stats.h"

namespace iommu {

class FaultCounters {
public:
    FaultCounters(sim::StatGroup& owner, const char* description) : owner_(owner), description_(description) {}
    void count(uint32_t code) {
        auto& c = by_code_[code];
        if (!c) {
            char name[24];
            std::snprintf(name, sizeof name, "faults.0x%x", unsigned(code));
            c = std::make_unique<sim::Counter>(owner_, name, "", description_);
        }
        ++*c;
    }

private:
    sim::StatGroup& owner_;
    const char* description_;
    std::map<uint32_t, std::unique_ptr<sim::Counter>> by_code_;
};

}  // namespace iommu
