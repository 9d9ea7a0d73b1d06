#include "tests/support/flat/flat_arch.h"

#include <map>

#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/params.h"
#include "tests/support/flat/flat_registers.h"
#include "tests/support/flat/flat_unit.h"

namespace flat {

void CapParams::bind(sim::ParamBinder& b) {
    b.u64("iova_bits", iova_bits, "bits", "CAP.IOVA_BITS: IOVAs translated are below 2^iova_bits",
          20, 40);
    b.u64("fault_records", fault_records, "", "fault recording registers (CAP.NFR + 1)", 1, 16);
    b.flag("snoop_control", snoop_control, "CAP.SC: page-table SNP forces snooping");
    b.flag("coherent", coherent, "CAP.COH: table reads snoop the CPU caches");
    b.flag("ats", ats, "CAP.ATS: the unit answers Translation Requests and Translated requests");
}

uint64_t CapParams::cap() const {
    return cap::make(unsigned(iova_bits), unsigned(fault_records), snoop_control, coherent) |
           uint64_t(ats) << 18;
}

namespace {

struct Config : iommu::UnitConfig {
    UnitParams params;
};

void declare(sim::ParamSchema& s) {
    s.declare("flat", [](sim::ParamBinder& b) { CapParams().bind(b); });
    s.declare("flat.iotlb", [](sim::ParamBinder& b) { iommu::CacheGeometry{16, 4, "lru"}.bind(b); });
    s.declare("flat.device_cache",
              [](sim::ParamBinder& b) { iommu::CacheGeometry{4, 4, "lru"}.bind(b); });
}

std::shared_ptr<const iommu::UnitConfig> read(const sim::Config& cfg, uint64_t seed) {
    auto c = std::make_shared<Config>();
    c->params.cap = sim::read_checked<CapParams>(cfg, "flat").cap();
    c->params.iotlb = sim::read_checked<iommu::CacheGeometry>(cfg, "flat.iotlb");
    c->params.device_cache = sim::read_checked<iommu::CacheGeometry>(cfg, "flat.device_cache");
    c->params.seed = seed;
    return c;
}

std::unique_ptr<iommu::Unit> make(const iommu::UnitConfig& config, iommu::HostMemory& mem) {
    return std::make_unique<Unit>(dynamic_cast<const Config&>(config).params, mem);
}

bool strap(iommu::Unit& unit, const std::string& name, uint64_t value) {
    if (name != "CAP") return false;
    dynamic_cast<Unit&>(unit).strap_cap(value);
    return true;
}

// Fixed registers by name; FREC_ADDRi and FREC_INFOi for the records CAP declares.
std::optional<iommu::Register> find_register(const iommu::Unit& unit, const std::string& name) {
    static const std::map<std::string, iommu::Register> fixed = {
        {"CAP", {reg::CAP, 8}},       {"CTRL", {reg::CTRL, 4}},  {"STATUS", {reg::STATUS, 4}},
        {"DEVTAB", {reg::DEVTAB, 8}}, {"INV", {reg::INV, 8}},    {"INV_ADDR", {reg::INV_ADDR, 8}},
        {"FSTS", {reg::FSTS, 4}}};
    if (auto it = fixed.find(name); it != fixed.end()) return it->second;
    const unsigned records = cap::records(unit.read(reg::CAP, 8));
    for (unsigned i = 0; i < records; ++i) {
        const uint32_t at = reg::FREC + reg::FREC_STRIDE * i;
        if (name == "FREC_ADDR" + std::to_string(i)) return iommu::Register{at, 8};
        if (name == "FREC_INFO" + std::to_string(i)) return iommu::Register{at + 8, 8};
    }
    return std::nullopt;
}

// Firmware's enable: CTRL.EN, then the STATUS handshake.
void enable(iommu::Unit& unit) {
    unit.write(reg::CTRL, CTRL_EN, 4);
    if (!(unit.read(reg::STATUS, 4) & STATUS_ENS))
        throw sim::InputError("CTRL: STATUS.ENS did not follow CTRL.EN");
}

// The fixed registers (the fault records' names depend on CAP).
std::vector<std::string> register_names() { return {"CAP", "CTRL", "DEVTAB", "FSTS", "INV", "INV_ADDR", "STATUS"}; }

const iommu::HardwareArch kArch{"FLAT (test only)", declare, read, make, strap, find_register, enable,
                                register_names};

}  // namespace

const iommu::HardwareArch& hardware() { return kArch; }

}  // namespace flat
