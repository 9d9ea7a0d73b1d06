// The DriverArch of a driver whose configuration is one params struct: `Params` binds
// its section's parameters (bind(ParamBinder&)); `D` is constructed from the machine,
// the table pages and those parameters. Each driver folder's arch.cpp instantiates it.
#pragma once

#include <memory>
#include <string>

#include "models/iommufd/driver.h"
#include "models/sim/config.h"
#include "models/sim/params.h"

namespace iommufd {

template <class Params, class D>
const DriverArch& params_driver_arch() {
    struct Config : DriverConfig {
        Params params;
    };
    static const DriverArch arch{
        [](sim::ParamSchema& s, const std::string& section) {
            s.declare(section, [](sim::ParamBinder& b) { Params().bind(b); });
        },
        [](const sim::Config& cfg, const std::string& section) -> std::shared_ptr<const DriverConfig> {
            auto c = std::make_shared<Config>();
            c->params = sim::read_params<Params>(cfg, section);
            return c;
        },
        [](Machine& m, FrameAllocator& pages, const DriverConfig& c) -> std::unique_ptr<Driver> {
            return std::make_unique<D>(m, pages, static_cast<const Config&>(c).params);
        }};
    return arch;
}

}  // namespace iommufd
