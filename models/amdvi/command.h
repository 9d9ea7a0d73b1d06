// AMD-Vi commands (AMD IOMMU specification 48882 rev 3.x, §2.4 "Commands"; Linux
// drivers/iommu/amd/amd_iommu_types.h CMD_*): 16 bytes, four little-endian dwords, the
// opcode in dword 1 bits 31:28. decode_command turns one into a struct, or nullopt for
// a command the IOMMU answers with ILLEGAL_COMMAND_ERROR: a reserved opcode (0, 9-15:
// 9 and 10 are the vIOMMU commands, absent here), or a reserved field that is not
// zero. A command that needs a feature the Extended Feature Register does not report is
// illegal too (command_supported).
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace amdvi {

using CommandWords = std::array<uint32_t, 4>;

// §2.4 command opcodes (Linux CMD_COMPL_WAIT .. CMD_INV_ALL).
enum class CommandOp : uint8_t {
    COMPLETION_WAIT = 0x1,
    INVALIDATE_DEVTAB_ENTRY = 0x2,
    INVALIDATE_IOMMU_PAGES = 0x3,
    INVALIDATE_IOTLB_PAGES = 0x4,
    INVALIDATE_INTERRUPT_TABLE = 0x5,
    PREFETCH_IOMMU_PAGES = 0x6,
    COMPLETE_PPR_REQUEST = 0x7,
    INVALIDATE_IOMMU_ALL = 0x8,
};

// The fields of every command, named as in the spec's figures; a command fills those its
// format has (qword 0 = dwords 1:0, qword 1 = dwords 3:2).
struct Command {
    CommandOp op = CommandOp::COMPLETION_WAIT;
    // COMPLETION_WAIT: S 0 (store), I 1 (interrupt), F 2 (flush queue), store address
    // 51:3, store data qword 1.
    bool store = false, interrupt = false, flush = false;
    uint64_t store_addr = 0;
    uint64_t store_data = 0;
    // DeviceID 15:0 (DEVTAB_ENTRY, IOTLB_PAGES, INTERRUPT_TABLE, PREFETCH, COMPLETE_PPR).
    uint16_t devid = 0;
    // PASID: IOMMU_PAGES 19:0; IOTLB_PAGES PASID[15:8] 23:16, [7:0] 55:48, [19:16] 59:56;
    // PREFETCH and COMPLETE_PPR 51:32.
    uint32_t pasid = 0;
    uint16_t domain = 0;      // IOMMU_PAGES 47:32
    uint8_t maxpend = 0;      // IOTLB_PAGES 31:24
    uint16_t queue_id = 0;    // IOTLB_PAGES 47:32
    uint8_t pf_count = 0;     // PREFETCH 31:24
    // Qword 1 of the page commands: S 0 (size), PDE 1 (IOMMU_PAGES), GN 2 (guest / PASID
    // valid), IOTLB_PAGES Type 5:4, PREFETCH Inval 4, address 63:12.
    bool size = false, pde = false, gn = false, inval = false;
    unsigned iotlb_type = 0;
    uint64_t addr = 0;        // bits 11:0 clear
    // COMPLETE_PPR_REQUEST: GN qword 1 bit 2, Completion Tag 47:32. The tag is the
    // PRG Response's bytes as Linux's build_complete_ppr fills it: PRG index 8:0,
    // response code 15:12 (PCIe 6.0 §10.4.2).
    uint16_t completion_tag = 0;

    uint16_t prg_index() const { return completion_tag & 0x1ff; }
    unsigned response_code() const { return completion_tag >> 12; }
};

std::optional<Command> decode_command(const CommandWords& dw);

// The Extended Feature Register bits that gate commands (48882 "IOMMU Extended Feature
// Register", MMIO 0030h; Linux FEATURE_PREFETCH bit 0, FEATURE_PPR bit 1, FEATURE_GT
// bit 4, FEATURE_IA bit 6).
struct CommandFeatures {
    bool prefetch = false;  // PreFSup: PREFETCH_IOMMU_PAGES
    bool ppr = false;       // PPRSup: COMPLETE_PPR_REQUEST
    bool guest = false;     // GTSup: GN = 1 (guest / PASID-tagged) invalidations
    bool inv_all = false;   // IASup: INVALIDATE_IOMMU_ALL
};
// False: the command needs a feature the unit does not report (ILLEGAL_COMMAND_ERROR).
bool command_supported(const Command& c, const CommandFeatures& f);

// The inclusive byte range an address with the S bit names (§2.4 INVALIDATE_IOMMU_PAGES;
// INVALIDATE_IOTLB_PAGES and PREFETCH_IOMMU_PAGES use the same encoding): S = 0, the
// 4 KiB page at addr; S = 1, the lowest clear bit b of addr[63:12] makes the range
// 2^(b+1) bytes aligned to its size (addr[12] = 0: 8 KiB). Bit 63 the only clear one
// (Linux's CMD_INV_IOMMU_ALL_PAGES_ADDRESS), or none, covers the whole 64-bit space.
struct PageRange {
    uint64_t first = 0, last = 0;
    bool all() const { return first == 0 && last == ~uint64_t(0); }
};
PageRange page_range(uint64_t addr, bool size);

const char* command_name(CommandOp op);

}  // namespace amdvi
