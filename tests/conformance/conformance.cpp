#include "tests/conformance/conformance.h"

#include <catch2/catch.hpp>

#include "models/sim/config.h"
#include "models/sim/params.h"
#include "platforms/platform_config.h"
#include "tests/support/flat/flat_arch.h"
#include "tests/support/flat/flat_driver.h"
#include "tests/support/requests.h"

namespace conformance {

void register_test_archs() {
    static const bool done = [] {
        platform::register_arch({"flat", &flat::hardware(), &flat::driver_arch()});
        return true;
    }();
    (void)done;
}

std::string Variant::label() const {
    std::string s = arch->name;
    for (const auto& [k, v] : settings) s += " " + k + "=" + v;
    return s;
}

std::vector<Variant> variants() {
    register_test_archs();
    std::vector<Variant> out;
    for (const platform::Arch& a : platform::archs()) {
        out.push_back({&a, {}});
        if (a.name == "vtd")  // scalable mode: PASID tables, the PASID-tagged IOTLB
            out.push_back({&a, {{"vtd.smts", "true"}, {"vtd.ssads", "true"}}});
        if (a.name == "smmuv3")  // stage 2 only: the driver's stage-2 domains, VMID-tagged TLB
            out.push_back({&a, {{"smmuv3.s1p", "false"}}});
        if (a.name == "amdvi")  // six-level tables (DTE Mode 6): the deepest walk, level 6 indexing 63:57
            out.push_back({&a, {{"iommufd.amdvi.levels", "6"}}});
    }
    return out;
}

Rig::Rig(const Variant& v) {
    sim::Config cfg;
    for (const auto& [k, val] : v.settings) cfg.set(k, val);
    sim::ParamSchema schema;
    platform::declare_archs(schema);
    schema.check_known(cfg);
    const platform::ArchConfig a = platform::read_arch(cfg, v.arch->name, 1);
    unit = a.arch->hardware->make(*a.unit, host);
    machine = std::make_unique<platform::StoreMachine>(*unit, mem);
    driver = a.arch->driver->make(*machine, table_pages, *a.driver);
    REQUIRE(driver->probe() == iommufd::Errno::Ok);
}

iommu::Result Rig::access(uint64_t iova, bool write) {
    return unit->translate(testutil::dma(kSid, iova, write));
}

Engine::Engine(Rig& r) : ops(r.driver->device(Rig::kSid, {})), dev{"dev0", ops->reserved_regions(), ops.get()} {
    REQUIRE(ctx.bind(dev, dev_id) == iommufd::Errno::Ok);
    REQUIRE(ctx.ioas_alloc(ioas) == iommufd::Errno::Ok);
    REQUIRE(ctx.attach(dev_id, ioas) == iommufd::Errno::Ok);
}

}  // namespace conformance
