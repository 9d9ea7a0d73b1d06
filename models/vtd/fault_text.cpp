// RemappingUnit::fault_text: fault reasons by the names models/vtd gives them (legacy:
// spec 7.1.3, regs.h; scalable: the spec's condition codes, scalable_walker.h).
#include <cstdio>
#include <map>

#include "models/vtd/remapping_unit.h"

namespace vtd {

std::string RemappingUnit::fault_text(uint32_t reason) const {
    static const std::map<uint32_t, const char*> names = {
        {0x1, "ROOT_NOT_PRESENT"}, {0x2, "CONTEXT_NOT_PRESENT"}, {0x3, "CONTEXT_INVALID"},
        {0x4, "ADDRESS_BEYOND_AW"}, {0x5, "WRITE"}, {0x6, "READ"}, {0x7, "PAGING_ENTRY_ACCESS"},
        {0x8, "ROOT_ACCESS"}, {0x9, "CONTEXT_ACCESS"}, {0xa, "ROOT_RESERVED"},
        {0xb, "CONTEXT_RESERVED"}, {0xc, "PAGING_ENTRY_RESERVED"}, {0xd, "BLOCKED_BY_TT"},
        {0x30, "RTA.1"}, {0x38, "SRT.1"}, {0x39, "SRT.2"}, {0x3a, "SRT.3"}, {0x40, "SCT.1"},
        {0x41, "SCT.2"}, {0x42, "SCT.3"}, {0x43, "SCT.4"}, {0x45, "SCT.6"}, {0x46, "SCT.7"},
        {0x48, "SCT.9"}, {0x50, "SPD.1"}, {0x51, "SPD.2"}, {0x52, "SPD.3"}, {0x58, "SPT.1"},
        {0x59, "SPT.2"}, {0x5a, "SPT.3"}, {0x5b, "SPT.4"}, {0x5c, "SPT.5"}, {0x5d, "SPT.6"},
        {0x70, "SFL.1"}, {0x71, "SFL.2"}, {0x72, "SFL.3"}, {0x73, "SFL.4"}, {0x74, "SFL.5"},
        {0x75, "SFL.6"}, {0x76, "SFL.7"}, {0x78, "SSL.1"}, {0x79, "SSL.2"}, {0x7a, "SSL.3"},
        {0x7b, "SSL.4"}, {0x80, "SGN.1"}, {0x81, "SGN.2"}, {0x82, "SGN.3"}, {0x83, "SGN.4"},
        {0x84, "SGN.5"}, {0x85, "SGN.6"}, {0x86, "SGN.7"}};
    char code[16];
    std::snprintf(code, sizeof code, "0x%x", reason);
    const auto it = names.find(reason);
    return it == names.end() ? std::string(code) : std::string(code) + " " + it->second;
}

}  // namespace vtd
