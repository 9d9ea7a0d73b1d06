// The FLAT driver as a plug-in (iommufd::DriverArch), its parameters in the section
// the registry gives it (iommufd.flat).
#include "models/sim/params.h"
#include "tests/support/flat/flat_driver.h"

namespace flat {

namespace {

struct Config : iommufd::DriverConfig {
    flat_driver::DriverParams params;
};

void declare(sim::ParamSchema& s, const std::string& section) {
    s.declare(section, [](sim::ParamBinder& b) { flat_driver::DriverParams().bind(b); });
}

std::shared_ptr<const iommufd::DriverConfig> read(const sim::Config& cfg, const std::string& section) {
    auto c = std::make_shared<Config>();
    c->params = sim::read_checked<flat_driver::DriverParams>(cfg, section);
    return c;
}

std::unique_ptr<iommufd::Driver> make(iommufd::Machine& m, iommufd::FrameAllocator& pages,
                                      const iommufd::DriverConfig& config) {
    return std::make_unique<flat_driver::Driver>(m, pages, dynamic_cast<const Config&>(config).params);
}

const iommufd::DriverArch kArch{declare, read, make};

}  // namespace

const iommufd::DriverArch& driver_arch() { return kArch; }

}  // namespace flat
