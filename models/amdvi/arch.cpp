#include "models/amdvi/arch.h"

#include "models/sim/config.h"
#include "models/sim/params.h"

namespace amdvi {
namespace {

void declare(sim::ParamSchema& s) {
    s.declare("amdvi", [](sim::ParamBinder& b) { Straps().bind(b); });
    s.declare("amdvi.dte_cache", [](sim::ParamBinder& b) { UnitParams().dte_cache.bind(b); });
    s.declare("amdvi.iotlb", [](sim::ParamBinder& b) { UnitParams().iotlb.bind(b); });
    s.declare("amdvi.pde_cache", [](sim::ParamBinder& b) { UnitParams().pde_cache.bind(b); });
    s.declare("amdvi.cmdbuf", [](sim::ParamBinder& b) { UnitParams().cmdbuf.bind(b); });
}

std::shared_ptr<const iommu::UnitConfig> read(const sim::Config& cfg, uint64_t seed) {
    auto c = std::make_shared<UnitConfig>();
    c->straps = sim::read_checked<Straps>(cfg, "amdvi");
    const UnitParams d;
    c->unit.dte_cache = iommu::read_geometry(cfg, "amdvi.dte_cache", d.dte_cache);
    c->unit.iotlb = iommu::read_geometry(cfg, "amdvi.iotlb", d.iotlb);
    c->unit.pde_cache = iommu::read_geometry(cfg, "amdvi.pde_cache", d.pde_cache);
    c->unit.cmdbuf = sim::read_checked<iommu::CommandCost>(cfg, "amdvi.cmdbuf");
    c->unit.seed = seed;
    return c;
}

std::unique_ptr<iommu::Unit> make(const iommu::UnitConfig& config, iommu::HostMemory& mem) {
    const auto& c = static_cast<const UnitConfig&>(config);
    return std::make_unique<AmdviUnit>(c.straps, c.unit, mem);
}

// The Extended Feature Register is the one a platform straps (§3.4.6).
bool strap(iommu::Unit& u, const std::string& name, uint64_t value) {
    if (name != "EXT_FEATURE") return false;
    static_cast<AmdviUnit&>(u).strap_efr(value);
    return true;
}

std::optional<iommu::Register> find_register(const iommu::Unit&, const std::string& name) {
    const auto offset = AmdviUnit::offset_of(name);
    if (!offset) return std::nullopt;
    return iommu::Register{*offset, 8};
}

// §3.4.4: firmware's last step, IommuEn, keeping the enables software wrote.
void enable(iommu::Unit& u) {
    auto& unit = static_cast<AmdviUnit&>(u);
    unit.write(reg::CONTROL, unit.read(reg::CONTROL, 8) | ctrl::IOMMU_EN, 8);
}

}  // namespace

const iommu::HardwareArch& hardware() {
    static const iommu::HardwareArch arch{"AMD-Vi", declare, read, make, strap, find_register, enable,
                                          AmdviUnit::register_names};
    return arch;
}

}  // namespace amdvi
