// The seed generators' driver run: an architecture's unit made from its settings, and
// its real driver over a recording machine (the generator's Recorder, which encodes
// every write in the target's language), set up to translate for one device: probe,
// a domain, attach, `maps` mapped. Kept alive so that seeds can go on (unmap, ask).
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "models/iommu/host_memory.h"
#include "models/iommufd/domain.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "platforms/archs.h"
#include "platforms/iommu_config.h"
#include "tests/fuzz/seed_writer.h"

namespace fuzz {

struct Memory {
    uint64_t installed;             // accesses above fail
    uint64_t window, window_bytes;  // what the driver allocates tables and queues from
};

template <class Recorder>
class DriverSession {
public:
    DriverSession(const std::string& arch, const std::vector<std::pair<std::string, std::string>>& settings,
                  const Memory& m, uint16_t sid, const std::vector<Mapping>& maps, Encoder& out)
        : a_(arch_config(arch, settings)),
          host_(mem_, m.installed),
          unit_(a_.arch->hardware->make(*a_.unit, host_)),
          machine_(*unit_, mem_, out),
          pages_(m.window, m.window_bytes),
          driver_(a_.arch->driver->make(machine_, pages_, *a_.driver)),
          ops_(driver_->device(sid, {})) {
        if (driver_->probe() != iommufd::Errno::Ok || ops_->alloc_domain(0, domain_) != iommufd::Errno::Ok ||
            ops_->attach(*domain_) != iommufd::Errno::Ok)
            throw std::runtime_error("the driver did not set the unit up");
        for (const Mapping& mp : maps)
            if (domain_->map(mp.iova, mp.pa, mp.size, iommufd::kRead | iommufd::kWrite) != iommufd::Errno::Ok)
                throw std::runtime_error("the driver did not map");
    }
    iommufd::Domain& domain() { return *domain_; }

private:
    static platform::ArchConfig arch_config(const std::string& arch,
                                            const std::vector<std::pair<std::string, std::string>>& settings) {
        sim::Config cfg;
        for (const auto& [key, value] : settings) cfg.set(key, value);
        sim::ParamSchema schema;
        platform::declare_archs(schema);
        schema.check_known(cfg);
        return platform::read_arch(cfg, arch, 1);
    }

    const platform::ArchConfig a_;
    memory::SparseMemory mem_;
    iommu::StoreMemory host_;
    const std::unique_ptr<iommu::Unit> unit_;
    Recorder machine_;
    iommufd::FrameAllocator pages_;
    const std::unique_ptr<iommufd::Driver> driver_;
    const std::unique_ptr<iommufd::DeviceOps> ops_;
    std::unique_ptr<iommufd::Domain> domain_;
};

}  // namespace fuzz
