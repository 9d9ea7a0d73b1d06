// The Translation Completion Data Entry a unit returns for a Translation Request
// (PCIe Base Specification 6.0, 10.2.3.2, Table 10-2 for the size encoding): the
// engine's encoder. The device decodes with its own reader (models/pcie/atc_entry.h),
// written apart from this one so that a shared misreading cannot pass both tests.
#pragma once

#include <cstdint>

#include "models/iommu/translation.h"

namespace iommu {

// One 8-byte entry: bits 63:12 translated address, 11 S, 10 N, 5 Global, 4 Exe,
// 3 Priv, 2 U, 1 W, 0 R.
struct AtsCompletionFields {
    uint64_t addr = 0;       // translated base, aligned to size
    uint64_t size = 4096;    // power of two >= 4096
    bool read = false, write = false;
    bool untranslated_only = false;  // U
    bool priv = false, exec = false, global = false;
    bool no_snoop = false;           // N
};

uint64_t encode_ats_completion(const AtsCompletionFields& f);

// The entry for a unit's (non-fault) answer to a Translation Request `r`.
uint64_t ats_completion_of(const Request& r, const Result& res);

}  // namespace iommu
