// The SMMUv3 encodings the driver writes, from the Arm SMMUv3 specification (IHI 0070:
// chapter 6 registers, 5.2 STE, 5.4 CD, chapter 4 commands) and the Arm ARM's
// VMSAv8-64 descriptors (D8.3), in the driver's own words: the hardware model in
// models/smmuv3 decodes the same formats independently, so a misreading on either side
// shows up in their tests. Only plain offsets are repeated here, as the VT-d driver
// keeps its own.
#pragma once

#include <cstdint>

namespace iommufd::smmuv3::enc {

inline uint64_t bits(uint64_t v, unsigned lo, unsigned n) { return (v >> lo) & ((uint64_t(1) << n) - 1); }
inline uint64_t field(uint64_t v, unsigned lo) { return v << lo; }

// Register offsets (spec 6.2; Linux ARM_SMMU_*). EVTQ_PROD/CONS live in page 1.
constexpr uint32_t kIdr0 = 0x00, kIdr1 = 0x04, kIdr3 = 0x0c, kIdr5 = 0x14, kIidr = 0x18, kAidr = 0x1c;
constexpr uint32_t kCr0 = 0x20, kCr0Ack = 0x24, kCr1 = 0x28, kCr2 = 0x2c;
constexpr uint32_t kStrtabBase = 0x80, kStrtabBaseCfg = 0x88;
constexpr uint32_t kCmdqBase = 0x90, kCmdqProd = 0x98, kCmdqCons = 0x9c;
constexpr uint32_t kEvtqBase = 0xa0, kEvtqProd = 0x100a8, kEvtqCons = 0x100ac;
constexpr uint32_t kIrqCtrl = 0x50, kIrqCtrlAck = 0x54;
constexpr uint32_t kPriqBase = 0xc0, kPriqProd = 0x100c8, kPriqCons = 0x100cc;

// SMMU_IDR0 (6.3.1).
inline bool idr0_s2p(uint32_t v) { return v & 1; }
inline bool idr0_s1p(uint32_t v) { return v & 2; }
inline unsigned idr0_ttf(uint32_t v) { return unsigned(bits(v, 2, 2)); }      // bit 1: AArch64
inline bool idr0_cohacc(uint32_t v) { return v & (1u << 4); }
inline unsigned idr0_httu(uint32_t v) { return unsigned(bits(v, 6, 2)); }     // 2: A and D
inline bool idr0_ats(uint32_t v) { return v & (1u << 10); }
inline bool idr0_pri(uint32_t v) { return v & (1u << 16); }
inline bool idr0_asid16(uint32_t v) { return v & (1u << 12); }
inline bool idr0_vmid16(uint32_t v) { return v & (1u << 18); }
inline bool idr0_cd2l(uint32_t v) { return v & (1u << 19); }
inline unsigned idr0_ttendian(uint32_t v) { return unsigned(bits(v, 21, 2)); }  // 0 mixed, 2 LE, 3 BE
inline unsigned idr0_stall_model(uint32_t v) { return unsigned(bits(v, 24, 2)); }
inline unsigned idr0_st_level(uint32_t v) { return unsigned(bits(v, 27, 2)); }  // 1: two-level
// SMMU_IDR1 (6.3.2).
inline unsigned idr1_sidsize(uint32_t v) { return unsigned(bits(v, 0, 6)); }
inline unsigned idr1_ssidsize(uint32_t v) { return unsigned(bits(v, 6, 5)); }
inline unsigned idr1_eventqs(uint32_t v) { return unsigned(bits(v, 16, 5)); }
inline unsigned idr1_priqs(uint32_t v) { return unsigned(bits(v, 11, 5)); }
inline unsigned idr1_cmdqs(uint32_t v) { return unsigned(bits(v, 21, 5)); }
constexpr uint32_t kIdr1AttrTypesOvr = 1u << 27, kIdr1Rel = 1u << 28, kIdr1QueuesPreset = 1u << 29, kIdr1TablesPreset = 1u << 30;
// SMMU_IDR3 (6.3.4): range invalidation.
inline bool idr3_ril(uint32_t v) { return v & (1u << 10); }
// SMMU_IDR5 (6.3.6).
inline unsigned idr5_oas(uint32_t v) { return unsigned(bits(v, 0, 3)); }
inline bool idr5_gran4k(uint32_t v) { return v & (1u << 4); }
// An address-size encoding (IDR5.OAS, CD.IPS) in bits; 7 is reserved (Linux reads 48).
inline unsigned oas_bits(unsigned enc) {
    static const unsigned b[8] = {32, 36, 40, 42, 44, 48, 52, 48};
    return b[enc & 7];
}

// SMMU_CR0/CR0ACK, CR1, CR2 (6.3.9-6.3.12).
constexpr uint32_t kCr0SmmuEn = 1u << 0, kCr0PriqEn = 1u << 1, kCr0EvtqEn = 1u << 2, kCr0CmdqEn = 1u << 3;
constexpr uint32_t kCr0AtsChk = 1u << 4;  // translated requests checked against STE.EATS
// SMMU_IRQ_CTRL/IRQ_CTRLACK (6.3.13): GERROR_IRQEN 0, PRIQ_IRQEN 1, EVENTQ_IRQEN 2.
constexpr uint32_t kIrqPriqEn = 1u << 1, kIrqEvtqEn = 1u << 2;
constexpr uint32_t kShIsh = 3, kShOsh = 2, kCacheWb = 1;  // inner, outer shareable; write-back cacheable
// CR1: QUEUE_IC 1:0, QUEUE_OC 3:2, QUEUE_SH 5:4, TABLE_IC 7:6, TABLE_OC 9:8, TABLE_SH 11:10.
constexpr uint32_t kCr1WbIsh = kCacheWb | kCacheWb << 2 | kShIsh << 4 | kCacheWb << 6 | kCacheWb << 8 | kShIsh << 10;
constexpr uint32_t kCr2E2h = 1u << 0, kCr2RecInvSid = 1u << 1, kCr2Ptm = 1u << 2;

// STRTAB_BASE: ADDR 51:6, RA 62. STRTAB_BASE_CFG: LOG2SIZE 5:0, SPLIT 10:6, FMT 17:16.
constexpr uint64_t kStrtabRa = uint64_t(1) << 62;
constexpr uint64_t kAddr51_6 = ((uint64_t(1) << 52) - 1) & ~uint64_t(63);
constexpr unsigned kSplit = 8;  // Linux STRTAB_SPLIT: 256 STEs (16 KiB) per level-2 table
// Queue base: LOG2SIZE 4:0, ADDR 51:5, RA/WA 62. PROD/CONS: index, wrap bit above it.
constexpr uint64_t kQueueRaWa = uint64_t(1) << 62;
constexpr uint32_t kConsErrMask = 0x7fu << 24;

// STE (5.2), dword 0: V 0, Config 3:1, S1Fmt 5:4, S1ContextPtr 51:6, S1CDMax 63:59.
constexpr unsigned kCfgAbort = 0, kCfgBypass = 4, kCfgS1 = 5, kCfgS2 = 6;
constexpr uint64_t kS1FmtLinear = 0, kS1Fmt64kL2 = 2;  // Linux STRTAB_STE_0_S1FMT_*
// Dword 1: S1DSS 1:0, S1CIR 3:2, S1COR 5:4, S1CSH 7:6, S1STALLD 27, EATS 29:28,
// STRW 31:30, SHCFG 45:44.
constexpr uint64_t kS1dssSsid0 = 2, kShcfgIncoming = 1;
constexpr uint64_t kSteS1Stalld = uint64_t(1) << 27;
constexpr uint64_t kSteEatsTrans = uint64_t(1) << 28;  // EATS 0b01: full ATS (Linux EATS_TRANS)
// Level-1 stream table descriptor (5.1): SPAN 4:0, L2Ptr 51:6.
// Dword 2: S2VMID 15:0, S2T0SZ 37:32, S2SL0 39:38, S2IR0 41:40, S2OR0 43:42, S2SH0
// 45:44, S2TG 47:46, S2PS 50:48, S2AA64 51, S2PTW 54, S2S 57, S2R 58. Dword 3: S2TTB 51:4.
constexpr uint64_t kSteS2Aa64 = uint64_t(1) << 51, kSteS2Ptw = uint64_t(1) << 54, kSteS2R = uint64_t(1) << 58;
constexpr uint64_t kSteS2S = uint64_t(1) << 57;
constexpr uint64_t kAddr51_4 = ((uint64_t(1) << 52) - 1) & ~uint64_t(15);
// Level-1 CD descriptor (5.5): V 0, L2Ptr 51:12. Linux's two-level CD tables have
// leaves of 1024 CDs (CTXDESC_SPLIT 10, S1Fmt 64K_L2).
constexpr unsigned kCdSplit = 10;
constexpr uint64_t kL1CdV = 1, kL1CdL2Ptr = ((uint64_t(1) << 52) - 1) & ~uint64_t(0xfff);

// CD (5.4), dword 0: T0SZ 5:0, TG0 7:6, IRGN0 9:8, ORGN0 11:10, SH0 13:12, EPD1 30, V 31,
// IPS 34:32, AFFD 35, AA64 41, HD 42, HA 43, R 45, A 46, ASET 47, ASID 63:48.
// Dword 1: TTB0 51:4. Dword 3: MAIR.
constexpr uint64_t kCdEpd1 = uint64_t(1) << 30, kCdV = uint64_t(1) << 31, kCdAa64 = uint64_t(1) << 41;
constexpr uint64_t kCdHd = uint64_t(1) << 42, kCdHa = uint64_t(1) << 43, kCdR = uint64_t(1) << 45;
constexpr uint64_t kCdA = uint64_t(1) << 46, kCdAset = uint64_t(1) << 47;
constexpr uint64_t kCacheWbwa = 1;  // IRGN0/ORGN0 Normal write-back read/write-allocate
// io-pgtable-arm's MAIR: index 0 Normal non-cacheable (0x44), 1 write-back (0xff),
// 2 Device-nGnRE (0x04), 3 inner non-cacheable outer write-back (0xf4).
constexpr uint64_t kMair = 0x44 | 0xff << 8 | 0x04 << 16 | uint64_t(0xf4) << 24;
constexpr uint64_t kMairIdxCache = 1;

// VMSAv8-64 stage-1 descriptors, 4K granule (Arm ARM D8.3): 0b11 table or page,
// 0b01 block; AttrIndx 4:2, AP[1] 6 (EL0 access), AP[2] 7 (read-only), SH 9:8, AF 10,
// nG 11, output address 47:12.
constexpr uint64_t kPteValid = 1, kPteTable = 3, kPteBlock = 1, kPtePage = 3;
constexpr uint64_t kPteApUnpriv = 1u << 6, kPteApRdonly = 1u << 7, kPteShIs = 3u << 8;
constexpr uint64_t kPteAf = 1u << 10, kPteNg = 1u << 11;
constexpr uint64_t kPteAddr = ((uint64_t(1) << 48) - 1) & ~uint64_t(0xfff);
// Stage-2 leaves as io-pgtable-arm's ARM_64_LPAE_S2 writes them: S2AP (HAP) 7:6 read 1,
// write 2; MemAttr 5:2 0xf (outer and inner write-back) for IOMMU_CACHE.
constexpr uint64_t kPteHapRead = 1u << 6, kPteHapWrite = 2u << 6, kPteMemattrOiwb = 0xfu << 2;

// Commands (chapter 4), opcode 7:0.
constexpr uint64_t kOpCfgiSte = 0x03, kOpCfgiAll = 0x04, kOpCfgiCd = 0x05;
constexpr uint64_t kOpTlbiNhAll = 0x10, kOpTlbiNhAsid = 0x11, kOpTlbiNhVa = 0x12;
constexpr uint64_t kOpTlbiS12Vmall = 0x28, kOpTlbiS2Ipa = 0x2a, kOpTlbiNsnhAll = 0x30, kOpSync = 0x46;
// TLBI_NH_* carry the ASID in 63:48, the VMID (TLBI_S2_*, TLBI_S12_VMALL) in 47:32.
inline uint64_t cmd_asid(uint16_t asid) { return uint64_t(asid) << 48; }
inline uint64_t cmd_vmid(uint16_t vmid) { return uint64_t(vmid) << 32; }
constexpr uint64_t kSyncCsSev = 2, kMemattrOiwb = 0xf;
// CMD_ATC_INV (4.5.1): SSV 11, SubstreamID 31:12, StreamID 63:32, Global 9; dword 1
// Size 5:0 (2^Size 4 KiB pages from Address, aligned to them), Address 63:12. Size 52
// covers the whole space (Linux ATC_INV_SIZE_ALL).
// CMD_PRI_RESP (4.5.2): SSV 11, SubstreamID 31:12, StreamID 63:32; dword 1 PRGIndex 8:0,
// Resp 13:12 (0b00 Deny: PCIe "Invalid Request", 0b01 Fail, 0b10 Success).
constexpr uint64_t kOpAtcInv = 0x40, kOpPriResp = 0x41, kCmdSsv = 1u << 11;
constexpr uint64_t kAtcInvSizeAll = 52, kPriRespDeny = 0;
// CMD_RESUME (4.7.1; Linux CMDQ_OP_RESUME): StreamID 63:32, Action 13:12 (Linux
// CMDQ_RESUME_0_RESP_TERM 0, RETRY 1, ABORT 2); dword 1 STAG 15:0.
constexpr uint64_t kOpResume = 0x44, kResumeAbort = 2;
// Event record dword 1 (7.3): Stall 31, STAG 15:0; CD.S (5.4) is dword 0 bit 44.
constexpr uint64_t kEvtStall = uint64_t(1) << 31, kCdS = uint64_t(1) << 44;
// PRI queue entry (8.1), 16 bytes: dword 0 StreamID 31:0, SubstreamID 51:32, Priv 58,
// Exec 59, Read 60, Write 61, Last 62, SSV 63; dword 1 PRGIndex 8:0, Page address 63:12.
constexpr unsigned kPriqEntryBytes = 16;
constexpr uint64_t kPriqLast = uint64_t(1) << 62, kPriqSsv = uint64_t(1) << 63;

// Event queue (3.5, 7.3): PROD.OVFLG and CONS.OVACKFLG are bit 31; a record is 32
// bytes, its event ID in bits 7:0 of dword 0.
constexpr uint32_t kQueueOvf = 1u << 31;

}  // namespace iommufd::smmuv3::enc
