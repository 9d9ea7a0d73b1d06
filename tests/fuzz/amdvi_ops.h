// What the AMD-Vi fuzz targets share with make_seeds_amdvi: the memory they run in,
// the unit's strap variants, and fuzz_amdvi_mmio's input language:
//
//   variant byte, then ops, each an opcode byte (taken modulo kOpCount) and its operands,
//   little-endian:
//     kWrite32      offset u16, value u32     MMIO write, 4 bytes (mmio_offset)
//     kWrite64      offset u16, value u64     MMIO write, 8 bytes (mmio_offset, 8-aligned)
//     kRead         offset u16, size u8       MMIO read, 8 bytes when size is odd, else 4
//     kStore        qword u24, value u64      a qword of the table window
//     kTranslate    sid u16, iova u64, flags u8, pasid u24   (dma_request.h)
//     kAts          at u8, then kTranslate's operands: a Translation Request (at odd)
//                   or a Translated request (even) (§2.1.3 ATS)
//     kPageRequest  sid u16, addr u64, flags u8 (PageFlag), pasid u24, prg u16
//
// An offset's bit 13 picks the pointer page (CMD_HEAD at 0x2000 onwards), bits 7:2 the
// register (48882 §3.4: every modelled register sits below 0x40 of its page). The
// variant's bits pick the unit's [amdvi] straps (variant_settings). The device table,
// page tables, command buffer and logs live in a window of memory the driver allocates
// from, so a store's address is a qword index into it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/fuzz/dma_request.h"
#include "tests/fuzz/seed_writer.h"  // RecordOps

namespace fuzz::amdvi {

constexpr uint64_t kWindow = 0x10'0000;               // 1 MiB: the first table page
constexpr uint64_t kWindowBytes = 0x40'0000;          // 4 MiB of tables, buffer and logs
constexpr uint64_t kWindowQwords = kWindowBytes / 8;  // a power of two: an index mask
constexpr uint64_t kMemoryBytes = uint64_t(1) << 32;  // installed memory: above, accesses fail
constexpr uint32_t kPointerPage = 0x2000;

enum Op : uint8_t { kWrite32, kWrite64, kRead, kStore, kTranslate, kAts, kPageRequest, kOpCount };
enum PageFlag : uint8_t { kPrRead = 1, kPrWrite = 2, kPrExec = 4, kPrPriv = 8, kPrPasid = 16, kPrLast = 32 };

enum Variant : uint8_t {
    kHats4 = 1,        // EFR.HATS 0: Modes 5 and 6 are ILLEGAL_DEV_TABLE_ENTRY
    kNoGuest = 2,      // EFR.GTSup clear: GV/GCR3 bits reserved, GN=1 commands illegal
    kNoInvAll = 4,     // EFR.IASup clear: INVALIDATE_IOMMU_ALL illegal
    kPrefetch = 8,     // EFR.PrefSup set: PREFETCH_IOMMU_PAGES legal
    kNoAccessDirty = 16,  // EFR.HASup/HDSup clear: DTE.HAD ignored
    kNoIotlb = 32,     // IotlbSup clear: ATS requests are INVALID_DEVICE_REQUEST
};
constexpr unsigned kVariants = 64;

// The register offset an op's u16 names.
inline uint32_t mmio_offset(uint16_t o, unsigned bytes) {
    return (o & kPointerPage) | (o & (bytes == 8 ? 0x38 : 0x3c));
}
// The u16 that names a register offset (the inverse, for the seeds).
inline uint16_t mmio_operand(uint32_t offset) { return uint16_t(offset & (kPointerPage | 0x3f)); }

// The ops make_seeds_amdvi records the driver's writes as.
inline constexpr RecordOps kRecordOps{kWrite32, kWrite64, kStore, kWindow, kWindowBytes, mmio_offset, mmio_operand};

// The [amdvi] keys of a variant.
inline std::vector<std::pair<std::string, std::string>> variant_settings(uint8_t v) {
    std::vector<std::pair<std::string, std::string>> s;
    if (v & kHats4) s.push_back({"amdvi.hats", "0"});
    if (v & kNoGuest) s.push_back({"amdvi.gt_sup", "false"});
    if (v & kNoInvAll) s.push_back({"amdvi.ia_sup", "false"});
    if (v & kPrefetch) s.push_back({"amdvi.pref_sup", "true"});
    if (v & kNoAccessDirty) s.insert(s.end(), {{"amdvi.ha_sup", "false"}, {"amdvi.hd_sup", "false"}});
    if (v & kNoIotlb) s.push_back({"amdvi.iotlb_sup", "false"});
    return s;
}

}  // namespace fuzz::amdvi
