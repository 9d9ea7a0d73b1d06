#include "models/vtd/arch.h"

#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/params.h"
#include "models/vtd/regs.h"

namespace vtd {
namespace {

// [vtd.iq]: the shared command costs and the device-TLB round trip only VT-d has.
// Default 1500 cycles (1.5 us at 1 GHz), illustrative: two traversals of a PCIe link
// and root port of a few hundred ns each, and the device's ATC lookup between them.
constexpr const char* kCaches[] = {"vtd.iotlb", "vtd.context_cache", "vtd.pasid_cache", "vtd.walk_cache"};

void declare(sim::ParamSchema& s) {
    s.declare("vtd", [](sim::ParamBinder& b) { Capabilities().bind(b); });
    for (const char* cache : kCaches)
        s.declare(cache, [](sim::ParamBinder& b) { iommu::CacheGeometry().bind(b); });
    s.declare("vtd.iq", [](sim::ParamBinder& b) { iommu::CommandCost().bind(b); });
}

std::shared_ptr<const iommu::UnitConfig> read(const sim::Config& cfg, uint64_t seed) {
    auto c = std::make_shared<UnitConfig>();
    c->caps = sim::read_checked<Capabilities>(cfg, "vtd");
    c->unit.iotlb = sim::read_checked<iommu::CacheGeometry>(cfg, kCaches[0]);
    c->unit.context_cache = sim::read_checked<iommu::CacheGeometry>(cfg, kCaches[1]);
    c->unit.pasid_cache = sim::read_checked<iommu::CacheGeometry>(cfg, kCaches[2]);
    c->unit.walk_cache = sim::read_checked<iommu::CacheGeometry>(cfg, kCaches[3]);
    c->unit.iq = sim::read_checked<iommu::CommandCost>(cfg, "vtd.iq");
    c->unit.seed = seed;
    return c;
}

std::unique_ptr<iommu::Unit> make(const iommu::UnitConfig& config, iommu::HostMemory& mem) {
    const auto& c = static_cast<const UnitConfig&>(config);
    return std::make_unique<RemappingUnit>(c.caps, c.unit, mem);
}

bool strap(iommu::Unit& u, const std::string& name, uint64_t value) {
    auto& unit = static_cast<RemappingUnit&>(u);
    if (name == "CAP_REG") unit.strap_cap(value);
    else if (name == "ECAP_REG") unit.strap_ecap(value);
    else return false;
    return true;
}

std::optional<iommu::Register> find_register(const iommu::Unit& u, const std::string& name) {
    const auto& unit = static_cast<const RemappingUnit&>(u);
    const auto where = RemappingUnit::offset_of(name, unit.caps());
    if (!where) return std::nullopt;
    return iommu::Register{where->first, where->second};
}

// The standard enable sequence (spec 10.4.4-5, as Linux's iommu_set_root_entry and
// iommu_enable_translation do): GCMD.SRTP latches RTADDR, then GCMD.TE; each write
// carries the enables GSTS already reports.
void enable(iommu::Unit& u) {
    auto& unit = static_cast<RemappingUnit&>(u);
    const auto gsts = [&] { return uint32_t(unit.read(reg::GSTS, 4)) & ~gcmd::SRTP; };
    unit.write(reg::GCMD, gsts() | gcmd::SRTP, 4);
    unit.write(reg::GCMD, gsts() | gcmd::TE, 4);
    if (unit.ttm() > 1)
        throw sim::InputError("RTADDR_REG: TTM=" + std::to_string(unit.ttm()) +
                              ": only legacy (00) and scalable (01) modes are modelled");
}

}  // namespace

const iommu::HardwareArch& hardware() {
    static const iommu::HardwareArch arch{"Intel VT-d", declare, read, make, strap, find_register, enable,
                                          RemappingUnit::register_names};
    return arch;
}

}  // namespace vtd
