// The conformance suite: what every registered architecture must do, whatever its
// tables look like. The test build registers, besides the product's architectures,
// a made-up one (tests/support/flat) to prove the seams carry more than VT-d.
//
// Variants: each architecture with its defaults, and the configurations of it that
// translate through different structures (VT-d's scalable mode, SMMUv3's stage 2,
// AMD-Vi's six-level tables).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/iommu/host_memory.h"
#include "models/iommu/unit.h"
#include "models/iommufd/context.h"
#include "models/iommufd/driver.h"
#include "models/memory/sparse_memory.h"
#include "platforms/archs.h"
#include "platforms/machine.h"

// The registered architectures, for test cases instantiated per architecture (SystemC
// elaborates once per process, so a platform case cannot loop over the registry);
// test_functional.cpp checks that it names exactly the registry.
#define CONFORMANCE_ARCHS(X) X(vtd) X(smmuv3) X(amdvi) X(flat)

namespace conformance {

using Settings = std::vector<std::pair<std::string, std::string>>;

// Registers the test-only architectures (once; before any configuration is declared).
void register_test_archs();

struct Variant {
    const platform::Arch* arch;
    Settings settings;  // on top of the defaults
    std::string label() const;
};
// Every registered architecture, and the extra variants of those that have them.
std::vector<Variant> variants();

// A unit and its driver outside a platform: memory written straight through, the
// driver probed.
struct Rig {
    static constexpr uint16_t kSid = 0x0108;
    explicit Rig(const Variant& v);
    iommu::Result access(uint64_t iova, bool write);

    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    std::unique_ptr<iommu::Unit> unit;
    std::unique_ptr<platform::StoreMachine> machine;
    iommufd::FrameAllocator table_pages{0x1000'0000, uint64_t(1) << 32};  // sparse: address space
    std::unique_ptr<iommufd::Driver> driver;
};

// iommufd over a rig's driver: a process (4 GiB limit), the device Rig::kSid bound
// to a context with one IOAS it is attached to.
struct Engine {
    explicit Engine(Rig& r);
    iommufd::FrameAllocator frames{uint64_t(1) << 36, uint64_t(1) << 32};
    iommufd::User user{"u0"};
    iommufd::Process proc{"p0", user, uint64_t(1) << 32, frames};
    std::unique_ptr<iommufd::DeviceOps> ops;
    iommufd::Device dev;
    iommufd::Context ctx{proc};  // last: it detaches the device before the rest goes
    uint32_t dev_id = 0, ioas = 0;
};

}  // namespace conformance
