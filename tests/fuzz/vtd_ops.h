// The input language of fuzz_vtd_mmio, shared by the target (which reads it) and
// make_seeds_vtd (which writes what the real driver does in it):
//
//   variant byte, then ops, each an opcode byte (taken modulo kOpCount) and its operands,
//   little-endian:
//     kWrite32    offset u16, value u32       MMIO write, 4 bytes (offset & 0xffc)
//     kWrite64    offset u16, value u64       MMIO write, 8 bytes (offset & 0xff8)
//     kRead       offset u16, size u8         MMIO read, 8 bytes when size is odd, else 4
//     kStore      qword u24, value u64        a qword of the table window
//     kTranslate  sid u16, iova u64, flags u8, pasid u24
//
// The variant's bits pick the unit's straps (variant_settings). The tables live in a
// window of memory the driver allocates from, so a store's address is a qword index
// into it: three bytes instead of eight keep the seeds small.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "tests/fuzz/dma_request.h"  // kTranslate's operands and flags

namespace fuzz::vtd {

constexpr uint64_t kWindow = 0x10'0000;                 // 1 MiB: the first table page
constexpr uint64_t kWindowBytes = 0x40'0000;            // 4 MiB of tables
constexpr uint64_t kWindowQwords = kWindowBytes / 8;    // a power of two: an index mask
constexpr uint64_t kMemoryBytes = uint64_t(1) << 32;    // installed memory: above, accesses fail

enum Op : uint8_t { kWrite32, kWrite64, kRead, kStore, kTranslate, kOpCount };

enum Variant : uint8_t {
    kScalable = 1,        // scalable mode with second-level A/D (what the conformance suite runs)
    kCachingMode = 2,     // CAP.CM, as a virtual IOMMU reports it
    kPasid = 4,           // PASID requests and first-level tables
    kOneFaultRecord = 8,  // NFR=1 and 2 MiB pages only: fault overflow, fewer leaf sizes
};

// The [vtd] keys of a variant.
inline std::vector<std::pair<std::string, std::string>> variant_settings(uint8_t v) {
    std::vector<std::pair<std::string, std::string>> s;
    if (v & kScalable) s.insert(s.end(), {{"vtd.smts", "true"}, {"vtd.ssads", "true"}});
    if (v & kCachingMode) s.push_back({"vtd.cm", "true"});
    if (v & kPasid) s.insert(s.end(), {{"vtd.pasid", "true"}, {"vtd.flts", "true"}});
    if (v & kOneFaultRecord) s.insert(s.end(), {{"vtd.nfr", "1"}, {"vtd.sllps", "1"}});
    return s;
}

}  // namespace fuzz::vtd
