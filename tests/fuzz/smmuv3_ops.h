// The input language of fuzz_smmuv3_mmio, shared by the target (which reads it) and
// make_seeds_smmuv3 (which writes what the real driver does in it):
//
//   variant byte, then ops, each an opcode byte (taken modulo kOpCount) and its operands,
//   little-endian:
//     kWrite32    offset u16, value u32       MMIO write, 4 bytes (mmio_offset)
//     kWrite64    offset u16, value u64       MMIO write, 8 bytes (mmio_offset, 8-aligned)
//     kRead       offset u16, size u8         MMIO read, 8 bytes when size is odd, else 4
//     kStore      qword u24, value u64        a qword of the table window
//     kTranslate  sid u16, iova u64, flags u8, pasid u24
//
// An offset's bit 15 picks the register page (page 1 at 0x10000, where EVENTQ_PROD/
// CONS live), bits 11:2 the register. The variant's bits pick the unit's straps
// (variant_settings). Stream table, CD tables, translation tables and both queues live
// in a window of memory the driver allocates from, so a store's address is a qword
// index into it: three bytes instead of eight keep the seeds small.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/fuzz/dma_request.h"  // kTranslate's operands and flags
#include "tests/fuzz/seed_writer.h"  // RecordOps

namespace fuzz::smmuv3 {

constexpr uint64_t kWindow = 0x10'0000;                 // 1 MiB: the first table page
constexpr uint64_t kWindowBytes = 0x40'0000;            // 4 MiB of tables and queues
constexpr uint64_t kWindowQwords = kWindowBytes / 8;    // a power of two: an index mask
constexpr uint64_t kMemoryBytes = uint64_t(1) << 32;    // installed memory: above, accesses fail
constexpr uint32_t kPage1 = 0x10000;

enum Op : uint8_t { kWrite32, kWrite64, kRead, kStore, kTranslate, kOpCount };

enum Variant : uint8_t {
    kLinear = 1,      // IDR0.ST_LEVEL 0 and 8-bit StreamIDs: a linear stream table
    kNoRange = 2,     // IDR3.RIL clear: range TLBIs are CERROR_ILL
    kHttu = 4,        // IDR0.HTTU 2: hardware access flag and dirty state
    kOas40 = 8,       // IDR5.OAS 2: 40-bit output addresses (F_ADDR_SIZE above)
    kOnly4k = 16,     // IDR5: the 4 KiB granule only
};
constexpr unsigned kVariants = 32;

// The register offset an op's u16 names.
inline uint32_t mmio_offset(uint16_t o, unsigned bytes) {
    return (o & 0x8000 ? kPage1 : 0) | (o & (bytes == 8 ? 0xff8 : 0xffc));
}
// The u16 that names a register offset (the inverse, for the seeds).
inline uint16_t mmio_operand(uint32_t offset) { return uint16_t((offset & kPage1 ? 0x8000 : 0) | (offset & 0xfff)); }

// The ops make_seeds_smmuv3 records the driver's writes as.
inline constexpr RecordOps kRecordOps{kWrite32, kWrite64, kStore, kWindow, kWindowBytes, mmio_offset, mmio_operand};

// The [smmuv3] keys of a variant.
inline std::vector<std::pair<std::string, std::string>> variant_settings(uint8_t v) {
    std::vector<std::pair<std::string, std::string>> s;
    if (v & kLinear) s.insert(s.end(), {{"smmuv3.st_level", "0"}, {"smmuv3.sidsize", "8"}});
    if (v & kNoRange) s.push_back({"smmuv3.ril", "false"});
    if (v & kHttu) s.push_back({"smmuv3.httu", "2"});
    if (v & kOas40) s.push_back({"smmuv3.oas", "2"});
    if (v & kOnly4k) s.insert(s.end(), {{"smmuv3.gran16k", "false"}, {"smmuv3.gran64k", "false"}});
    return s;
}

}  // namespace fuzz::smmuv3
