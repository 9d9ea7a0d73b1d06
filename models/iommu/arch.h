// What the platform needs to know of an architecture's hardware: its parameter
// sections, how to build its unit, and for `iommu-sim walk` its register names, its
// capability straps and its enable sequence. Each hardware folder (models/<arch>)
// defines one; the registry (platforms/archs.cpp) pairs it with its driver.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/iommu/unit.h"

namespace sim {
class Config;
class ParamSchema;
}  // namespace sim

namespace iommu {

// An architecture's configuration as read from its sections; only its own code
// looks inside.
struct UnitConfig {
    virtual ~UnitConfig() = default;
};

struct Register {
    uint32_t offset = 0;
    unsigned size = 8;
};

struct HardwareArch {
    const char* title;  // "Intel VT-d"
    // Declares its sections ([vtd], [vtd.iotlb], ...) in a schema.
    void (*declare)(sim::ParamSchema& schema);
    // Reads and checks them; throws sim::InputError naming origin and key.
    std::shared_ptr<const UnitConfig> (*read)(const sim::Config& cfg, uint64_t seed);
    // A unit in reset state, its own accesses going to `mem`.
    std::unique_ptr<Unit> (*make)(const UnitConfig& config, HostMemory& mem);

    // Offline programming (`walk --reg NAME=VALUE`): sets a read-only capability
    // register as a platform straps it (false: `name` is not one of those) ...
    bool (*strap)(Unit& unit, const std::string& name, uint64_t value);
    // ... finds any other register by its specification name ...
    std::optional<Register> (*find_register)(const Unit& unit, const std::string& name);
    // ... and, once they are written, enables translation as firmware would. Throws
    // sim::InputError when the registers ask for something the model does not do.
    void (*enable)(Unit& unit);
    // Every name strap and find_register accept, sorted: for "did you mean" and the
    // list of valid registers in walk's errors.
    std::vector<std::string> (*register_names)();
};

}  // namespace iommu
