// SmmuUnit::fault_text: a translation's reason, an SMMUv3 event ID (IHI 0070 §7.3), by
// the name the spec gives it: "0x10 F_TRANSLATION".
#include <cstdio>

#include "models/smmuv3/event.h"
#include "models/smmuv3/smmu_unit.h"

namespace smmuv3 {

std::string SmmuUnit::fault_text(uint32_t reason) const {
    char buf[48];
    std::snprintf(buf, sizeof buf, "0x%x %s", unsigned(reason), reason < 256 ? event_name(uint8_t(reason)) : "UNKNOWN");
    return buf;
}

}  // namespace smmuv3
