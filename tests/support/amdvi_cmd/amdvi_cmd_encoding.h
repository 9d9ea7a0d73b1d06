// A spec-derived AMD-Vi command, event and PPR log encoder, for the tests only: the
// dwords of each command (48882 §2.4 "Commands", one figure per command), the
// ILLEGAL_COMMAND_ERROR / COMMAND_HARDWARE_ERROR event records and the
// PAGE_SERVICE_REQUEST PPR log entry, built from named fields dword by dword. Written
// apart from the decoder in models/amdvi (command.cpp, command_buffer.cpp, ppr_log.cpp)
// and from any driver, so that a misreading in one is caught by the other.
#pragma once

#include <array>
#include <cstdint>

namespace amdvi_cmd_enc {

using Cmd = std::array<uint32_t, 4>;   // dwords 0..3 as they sit in memory
using Record = std::array<uint32_t, 4>;

// Opcodes, dword 1 bits 31:28.
constexpr unsigned COMPLETION_WAIT = 1, INVALIDATE_DEVTAB_ENTRY = 2, INVALIDATE_IOMMU_PAGES = 3,
                   INVALIDATE_IOTLB_PAGES = 4, INVALIDATE_INTERRUPT_TABLE = 5, PREFETCH_IOMMU_PAGES = 6,
                   COMPLETE_PPR_REQUEST = 7, INVALIDATE_IOMMU_ALL = 8;

// COMPLETION_WAIT: dword 0 S 0, I 1, F 2, store address 31:3; dword 1 store address
// 51:32 in 19:0; dwords 2-3 store data.
Cmd completion_wait(bool s, bool i, bool f, uint64_t store_addr, uint64_t store_data);
Cmd invalidate_devtab_entry(uint16_t devid);      // dword 0 DeviceID 15:0
Cmd invalidate_interrupt_table(uint16_t devid);   // dword 0 DeviceID 15:0
// INVALIDATE_IOMMU_PAGES: dword 0 PASID 19:0; dword 1 DomainID 15:0; dword 2 S 0, PDE 1,
// GN 2, address 31:12; dword 3 address 63:32.
Cmd invalidate_iommu_pages(uint16_t domain, uint32_t pasid, uint64_t addr, bool s, bool pde, bool gn);
// INVALIDATE_IOTLB_PAGES: dword 0 DeviceID 15:0, PASID[15:8] 23:16, MaxPend 31:24;
// dword 1 QueueId 15:0, PASID[7:0] 23:16, PASID[19:16] 27:24; dword 2 S 0, GN 2,
// address 31:12; dword 3 address 63:32.
Cmd invalidate_iotlb_pages(uint16_t devid, uint32_t pasid, uint8_t maxpend, uint16_t queue_id, uint64_t addr, bool s,
                           bool gn);
// PREFETCH_IOMMU_PAGES: dword 0 DeviceID 15:0, PFCount 31:24; dword 1 PASID 19:0;
// dword 2 S 0, GN 2, Inval 4, address 31:12; dword 3 address 63:32.
Cmd prefetch_iommu_pages(uint16_t devid, uint32_t pasid, uint8_t count, uint64_t addr, bool s, bool gn, bool inval);
// COMPLETE_PPR_REQUEST: dword 0 DeviceID 15:0; dword 1 PASID 19:0; dword 2 GN 2;
// dword 3 Completion Tag 15:0 (PRG index 8:0 and response code 15:12, as Linux fills it).
Cmd complete_ppr_request(uint16_t devid, uint32_t pasid, bool gn, uint16_t prg_index, unsigned response_code);
Cmd invalidate_iommu_all();

// A command with one more bit set in dword `dword` (a reserved field, for the tests).
Cmd with_bit(Cmd c, unsigned dword, unsigned bit);
// Any opcode with otherwise zero fields (reserved opcodes 0, 9-15).
Cmd raw_opcode(unsigned opcode);

// ILLEGAL_COMMAND_ERROR (code 5 in dword 1 31:28; dwords 2-3 the command's address) and
// COMMAND_HARDWARE_ERROR (code 6; Type 26:25 of dword 1; dwords 2-3 the address).
Record illegal_command_error(uint64_t cmd_addr);
Record command_hardware_error(unsigned type, uint64_t addr);
constexpr unsigned kMasterAbort = 1, kTargetAbort = 2, kDataError = 3;

// PAGE_SERVICE_REQUEST PPR log entry (Linux PPR_* in amd_iommu_types.h): dword 0
// DeviceID 15:0, PASID[15:0] 31:16; dword 1 PPR tag 9:0, PASID[19:16] 13:10, flags
// 27:16 (execute 17, read 18, write 21, US 22, GN 24), code 31:28 = 1; dwords 2-3
// address 63:12.
struct PprFields {
    uint16_t devid = 0;
    uint32_t pasid = 0;
    uint16_t tag = 0;  // PRG index 8:0, Last 9
    bool exec = false, read = false, write = false, user = false, gn = false;
    uint64_t addr = 0;
};
Record ppr_entry(const PprFields& f);

}  // namespace amdvi_cmd_enc
