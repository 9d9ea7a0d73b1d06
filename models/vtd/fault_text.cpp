// RemappingUnit::fault_text: a fault reason by the name models/vtd gives it (legacy:
// spec 7.1.3, regs.h) or the spec's condition code (scalable, scalable_walker.h).
#include <map>

#include "models/sim/format.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "models/vtd/scalable_walker.h"

namespace vtd {

std::string RemappingUnit::fault_text(uint32_t reason) const {
    static const std::map<uint32_t, const char*> names = {
        {fault::ROOT_NOT_PRESENT, "ROOT_NOT_PRESENT"},
        {fault::CONTEXT_NOT_PRESENT, "CONTEXT_NOT_PRESENT"},
        {fault::CONTEXT_INVALID, "CONTEXT_INVALID"},
        {fault::ADDRESS_BEYOND_AW, "ADDRESS_BEYOND_AW"}, {fault::WRITE, "WRITE"},
        {fault::READ, "READ"}, {fault::PAGING_ENTRY_ACCESS, "PAGING_ENTRY_ACCESS"},
        {fault::ROOT_ACCESS, "ROOT_ACCESS"}, {fault::CONTEXT_ACCESS, "CONTEXT_ACCESS"},
        {fault::ROOT_RESERVED, "ROOT_RESERVED"}, {fault::CONTEXT_RESERVED, "CONTEXT_RESERVED"},
        {fault::PAGING_ENTRY_RESERVED, "PAGING_ENTRY_RESERVED"},
        {fault::BLOCKED_BY_TT, "BLOCKED_BY_TT"}, {sm_fault::RTA_INVALID, "RTA.1"},
        {sm_fault::SRT_ACCESS, "SRT.1"}, {sm_fault::SRT_NOT_PRESENT, "SRT.2"},
        {sm_fault::SRT_RESERVED, "SRT.3"}, {sm_fault::SCT_ACCESS, "SCT.1"},
        {sm_fault::SCT_NOT_PRESENT, "SCT.2"}, {sm_fault::SCT_RESERVED, "SCT.3"},
        {sm_fault::SCT_INVALID, "SCT.4"},
        {sm_fault::SCT_DTE_CLEAR, "SCT.5"}, {sm_fault::SCT_PRE_CLEAR, "SCT.8"},
        {sm_fault::RTA_LEGACY_PAGE_REQUEST, "RTA.3"}, {sm_fault::SCT_PASID_DISABLED, "SCT.6"},
        {sm_fault::SCT_PASID_TOO_LARGE, "SCT.7"}, {sm_fault::SCT_RID_PASID, "SCT.9"},
        {sm_fault::SPD_ACCESS, "SPD.1"}, {sm_fault::SPD_NOT_PRESENT, "SPD.2"},
        {sm_fault::SPD_RESERVED, "SPD.3"}, {sm_fault::SPT_ACCESS, "SPT.1"},
        {sm_fault::SPT_NOT_PRESENT, "SPT.2"}, {sm_fault::SPT_RESERVED, "SPT.3"},
        {sm_fault::SPT_INVALID, "SPT.4"}, {sm_fault::SPT_ERE, "SPT.5"},
        {sm_fault::SPT_SRE, "SPT.6"}, {sm_fault::SFL_ACCESS, "SFL.1"},
        {sm_fault::SFL_NOT_PRESENT, "SFL.2"}, {sm_fault::SFL_RESERVED, "SFL.3"},
        {sm_fault::SFL_TOP_ACCESS, "SFL.4"}, {sm_fault::SFL_NESTED_ADDR, "SFL.5"},
        {sm_fault::SFL_NESTED_TOP_READ, "SFL.6"}, {sm_fault::SFL_NESTED_READ, "SFL.7"},
        {sm_fault::SSL_ACCESS, "SSL.1"}, {sm_fault::SSL_NOT_PRESENT, "SSL.2"},
        {sm_fault::SSL_RESERVED, "SSL.3"}, {sm_fault::SSL_TOP_ACCESS, "SSL.4"},
        {sm_fault::SGN_NON_CANONICAL, "SGN.1"}, {sm_fault::SGN_PRIVILEGE, "SGN.2"},
        {sm_fault::SGN_EXECUTE, "SGN.3"}, {sm_fault::SGN_ADDR_BEYOND_HAW, "SGN.4"},
        {sm_fault::SGN_ADDR_BEYOND_AW, "SGN.5"}, {sm_fault::SGN_WRITE, "SGN.6"},
        {sm_fault::SGN_READ, "SGN.7"}};
    const auto it = names.find(reason);
    return it == names.end() ? sim::hex(reason) : sim::hex(reason) + " " + it->second;
}

}  // namespace vtd
