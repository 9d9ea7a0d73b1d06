#include "models/smmuv3/arch.h"

#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/params.h"
#include "models/smmuv3/regs.h"

namespace smmuv3 {
namespace {

// [smmuv3.walk_cache.s1l0] .. [smmuv3.walk_cache.s2l2]: one geometry per stage and level.
std::string walk_cache_section(bool s2, unsigned level) {
    return std::string("smmuv3.walk_cache.s") + (s2 ? "2" : "1") + "l" + std::to_string(level);
}

void declare(sim::ParamSchema& s) {
    s.declare("smmuv3", [](sim::ParamBinder& b) { Straps().bind(b); });
    s.declare("smmuv3.tlb", [](sim::ParamBinder& b) { UnitParams().tlb.bind(b); });
    s.declare("smmuv3.config_cache", [](sim::ParamBinder& b) { UnitParams().config_cache.bind(b); });
    s.declare("smmuv3.cmdq", [](sim::ParamBinder& b) { UnitParams().cmdq.bind(b); });
    for (unsigned l = 0; l < kWalkCacheLevels; ++l) {
        s.declare(walk_cache_section(false, l), [l](sim::ParamBinder& b) { WalkCacheParams().s1[l].bind(b); });
        s.declare(walk_cache_section(true, l), [l](sim::ParamBinder& b) { WalkCacheParams().s2[l].bind(b); });
    }
}

std::shared_ptr<const iommu::UnitConfig> read(const sim::Config& cfg, uint64_t seed) {
    auto c = std::make_shared<UnitConfig>();
    c->caps = sim::read_checked<Straps>(cfg, "smmuv3").caps;
    const UnitParams d;
    c->unit.tlb = iommu::read_geometry(cfg, "smmuv3.tlb", d.tlb);
    c->unit.config_cache = iommu::read_geometry(cfg, "smmuv3.config_cache", d.config_cache);
    for (unsigned l = 0; l < kWalkCacheLevels; ++l) {
        c->unit.walk_cache.s1[l] = iommu::read_geometry(cfg, walk_cache_section(false, l), d.walk_cache.s1[l]);
        c->unit.walk_cache.s2[l] = iommu::read_geometry(cfg, walk_cache_section(true, l), d.walk_cache.s2[l]);
    }
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
    static const iommu::HardwareArch arch{"Arm SMMUv3", declare, read, make, strap, find_register, enable,
                                          SmmuUnit::register_names};
    return arch;
}

}  // namespace smmuv3
