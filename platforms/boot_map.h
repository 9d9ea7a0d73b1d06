// What firmware and the kernel would have done before the first DMA on a platform
// whose devices no workload maps: the architecture's own driver probes the unit, and
// each requester ID gets a domain mapping its devices' windows 1:1 (rounded out to
// the page size), with the device attached; with [iommufd] passthrough, an identity
// domain instead (iommu.passthrough=1: the device reaches all of memory untranslated).
// Driver and domains stay for the run.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "models/iommufd/driver.h"
#include "models/pcie/request_stream.h"
#include "platforms/iommu_config.h"
#include "platforms/isolation.h"

namespace platform {

class BootMap : public DmaOracle {
public:
    // The driver's tables come from [table_base, table_base + kTableBytes).
    static constexpr uint64_t kTableBytes = 0x4000'0000;

    // `caps` gives what the driver finds in a requester's devices (ATS, PRI).
    using CapsOf = std::function<iommufd::EndpointCaps(uint16_t rid)>;
    BootMap(const ArchConfig& a, iommufd::Machine& m, const BootMapParams& p,
            const std::vector<pcie::GeneratorParams>& devs, const CapsOf& caps, bool passthrough = false);
    ~BootMap() override;
    // Each requester reaches its devices' windows (rounded out to the page size) 1:1,
    // or, passed through, every address.
    iommufd::Reach reach(uint16_t sid, uint64_t iova) const override;
    // The driver, which services the unit's page requests.
    iommufd::Driver& driver() { return *driver_; }

    // Before any model exists: whether the architecture's driver can probe the unit it
    // is configured with, when `p` asks for a map, make it (page size, coherency), and
    // with `passthrough` ([iommufd]) give a device an identity domain.
    // Throws sim::InputError naming the key at fault.
    static void check(const ArchConfig& a, const BootMapParams& p, const sim::Config& cfg, bool passthrough);

private:
    void pass_through(const std::vector<pcie::GeneratorParams>& devs, const CapsOf& caps);

    iommufd::FrameAllocator pages_;
    std::unique_ptr<iommufd::Driver> driver_;
    std::map<uint16_t, std::unique_ptr<iommufd::Domain>> domains_;  // by requester ID
    std::vector<std::unique_ptr<iommufd::DeviceOps>> devices_;       // detach first
    struct Window {
        uint16_t sid;
        uint64_t start, end;  // [start, end), page-aligned
    };
    std::vector<Window> windows_;
    bool passthrough_ = false;
};

}  // namespace platform
