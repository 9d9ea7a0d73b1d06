// AmdviUnit::fault_text: a translation's reason, an AMD-Vi event code (§2.5), by the
// spec's name: "0x2 IO_PAGE_FAULT".
#include <cstdio>

#include "models/amdvi/amdvi_unit.h"

namespace amdvi {

std::string AmdviUnit::fault_text(uint32_t reason) const {
    char buf[48];
    std::snprintf(buf, sizeof buf, "0x%x %s", unsigned(reason), event_name(reason));
    return buf;
}

}  // namespace amdvi
