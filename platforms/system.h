// The simulated machine: host memory behind a root complex, and N PCIe devices, each
// on its own link; with an [iommu] arch, that architecture's unit between the root
// complex and memory, and, unless a workload maps, the boot map its driver makes.
// Built from a PlatformConfig that has already been validated.
//
//   dev_i --link_i--> rc.port(i) --> [iommu: pipeline + the arch's unit] --> memory
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include <systemc>

#include "models/iommu/pipeline.h"
#include "models/memory/memory_controller.h"
#include "models/pcie/link.h"
#include "models/pcie/root_complex.h"
#include "models/pcie/traffic_generator.h"
#include "models/sim/run_control.h"
#include "models/sim/timeline.h"
#include "models/iommu/unit.h"
#include "platforms/boot_map.h"
#include "platforms/isolation.h"
#include "platforms/platform_config.h"

namespace platform {

// The IOMMU's messages to the devices (iommu::Endpoints) go to every device with the
// requester ID they name.
class System : public sc_core::sc_module, private iommu::Endpoints {
public:
    System(sc_core::sc_module_name name, const PlatformConfig& pc);
    ~System() override;

    // Before the run: what each device's `preload` says the window holds. Up to 4 GiB
    // (check_build_sizes): `stop` is asked every MiB, so a signal is answered.
    void preload(const std::function<bool()>& stop = {});
    // Runs until every device is done, sim.duration_ns, or a signal (RunControl).
    sim::RunOutcome run(sim::RunControl& control);
    // The same with a RunControl of its own: for tests.
    sc_core::sc_time run();
    bool finished() const;
    // DMA requests the devices have completed (with or without error).
    uint64_t completed() const;
    // DMAs, translations, walks, faults and invalidations go to `t` from now on.
    void set_timeline(sim::Timeline& t);
    // Nothing more goes to the timeline (the run is over; teardown is not part of it).
    void end_timeline();

    memory::MemoryController& memory() { return memory_; }
    pcie::TrafficGenerator& device(size_t i) { return *devs_[i]; }
    pcie::Link& link(size_t i) { return *links_[i]; }
    size_t devices() const { return devs_.size(); }
    // What a driver attaching requester `rid` finds in its devices' capabilities, with
    // ATS and PRI enables that reach them.
    iommufd::EndpointCaps endpoint_caps(uint16_t rid);
    // The IOMMU's translation unit, when the platform has one (else nullptr).
    iommu::Unit* unit() { return unit_.get(); }
    // The IOMMU's pipeline, when the platform has one (else nullptr).
    iommu::Pipeline* iommu() { return iommu_.get(); }
    // With [sim] check_isolation: checks every translation against `oracle` (the
    // boot map's, or a workload's mapping engine), which outlives the run.
    void check_isolation(const DmaOracle& oracle);
    // Translations checked and breaches found (0 without the check).
    uint64_t isolation_checked() const { return isolation_ ? isolation_->checked() : 0; }
    uint64_t isolation_breaches() const { return isolation_ ? isolation_->breaches() : 0; }
    std::string first_breach() const { return isolation_ ? isolation_->first_breach() : ""; }

private:
    void invalidate(const iommu::AtsInvalidation& inv) override;
    void page_response(const iommu::PageResponse& r) override;
    template <class F>
    void each_device(uint16_t rid, F f) {
        for (auto& d : devs_)
            if (d->params().requester_id == rid) f(*d);
    }

    PlatformConfig pc_;
    memory::MemoryController memory_;
    pcie::RootComplex rc_;
    std::vector<std::unique_ptr<pcie::Link>> links_;
    std::vector<std::unique_ptr<pcie::TrafficGenerator>> devs_;
    class CoherentHost;
    std::unique_ptr<CoherentHost> unit_host_;
    std::unique_ptr<iommu::Unit> unit_;
    std::unique_ptr<iommu::Pipeline> iommu_;
    std::unique_ptr<iommufd::Machine> boot_machine_;
    std::unique_ptr<BootMap> boot_map_;
    std::unique_ptr<IsolationCheck> isolation_;
};

}  // namespace platform
