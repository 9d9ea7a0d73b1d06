// The driver's reading of flat_spec.h: the numbers it encodes with. Written apart
// from the hardware's flat_registers.h on purpose; only the driver includes this.
#pragma once

#include <cstdint>

namespace flat_driver::enc {

// Register offsets.
constexpr uint32_t kCap = 0x000, kCtrl = 0x008, kStatus = 0x00C, kDevtab = 0x010;
constexpr uint32_t kInv = 0x018, kInvAddr = 0x020;

// CAP fields.
inline unsigned cap_iova_bits(uint64_t cap) { return unsigned(cap & 0x3f); }
inline bool cap_sc(uint64_t cap) { return (cap >> 16) & 1; }
inline bool cap_coh(uint64_t cap) { return (cap >> 17) & 1; }
inline bool cap_ats(uint64_t cap) { return (cap >> 18) & 1; }

constexpr uint32_t kCtrlEn = 1, kStatusEns = 1;

// INV: TYPE 2:0, SID 31:16, DID 47:32, ERR 62, GO 63.
constexpr uint64_t kInvAll = 1, kInvDevice = 2, kInvDomain = 3, kInvPage = 4;
constexpr uint64_t kInvAtcPage = 5, kInvAtcAll = 6;  // with CAP.ATS
constexpr uint64_t kInvGo = uint64_t(1) << 63;
inline uint64_t inv_sid(uint16_t sid) { return uint64_t(sid) << 16; }
inline uint64_t inv_did(uint16_t did) { return uint64_t(did) << 32; }

// Device-table entry: V 0, T 1, TABLE 47:12, DID 63:48. 65536 of 8 bytes.
constexpr uint64_t kDteValid = 1, kDteTranslate = 2, kDteEats = 4;
constexpr uint64_t kDevtabBytes = 65536 * 8;
inline uint64_t dte_did(uint16_t did) { return uint64_t(did) << 48; }

// Page-table entry: R 0, W 1, SNP 2, FRAME 47:12.
constexpr uint64_t kPteRead = 1, kPteWrite = 2, kPteSnoop = 4;
constexpr uint64_t kAddrMask = 0x0000'ffff'ffff'f000;

}  // namespace flat_driver::enc
