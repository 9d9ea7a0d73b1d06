// The device's reading of a Translation Completion Data Entry (PCIe Base
// Specification 6.0, 10.2.3.2 and the size table that follows it). Written apart
// from the engine's encoder (models/iommu/ats_completion.h).
#pragma once

#include <cstdint>

namespace pcie {

struct AtcEntry {
    uint64_t pa = 0;    // translated base address, aligned to size
    uint64_t size = 4096;
    bool r = false, w = false;
    bool u = false;     // untranslated access only: do not issue Translated
    bool priv = false, exe = false, global = false;
    bool n = false;     // No Snoop may be used
};

// Bit 11 (S) clear: 4 KiB. Set: bits 12 upward are ones up to the first zero, at
// bit k, and the translation covers 2^(k+1) bytes (8 KiB for bit 12 zero).
AtcEntry decode_atc_entry(uint64_t qword);

}  // namespace pcie
