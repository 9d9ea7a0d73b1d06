#include "workloads/workload.h"

#include "models/sim/error.h"
#include "workloads/nic_ring.h"

namespace workload {

namespace {
void bind_type(std::string& type, sim::ParamBinder& b) {
    b.choice("type", type, {"synthetic", "nic_ring"},
             "synthetic: each device's [dev] stream; nic_ring: a NIC's RX rings ([nic])");
}
}  // namespace

void Config::declare(sim::ParamSchema& schema) {
    std::string type = "synthetic";
    schema.declare("workload", [&](sim::ParamBinder& b) { bind_type(type, b); });
    NicParams nic;
    schema.declare("nic", [&](sim::ParamBinder& b) { nic.bind(b); });
}

Config Config::read(const sim::Config& cfg) {
    Config c;
    sim::ParamReader r(cfg, "workload");
    bind_type(c.type, r);
    c.nic = sim::read_checked<NicParams>(cfg, "nic");
    return c;
}

void Config::adjust(platform::PlatformConfig& pc) const {
    if (type == "synthetic") return;
    for (pcie::GeneratorParams& d : pc.devs) {
        d.requests = 0;
        d.write_first = false;
        d.preload = "none";
    }
    pc.boot_map.map = "none";
}

void Config::check(const platform::PlatformConfig& pc, const sim::Config& cfg) const {
    if (type == "synthetic") return;
    if (pc.iommu.arch != "vtd")
        throw sim::InputError(sim::ParamReader(cfg, "iommu").where("arch") + ": workload " + type +
                              " maps through the VT-d driver (set vtd)");
    if (nic.device >= pc.devs.size())
        throw sim::InputError(sim::ParamReader(cfg, "nic").where("device") + ": the platform has " +
                              std::to_string(pc.devs.size()) + " device(s)");
}

std::unique_ptr<Workload> make(const Config& c, platform::System& sys,
                               const platform::PlatformConfig& pc) {
    if (c.type == "synthetic") return nullptr;
    return std::make_unique<NicRing>("nic", sys, pc, c.nic);
}

}  // namespace workload
