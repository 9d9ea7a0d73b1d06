#include "models/iommufd/drivers/vtd/arch.h"

#include "models/iommufd/drivers/vtd/vtd_driver.h"
#include "models/sim/config.h"
#include "models/sim/params.h"

namespace iommufd::vtd {
namespace {

struct Config : DriverConfig {
    DriverParams params;
};

void declare(sim::ParamSchema& s, const std::string& section) {
    s.declare(section, [](sim::ParamBinder& b) { DriverParams().bind(b); });
}

std::shared_ptr<const DriverConfig> read(const sim::Config& cfg, const std::string& section) {
    auto c = std::make_shared<Config>();
    c->params = sim::read_params<DriverParams>(cfg, section);
    return c;
}

std::unique_ptr<iommufd::Driver> make(Machine& m, FrameAllocator& pages, const DriverConfig& c) {
    return std::make_unique<Driver>(m, pages, static_cast<const Config&>(c).params);
}

}  // namespace

const DriverArch& driver_arch() {
    static const DriverArch arch{declare, read, make};
    return arch;
}

}  // namespace iommufd::vtd
