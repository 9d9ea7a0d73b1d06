// The AMD-Vi encodings the driver writes, from the AMD I/O Virtualization Technology
// (IOMMU) Specification (48882, rev 3.x: §2.2.2 device table, §2.2.3 host page tables,
// §2.4 commands, the event and PPR log chapters, §3.4 MMIO registers), in the driver's own
// words; Linux's drivers/iommu/amd/amd_iommu_types.h names the same bits. The hardware
// model in models/amdvi decodes these formats independently, so a misreading on either
// side shows up when the two are paired.
#pragma once

#include <cstdint>

namespace iommufd::amdvi::enc {

constexpr uint64_t bits(uint64_t v, unsigned lo, unsigned n) { return (v >> lo) & ((uint64_t(1) << n) - 1); }
constexpr uint64_t bit(unsigned b) { return uint64_t(1) << b; }
constexpr uint64_t kAddr51_12 = ((uint64_t(1) << 52) - 1) & ~uint64_t(0xfff);

// MMIO offsets (§3.4; Linux MMIO_*_OFFSET).
constexpr uint32_t kDevTableBase = 0x0000, kCmdBufBase = 0x0008, kEvtLogBase = 0x0010, kControl = 0x0018;
constexpr uint32_t kExtFeature = 0x0030, kPprLogBase = 0x0038, kExtFeature2 = 0x01a0;
constexpr uint32_t kCmdHead = 0x2000, kCmdTail = 0x2008, kEvtHead = 0x2010, kEvtTail = 0x2018;
constexpr uint32_t kStatus = 0x2020, kPprHead = 0x2030, kPprTail = 0x2038;

// Extended Feature Register (MMIO Offset 0030h; Linux FEATURE_*): PPRSup 1, GTSup 4,
// IASup 6 (INVALIDATE_IOMMU_ALL), HATS 11:10 (host table levels: 0 four, 1 five, 2 six,
// 3 reserved, which Linux reads as host translation unusable), HDSup 52.
inline bool efr_ppr(uint64_t efr) { return efr & bit(1); }
inline bool efr_gt(uint64_t efr) { return efr & bit(4); }
inline bool efr_ia(uint64_t efr) { return efr & bit(6); }
inline unsigned efr_hats(uint64_t efr) { return unsigned(bits(efr, 10, 2)); }

// Control register bits (MMIO Offset 0018h; Linux CONTROL_*).
constexpr unsigned kCtlIommuEn = 0, kCtlEventLogEn = 2, kCtlEventIntEn = 3, kCtlComWaitIntEn = 4;
constexpr unsigned kCtlCoherent = 10, kCtlCmdBufEn = 12, kCtlPprLogEn = 13, kCtlPprIntEn = 14;
constexpr unsigned kCtlPprEn = 15, kCtlGtEn = 16;
constexpr uint64_t kCtlInvTimeoutMask = uint64_t(7) << 5;  // InvTimeout 7:5
constexpr uint64_t kInvTimeout1s = 4;                    // Linux CTRL_INV_TO_1S

// Status register (MMIO Offset 2020h), RW1C where noted: EventOverflow 0 (RW1C), EventLogInt 1
// (RW1C), EventLogRun 3, PPROverflow 5 (RW1C), PPRInt 6 (RW1C), PPRLogRun 7.
constexpr uint32_t kStsEventOverflow = 1u << 0, kStsEventLogInt = 1u << 1, kStsEventLogRun = 1u << 3;
constexpr uint32_t kStsPprOverflow = 1u << 5, kStsPprInt = 1u << 6, kStsPprLogRun = 1u << 7;

// Buffer base registers: address 51:12, length 59:56 as log2 of the entries (ComLen,
// EventLen, PPRLogLen; 1000b = 256 ... 1111b = 32768). Linux uses 512 entries (8 KiB)
// for each. Device Table Base: address 51:12, Size 8:0 = 4 KiB pages - 1.
constexpr unsigned kLogEntries = 9;
constexpr uint64_t kRingBytes = uint64_t(16) << kLogEntries;
inline uint64_t ring_base(uint64_t pa) { return (pa & kAddr51_12) | uint64_t(kLogEntries) << 56; }

// Device table entry (§2.2.2.1), 256 bits. Qword 0: V 0, TV 1, HAD 8:7, Mode 11:9,
// Host Page Table Root Pointer 51:12, PPR 52, GV 55, IR 61, IW 62. Qword 1: DomainID
// 15:0, I 32 (IOTLB enable: the device may cache translations, ATS).
constexpr uint64_t kDteV = bit(0), kDteTv = bit(1), kDtePpr = bit(52), kDteGv = bit(55);
constexpr uint64_t kDteIr = bit(61), kDteIw = bit(62);
inline uint64_t dte_mode(unsigned mode) { return uint64_t(mode & 7) << 9; }
constexpr uint64_t kDteIotlb = bit(32);
constexpr unsigned kDteBytes = 32;

// Host (v1) page-table entry (§2.2.3): PR 0, NextLevel 11:9 (0: a page at this level,
// 7: a page of another power-of-two size encoded in the address bits and repeated over
// every entry it spans), address 51:12, FC 60 (force coherent), IR 61, IW 62. Table
// entries carry IR and IW too, as Linux's PM_LEVEL_PDE writes them.
constexpr uint64_t kPtePr = bit(0), kPteFc = bit(60), kPteIr = bit(61), kPteIw = bit(62);
inline unsigned pte_next_level(uint64_t e) { return unsigned(bits(e, 9, 3)); }
inline uint64_t pte_next_level_field(unsigned nl) { return uint64_t(nl & 7) << 9; }
constexpr unsigned kNextLevelPage = 0, kNextLevelSized = 7;

// Commands (§2.4), 16 bytes: here `lo` is dwords 0-1 and `hi` dwords 2-3; the opcode is
// dword 1 bits 31:28.
constexpr unsigned kOpCompletionWait = 1, kOpInvDevtabEntry = 2, kOpInvIommuPages = 3;
constexpr unsigned kOpInvIotlbPages = 4, kOpCompletePpr = 7, kOpInvIommuAll = 8;
inline uint64_t cmd_op(unsigned op) { return uint64_t(op) << 60; }
// COMPLETION_WAIT: S 0 (store), I 1 (interrupt), store address 51:3 over dwords 0-1,
// store data in dwords 2-3.
constexpr uint64_t kCwStore = bit(0), kCwStoreAddr = ((uint64_t(1) << 52) - 1) & ~uint64_t(7);
// INVALIDATE_IOMMU_PAGES / INVALIDATE_IOTLB_PAGES, dword 2: S 0 (a range: the address's
// lowest clear bit above 11 gives its size), PDE 1 (directory entries too), GN 2 (guest).
constexpr uint64_t kInvS = bit(0), kInvPde = bit(1), kInvGn = bit(2);
// Linux CMD_INV_IOMMU_ALL_PAGES_ADDRESS: with S, every page of the domain.
constexpr uint64_t kInvAllPagesAddress = 0x7fff'ffff'ffff'f000;
// COMPLETE_PPR_REQUEST: DeviceID dword 0 15:0, PASID dword 1 19:0, GN dword 2 bit 2,
// CompletionTag dword 3 8:0, Status dword 3 15:12 (PCIe PRG response code).
constexpr uint64_t kPprRespFailure = 0xf;

// Event log entry (spec "Event Log"), 16 bytes: EventCode dword 1 bits 31:28.
inline unsigned event_code(uint64_t lo) { return unsigned(bits(lo, 60, 4)); }
// PPR log entry (spec "Peripheral Page Service Request" log; Linux PPR_*): DeviceID 15:0, PASID[15:0] 31:16, Tag 41:32
// (bit 9 of the tag: the last request of its group), PASID[19:16] 45:42, flags 59:48
// (GN 0x100), type 63:60 (1: PAGE_SERVICE_REQUEST); the address in the second qword.
inline unsigned ppr_type(uint64_t lo) { return unsigned(bits(lo, 60, 4)); }
inline uint32_t ppr_pasid(uint64_t lo) { return uint32_t(bits(lo, 16, 16) | bits(lo, 42, 4) << 16); }
inline unsigned ppr_tag(uint64_t lo) { return unsigned(bits(lo, 32, 10)); }
inline bool ppr_gn(uint64_t lo) { return bits(lo, 48, 12) & 0x100; }
constexpr unsigned kPprPageServiceRequest = 1, kPprTagLast = 0x200;

}  // namespace iommufd::amdvi::enc
