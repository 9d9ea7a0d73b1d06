// vtdtest: the test-side ENCODER of VT-d's ATS and PRI messages, written from the VT-d
// specification (rev 3.x-4.x: 6.5.2.5 Device-TLB Invalidate Descriptor, 6.5.2.6
// PASID-based Device-TLB Invalidate Descriptor, 6.5.2.7 Page Group Response Descriptor,
// 7.5.1.1 Page Request Descriptor) and PCIe 6.0 10.3.1 (the S size encoding), with bit
// positions cross-checked against Linux drivers/iommu/intel/iommu.h (QI_DEV_IOTLB_*,
// QI_DEV_EIOTLB_*, QI_PGRP_*) and prq.c (struct page_req_dsc). It shares no code with
// models/vtd, on purpose (see vtd_tables.h).
#pragma once

#include <array>
#include <cstdint>

namespace vtdtest {

using Descriptor = std::array<uint64_t, 2>;  // qword 0, qword 1

// PCIe Invalidate Request address with S: `size` bytes (a power of two >= 4096) at
// `addr` (aligned to it) as bits 63:12 and S; size 0 = the whole space (S=1, all set).
struct SizedAddress {
    uint64_t addr_bits;  // bits 63:12
    bool s;
};
SizedAddress encode_sized_address(uint64_t addr, uint64_t size);

// Device-TLB Invalidate (type 3): SID 47:32, MIP 20:16, PFSID 15:12 + 63:52; qword 1
// S 0, ADDR 63:12.
Descriptor device_tlb_invalidate(uint16_t sid, uint64_t addr, uint64_t size, uint16_t pfsid = 0,
                                 unsigned mip = 0);
// PASID-based Device-TLB Invalidate (type 8): MIP 8:4, PFSID 15:12 + 63:52, SID 31:16,
// PASID 51:32; qword 1 G 0, S 11, ADDR 63:12.
Descriptor pasid_device_tlb_invalidate(uint16_t sid, uint32_t pasid, bool global, uint64_t addr,
                                       uint64_t size, uint16_t pfsid = 0, unsigned mip = 0);
// Page Group Response (type 9): P 4, response code 15:12, RID 31:16, PASID 51:32;
// qword 1 PRG index 11:3.
Descriptor page_group_response(uint16_t rid, bool pasid_present, uint32_t pasid, uint16_t prg_index,
                               unsigned code);
// Invalidation Wait (type 5) with status write: SW 5, status data 63:32, address.
Descriptor wait_with_status(uint64_t status_addr, uint32_t data);

// A Page Request Descriptor as software reads it from the queue.
struct PageRequestFields {
    unsigned type;
    bool pasid_present;
    uint16_t rid;
    uint32_t pasid;
    bool exec, priv;
    bool read, write, lpig;
    uint16_t prg_index;
    uint64_t addr;
};
PageRequestFields decode_page_request(uint64_t qw0, uint64_t qw1);

}  // namespace vtdtest
