// ATS and PRI between an IOMMU and the endpoints behind it (PCIe Base Specification
// 6.0, chapter 10 "ATS Specification"): what every architecture's unit exchanges with
// the devices' address translation caches, whatever its own commands look like
// (SMMUv3 ATC_INV / PRI_RESP, VT-d device-TLB invalidation / page group response,
// AMD-Vi INVALIDATE_IOTLB_PAGES / COMPLETE_PPR_REQUEST).
//
// The flow, upstream (device -> IOMMU) as TLPs through the link and root complex:
// - Translation Request (AT=01b, a read whose completion carries one 8-byte
//   Translation Completion Data Entry): the unit translates it like an untranslated
//   request, but answers instead of accessing memory. Result::fault -> Unsupported
//   Request completion; otherwise Success with the permissions the tables grant
//   (read/write both false is PCIe's "R=W=0": no access, ask by PRI).
// - Translated request (AT=10b): the unit's lookup lets it through at its own address
//   with its own No Snoop, or faults when translated requests are not allowed from
//   that requester (SMMUv3 STE.EATS, VT-d context entry TT / DTE).
// - Page Request Message (PRI, posted): Unit::page_request.
// Downstream (IOMMU -> device) messages go through Endpoints, told by the unit as it
// executes the command that sends them.
#pragma once

#include <cstdint>

namespace iommu {

// Invalidate Request Message (PCIe 10.3.1): drop every ATC entry of requester `sid`
// that overlaps [addr, addr + size) — for `pasid` when pasid_valid (`global` also
// reaches Global entries of every PASID); without a PASID prefix, the entries of every
// PASID (there is no way to name only the entries without one; Linux's
// arm_smmu_atc_inv_to_cmd says the same). size is a
// power of two >= 4096 and addr is aligned to it; size 0 means the whole space.
struct AtsInvalidation {
    uint16_t sid = 0;
    bool pasid_valid = false;
    uint32_t pasid = 0;
    bool global = false;
    uint64_t addr = 0;
    uint64_t size = 0;
};

// Page Request Message (PCIe 10.4.1): the device asks software to make a page
// accessible. `last` closes the Page Request Group `prg_index`.
struct PageRequest {
    uint16_t sid = 0;
    bool pasid_valid = false;
    uint32_t pasid = 0;
    bool priv = false, exec = false;
    bool read = false, write = false;
    bool last = false;
    uint16_t prg_index = 0;  // 9 bits
    uint64_t addr = 0;       // page address (bits 63:12)
};

// PRG Response Message (PCIe 10.4.2) response codes.
enum class PrgResponse : uint8_t { Success = 0b0000, InvalidRequest = 0b0001, ResponseFailure = 0b1111 };

struct PageResponse {
    uint16_t sid = 0;
    bool pasid_valid = false;
    uint32_t pasid = 0;
    uint16_t prg_index = 0;
    PrgResponse code = PrgResponse::Success;
};

// The endpoints as a unit reaches them: messages down the root ports, each delivered
// to the device whose requester ID it names (none there: dropped). Functional: the
// device has acted on it when the call returns; what the round trip costs, the unit's
// command time says (command_cost.h).
class Endpoints {
public:
    virtual ~Endpoints() = default;
    virtual void invalidate(const AtsInvalidation& inv) = 0;
    virtual void page_response(const PageResponse& r) = 0;
};

}  // namespace iommu
