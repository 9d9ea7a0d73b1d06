#include "models/smmuv3/arch.h"

#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/params.h"
#include "models/smmuv3/regs.h"

namespace smmuv3 {
namespace {

void declare(sim::ParamSchema& s) {
    s.declare("smmuv3", [](sim::ParamBinder& b) { Straps().bind(b); });
    s.declare("smmuv3.tlb", [](sim::ParamBinder& b) { UnitParams().tlb.bind(b); });
    s.declare("smmuv3.config_cache", [](sim::ParamBinder& b) { UnitParams().config_cache.bind(b); });
    s.declare("smmuv3.cmdq", [](sim::ParamBinder& b) { UnitParams().cmdq.bind(b); });
}

std::shared_ptr<const iommu::UnitConfig> read(const sim::Config& cfg, uint64_t seed) {
    auto c = std::make_shared<UnitConfig>();
    c->caps = sim::read_checked<Straps>(cfg, "smmuv3").caps;
    c->unit.tlb = sim::read_checked<iommu::CacheGeometry>(cfg, "smmuv3.tlb");
    c->unit.config_cache = sim::read_checked<iommu::CacheGeometry>(cfg, "smmuv3.config_cache");
    c->unit.cmdq = sim::read_checked<iommu::CommandCost>(cfg, "smmuv3.cmdq");
    c->unit.seed = seed;
    return c;
}

std::unique_ptr<iommu::Unit> make(const iommu::UnitConfig& config, iommu::HostMemory& mem) {
    const auto& c = static_cast<const UnitConfig&>(config);
    return std::make_unique<SmmuUnit>(c.caps, c.unit, mem);
}

// SMMU_IDR0..SMMU_IDR5 by name; IDR2 and IDR4 hold nothing the model follows.
bool strap(iommu::Unit& u, const std::string& name, uint64_t value) {
    static const char* const names[] = {"SMMU_IDR0", "SMMU_IDR1", "SMMU_IDR2", "SMMU_IDR3", "SMMU_IDR4", "SMMU_IDR5"};
    for (unsigned n = 0; n < 6; ++n) {
        if (name != names[n]) continue;
        static_cast<SmmuUnit&>(u).strap_idr(n, uint32_t(value));
        return true;
    }
    return false;
}

std::optional<iommu::Register> find_register(const iommu::Unit&, const std::string& name) {
    const auto where = SmmuUnit::offset_of(name);
    if (!where) return std::nullopt;
    return iommu::Register{where->first, where->second};
}

// §6.3.9 SMMU_CR0: set SMMUEN (keeping the other enables) and wait for CR0ACK to
// follow, as firmware and Linux's arm_smmu_write_reg_sync do.
void enable(iommu::Unit& u) {
    auto& unit = static_cast<SmmuUnit&>(u);
    const uint32_t cr0v = uint32_t(unit.read(reg::CR0, 4)) | cr0::SMMUEN;
    unit.write(reg::CR0, cr0v, 4);
    if (!(unit.read(reg::CR0ACK, 4) & cr0::SMMUEN))
        throw sim::InputError("SMMU_CR0: CR0ACK.SMMUEN did not follow CR0.SMMUEN");
    if (unit.caps().ttf != idr0::TTF_AARCH64)
        throw sim::InputError("SMMU_IDR0: TTF=" + std::to_string(unit.caps().ttf) +
                              ": only AArch64 translation tables are modelled");
}

}  // namespace

const iommu::HardwareArch& hardware() {
    static const iommu::HardwareArch arch{"Arm SMMUv3", declare, read, make, strap, find_register, enable};
    return arch;
}

}  // namespace smmuv3
