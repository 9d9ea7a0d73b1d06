// The Context Descriptor (IHI 0070 §5.4 "Context Descriptor"): 64 bytes, the stage-1
// translation context of one substream (TCR/TTBR/MAIR-like fields and the ASID).
// decode_cd extracts the fields; check_cd says whether it is ILLEGAL (C_BAD_CD, §7.3).
#pragma once

#include <cstdint>
#include <optional>

namespace smmuv3 {

struct Caps;

struct Cd {
    // Doubleword 0
    unsigned t0sz = 0;        // 5:0
    unsigned tg0 = 0;         // 7:6: 0 4K, 1 64K, 2 16K
    unsigned irgn0 = 0;       // 9:8
    unsigned orgn0 = 0;       // 11:10
    unsigned sh0 = 0;         // 13:12
    bool epd0 = false;        // 14: TTB0 walks disabled
    bool endi = false;        // 15: big-endian tables
    unsigned t1sz = 0;        // 21:16
    unsigned tg1 = 0;         // 23:22
    bool epd1 = false;        // 30
    bool v = false;           // 31
    unsigned ips = 0;         // 34:32
    bool affd = false;        // 35: access flag faults disabled
    bool wxn = false;         // 36
    bool uwxn = false;        // 37
    bool tbi0 = false;        // 38
    bool tbi1 = false;        // 39
    bool pan = false;         // 40
    bool aa64 = false;        // 41
    bool hd = false;          // 42
    bool ha = false;          // 43
    bool s = false;           // 44: stall on fault
    bool r = false;           // 45: record faults
    bool a = false;           // 46: abort (not RAZ/WI) on terminate
    bool aset = false;        // 47: shared ASID set
    uint16_t asid = 0;        // 63:48
    // Doubleword 1
    uint64_t ttb0 = 0;        // 51:4, the address
    // Doubleword 2
    uint64_t ttb1 = 0;        // 51:4
    // Doublewords 3 and 4
    uint64_t mair = 0;        // MAIR0 in 31:0, MAIR1 in 63:32
    uint64_t amair = 0;
};

Cd decode_cd(const uint64_t dw[8]);

// Why a CD is ILLEGAL (§5.4, the conditions listed with each field).
enum class CdIllegal {
    NotValid,             // V == 0
    Aarch32,              // AA64 == 0 and IDR0.TTF has no AArch32
    T0szOutOfRange,       // EPD0 == 0 and T0SZ outside the granule's range
    Tg0Unsupported,       // EPD0 == 0 and TG0 reserved or a granule IDR5 does not list
    EndiUnsupported,      // ENDI selects an endianness IDR0.TTENDIAN lacks
    StallInconsistent,    // S == 1 with STALL_MODEL 0b01, or S == 0 with 0b10
    AbortRequired,        // A == 0 with IDR0.TERM_MODEL == 1
    Ttb0BeyondIps,        // EPD0 == 0 and TTB0 above the effective IPS (min(IPS, OAS))
};

std::optional<CdIllegal> check_cd(const Cd& cd, const Caps& caps);
const char* cd_illegal_name(CdIllegal why);

// The effective stage-1 output size: min(IPS, IDR5.OAS) in bits (§5.4 CD.IPS).
unsigned cd_effective_ips_bits(const Cd& cd, const Caps& caps);

}  // namespace smmuv3
