#include "workloads/workload.h"

#include "models/sim/error.h"
#include "workloads/nic_ring.h"
#include "workloads/nvme.h"

namespace workload {

namespace {
void bind_type(std::string& type, sim::ParamBinder& b) {
    b.choice("type", type, {"synthetic", "nic_ring", "nvme"},
             "synthetic: each device's [dev] stream; nic_ring: a NIC's RX rings ([nic]); "
             "nvme: an SSD's I/O queues ([nvme])");
}
}  // namespace

void Config::declare(sim::ParamSchema& schema) {
    std::string type = "synthetic";
    schema.declare("workload", [&](sim::ParamBinder& b) { bind_type(type, b); });
    NicParams nic;
    schema.declare("nic", [&](sim::ParamBinder& b) { nic.bind(b); });
    NvmeParams nvme;
    schema.declare("nvme", [&](sim::ParamBinder& b) { nvme.bind(b); });
}

Config Config::read(const sim::Config& cfg) {
    Config c;
    sim::ParamReader r(cfg, "workload");
    bind_type(c.type, r);
    c.nic = sim::read_checked<NicParams>(cfg, "nic");
    c.nvme = sim::read_checked<NvmeParams>(cfg, "nvme");
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
    const bool is_nic = type == "nic_ring";
    if ((is_nic ? nic.device : nvme.device) >= pc.devs.size())
        throw sim::InputError(sim::ParamReader(cfg, is_nic ? "nic" : "nvme").where("device") +
                              ": the platform has " + std::to_string(pc.devs.size()) + " device(s)");
}

std::unique_ptr<Workload> make(const Config& c, platform::System& sys,
                               const platform::PlatformConfig& pc) {
    if (c.type == "synthetic") return nullptr;
    if (c.type == "nvme") return std::make_unique<Nvme>("nvme", sys, pc, c.nvme);
    return std::make_unique<NicRing>("nic", sys, pc, c.nic);
}

}  // namespace workload
