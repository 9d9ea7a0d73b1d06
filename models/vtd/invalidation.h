// What an invalidation request asks for, decoded from the register-based commands
// (CCMD_REG, IOTLB_REG with IVA_REG; spec 11.4.5, 11.4.8) and from invalidation-queue
// descriptors (spec 6.5.2): the same requests, so both paths share one implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "models/iommu/ats.h"

namespace vtd {

struct Capabilities;

enum class InvType : uint8_t {  // descriptor type, bits 3:0 (spec Table 6.5.2)
    ContextCache = 1,
    Iotlb = 2,
    DeviceTlb = 3,
    InterruptEntryCache = 4,
    Wait = 5,
    PasidIotlb = 6,
    PasidCache = 7,
    PasidDeviceTlb = 8,
    PageGroupResponse = 9,
};

struct Invalidation {
    InvType type = InvType::Iotlb;
    unsigned granularity = 0;  // G: context 1 global 2 domain 3 device; IOTLB 1/2/3 global/domain/page;
                               // PASID-IOTLB 2 all-in-PASID 3 page; PASID-cache 0 domain 1 PASID 3 global
    uint16_t did = 0;
    uint16_t sid = 0;
    unsigned function_mask = 0;  // FM: low SID bits ignored for device-selective context
    uint32_t pasid = 0;
    uint64_t addr = 0;           // page address (63:12)
    unsigned address_mask = 0;   // AM: 2^AM pages
    // device-TLB (type 3) and PASID-based device-TLB (type 8) invalidation
    uint16_t pfsid = 0;          // physical function's SID (an SR-IOV VF's PF)
    unsigned mip = 0;            // max invalidations pending (the device's queue depth)
    bool size = false;           // S: the PCIe size encoding in addr (ats_invalidation)
    bool global = false;         // G (type 8): Global entries of every PASID too
    // page group response (type 9)
    bool pasid_present = false;  // P
    unsigned response_code = 0;  // PCIe PRG response code
    uint16_t prg_index = 0;      // PRGI, 9 bits
    // wait descriptor
    bool interrupt = false;      // IF
    bool status_write = false;   // SW
    uint32_t status_data = 0;
    uint64_t status_addr = 0;
};

// A 128-bit descriptor (the low two qwords of a 256-bit one). nullopt: an invalid
// descriptor (unknown type, reserved type bits set, reserved fields of the device-TLB
// and page group response descriptors set, a type the capabilities rule out: device-TLB
// without ECAP.DT, page group response without ECAP.PRS), which stops the queue with IQE.
std::optional<Invalidation> decode_descriptor(uint64_t lo, uint64_t hi, const Capabilities& caps);

// The Invalidate Request a device-TLB descriptor sends (PCIe 10.3.1): S=0 one 4 KiB
// page; S=1 the lowest clear address bit k (at or above 12) gives 2^(k+1) bytes; S=1
// with every address bit set, the whole space (size 0).
iommu::AtsInvalidation ats_invalidation(const Invalidation& inv);

// For a timeline: the descriptor type ("iotlb", "pasid-cache") and its fields as JSON
// arguments without braces.
const char* type_name(InvType t);
std::string describe(const Invalidation& inv);

}  // namespace vtd
