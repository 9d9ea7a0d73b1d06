// The VT-d encodings the driver writes, from the VT-d specification (chapters 6, 9
// and 11), in the driver's own words: the hardware model in models/vtd decodes the same
// formats independently, so a misreading on either side shows up in their tests.
#pragma once

#include <cstdint>

namespace iommufd::vtd::enc {

// Register offsets and fields, VT-d spec chapter 11 (Linux: include/linux/intel-iommu.h,
// now drivers/iommu/intel/iommu.h).
constexpr uint32_t kCapReg = 0x08, kEcapReg = 0x10, kGcmdReg = 0x18, kGstsReg = 0x1c;
constexpr uint32_t kRtaddrReg = 0x20, kIqtReg = 0x88, kIqaReg = 0x90;
constexpr uint32_t kGcmdTe = 1u << 31, kGcmdSrtp = 1u << 30, kGcmdQie = 1u << 26;
constexpr uint32_t kGstsPersistent = (1u << 31) | (1u << 26) | (1u << 25) | (1u << 23);  // TES QIES IRES CFIS
inline uint64_t bits(uint64_t v, unsigned lo, unsigned n) { return (v >> lo) & ((uint64_t(1) << n) - 1); }
inline unsigned cap_sagaw(uint64_t cap) { return unsigned(bits(cap, 8, 5)); }
inline unsigned cap_sllps(uint64_t cap) { return unsigned(bits(cap, 34, 4)); }
inline bool cap_psi(uint64_t cap) { return bits(cap, 39, 1); }
inline unsigned cap_mamv(uint64_t cap) { return unsigned(bits(cap, 48, 6)); }
inline bool ecap_coherent(uint64_t ecap) { return ecap & 1; }
inline bool ecap_qi(uint64_t ecap) { return ecap & 2; }
inline bool ecap_dt(uint64_t ecap) { return ecap & (1u << 2); }    // device-TLB (ATS)
inline bool ecap_prs(uint64_t ecap) { return ecap & (1u << 29); }  // page requests
inline bool ecap_pt(uint64_t ecap) { return ecap & (1u << 6); }
inline bool ecap_sc(uint64_t ecap) { return ecap & (1u << 7); }
// Legacy context entry TT 3:2 (spec 9.3): 01b translated and translation requests
// allowed (device-TLB, Linux CONTEXT_TT_DEV_IOTLB), 10b pass-through.
constexpr uint64_t kTtDevIotlb = 1, kTtPassThrough = 2;

// Second-level paging entry (spec 9.8): R 0, W 1, PS 7, SNP 11, address 51:12.
constexpr uint64_t kSlR = 1, kSlW = 2, kSlPs = 1u << 7, kSlSnp = 1u << 11;
constexpr uint64_t kAddrMask = ((uint64_t(1) << 52) - 1) & ~uint64_t(0xfff);

// Invalidation descriptors (spec 6.5.2): type 3:0, granularity 5:4, DID 31:16.
constexpr uint64_t kDescContext = 1, kDescIotlb = 2, kDescWait = 5;
constexpr uint64_t kWaitStatusWrite = 1u << 5;
// Device-TLB invalidate descriptor (6.5.2.5), type 3: PFSID 3:0 in 15:12, MIP 20:16,
// SID 47:32, PFSID 15:4 in 63:52; upper qword S 0, ADDR 63:12. With S=1 the range is
// 2^(k+1) pages where k is the lowest clear bit of ADDR (PCIe's Invalidate Request
// encoding); all of ADDR but bit 63 set with S=1 is the whole space (Linux flushes
// with mask MAX_AGAW_PFN_WIDTH).
constexpr uint64_t kDescDevIotlb = 3, kDevIotlbS = 1;
// Page group response descriptor (6.5.2.10), type 9: PASID present 4, response code
// 15:12 (0001b Invalid Request), requester ID 31:16, PASID 51:32; upper qword PRG
// index 11:3.
constexpr uint64_t kDescPageGroupResp = 9, kRespInvalid = 1;

// Page request queue (10.4.31-10.4.37): PQH and PQT byte offsets of 32-byte
// descriptors (bits 18:5), PQA base 63:12 and PQS 2:0 (2^PQS pages); PRS PPR 0 and PRO 1
// (write 1 to clear); PECTL IM 31.
constexpr uint32_t kPqhReg = 0xc0, kPqtReg = 0xc8, kPqaReg = 0xd0, kPrsReg = 0xdc, kPectlReg = 0xe0;
constexpr uint32_t kPrsPpr = 1, kPrsPro = 2;
constexpr uint64_t kPrqBytes = 4096, kPageReqBytes = 32;
// Page request descriptor (7.4.1): qword 0 PASID present 8, RID 31:16, PASID 51:32,
// exec 52, priv 53; qword 1 read 0, write 1, LPIG 2, PRG index 11:3, address 63:12.
constexpr uint64_t kPrPasidPresent = 1u << 8, kPrLpig = 1u << 2;


// Scalable mode (spec 9.2, 9.4, 9.5, 9.6; Linux drivers/iommu/intel/pasid.h).
constexpr uint64_t kRtaddrTtmScalable = uint64_t(1) << 10;   // RTADDR_REG TTM 11:10 = 01
inline bool ecap_smts(uint64_t ecap) { return ecap & (uint64_t(1) << 43); }
inline bool ecap_slads(uint64_t ecap) { return ecap & (uint64_t(1) << 45); }
inline bool ecap_slts(uint64_t ecap) { return ecap & (uint64_t(1) << 46); }
inline bool ecap_nest(uint64_t ecap) { return ecap & (uint64_t(1) << 26); }
// Scalable context entry, 256 bits, 128 to a 4 KiB table: qword 0 P 0, DTE 2 (device-TLB
// enabled: translation requests and translated requests allowed), PRE 4 (page requests
// allowed), PDTS 11:9
// (2^(PDTS+7) directory entries), PASIDDIRPTR 63:12; qword 1 RID_PASID 19:0.
constexpr uint64_t kScalableContextBytes = 32;
constexpr uint64_t kCtxDte = 1u << 2, kCtxPre = 1u << 4;
// PASID directory entry: P 0, PASID-table pointer 63:12; a PASID table holds 64
// entries of 512 bits, indexed by PASID 5:0 (the directory by PASID 19:6).
constexpr uint64_t kPasidEntryBytes = 64;
// PASID table entry qword 0: P 0, FPD 1, AW 4:2, PGTT 8:6, SSADE 9, SLPTPTR 63:12;
// qword 1: DID 15:0, PGSNP 24 (bit 88); qword 2: SRE 0 (bit 128).
constexpr uint64_t kPgttSecondLevel = 2, kPgttPassThrough = 4;
constexpr uint64_t kPasidSsade = uint64_t(1) << 9;
constexpr uint64_t kPasidPgsnp = uint64_t(1) << 24;
constexpr uint64_t kPasidSre = 1;
// PASID-cache invalidation descriptor (spec 6.5.2.4): type 7, granularity 5:4
// (00 domain, 01 PASID-selective, 11 global), DID 31:16, PASID 51:32.
constexpr uint64_t kDescPasidCache = 7;

}  // namespace iommufd::vtd::enc
