// PRI queue entries (IHI 0070 chapter 8 "Page request queue"): 16 bytes, two
// little-endian doublewords, one per PCIe Page Request the SMMU passes to software.
// Field positions as Linux PRIQ_0_* / PRIQ_1_* read them.
#pragma once

#include <array>
#include <cstdint>

namespace smmuv3 {

struct PageRequest {
    uint32_t sid = 0;         // dword 0, 31:0
    uint32_t ssid = 0;        // 51:32 (20 bits), meaningful with ssv
    bool priv = false;        // 58: privileged access requested
    bool exec = false;        // 59
    bool read = false;        // 60
    bool write = false;       // 61
    bool last = false;        // 62: last request of the page request group
    bool ssv = false;         // 63: SubstreamID valid (PASID present)
    unsigned prg_index = 0;   // dword 1, 8:0: page request group index
    uint64_t addr = 0;        // dword 1, 63:12: the page
};

std::array<uint64_t, 2> encode_page_request(const PageRequest& pr);

}  // namespace smmuv3
