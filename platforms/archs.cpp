// The registry: every architecture the product ships, by name. Adding one is a
// hardware folder, a driver folder and one line here.
#include "platforms/archs.h"

#include "models/amdvi/arch.h"
#include "models/iommufd/drivers/amdvi/arch.h"
#include "models/iommufd/drivers/smmuv3/arch.h"
#include "models/iommufd/drivers/vtd/arch.h"
#include "models/smmuv3/arch.h"
#include "models/vtd/arch.h"

namespace platform {
namespace {

std::vector<Arch>& registry() {
    static std::vector<Arch> list = {
        {"vtd", &vtd::hardware(), &iommufd::vtd::driver_arch()},
        {"smmuv3", &smmuv3::hardware(), &iommufd::smmuv3::driver_arch()},
        {"amdvi", &amdvi::hardware(), &iommufd::amdvi::driver_arch()},
    };
    return list;
}

}  // namespace

const std::vector<Arch>& archs() { return registry(); }

std::string arch_names() {
    std::string names;
    for (const Arch& a : registry()) names += (names.empty() ? "" : ", ") + a.name;
    return names;
}

const Arch* find_arch(const std::string& name) {
    for (const Arch& a : registry())
        if (a.name == name) return &a;
    return nullptr;
}

void register_arch(const Arch& a) {
    for (Arch& have : registry())
        if (have.name == a.name) {
            have = a;
            return;
        }
    registry().push_back(a);
}

}  // namespace platform
