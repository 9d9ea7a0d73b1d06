// The hardware's reading of flat_spec.h: register offsets, fields and fault reasons.
// Only the unit includes this; the driver keeps its own copy of the numbers.
#pragma once

#include <cstdint>

namespace flat {

namespace reg {
constexpr uint32_t CAP = 0x000, CTRL = 0x008, STATUS = 0x00C, DEVTAB = 0x010;
constexpr uint32_t INV = 0x018, INV_ADDR = 0x020, FSTS = 0x028;
constexpr uint32_t FREC = 0x100;     // FREC_ADDR[i] = FREC + 16 i, FREC_INFO[i] = +8
constexpr uint32_t FREC_STRIDE = 16;
}  // namespace reg

namespace cap {
inline unsigned iova_bits(uint64_t c) { return unsigned(c & 0x3f); }
inline unsigned records(uint64_t c) { return unsigned((c >> 8) & 0xf) + 1; }
inline bool sc(uint64_t c) { return (c >> 16) & 1; }
inline bool coh(uint64_t c) { return (c >> 17) & 1; }
inline bool ats(uint64_t c) { return (c >> 18) & 1; }
inline uint64_t make(unsigned iova_bits, unsigned records, bool sc, bool coh) {
    return (iova_bits & 0x3f) | uint64_t((records - 1) & 0xf) << 8 | uint64_t(sc) << 16 |
           uint64_t(coh) << 17;
}
}  // namespace cap

constexpr uint32_t CTRL_EN = 1, STATUS_ENS = 1;
constexpr uint32_t FSTS_PF = 1, FSTS_OVF = 2;
constexpr uint64_t ADDR_47_12 = 0x0000'ffff'ffff'f000;  // DEVTAB, TABLE, FRAME
constexpr uint64_t BIT63 = uint64_t(1) << 63;

namespace inv {
enum Type : unsigned { ALL = 1, DEVICE = 2, DOMAIN = 3, PAGE = 4, ATC_PAGE = 5, ATC_ALL = 6 };
inline unsigned type(uint64_t v) { return unsigned(v & 7); }
inline uint16_t sid(uint64_t v) { return uint16_t(v >> 16); }
inline uint16_t did(uint64_t v) { return uint16_t(v >> 32); }
constexpr uint64_t ERR = uint64_t(1) << 62, GO = BIT63;
constexpr uint64_t FIELDS = 0x0000'ffff'ffff'0007;  // TYPE, SID, DID as written
}  // namespace inv

// Device-table entry.
namespace dte {
constexpr uint64_t V = 1, T = 2, EATS = 4;
inline uint64_t table(uint64_t e) { return e & ADDR_47_12; }
inline uint16_t did(uint64_t e) { return uint16_t(e >> 48); }
}  // namespace dte

// Page-table entry.
namespace pte {
constexpr uint64_t R = 1, W = 2, SNP = 4;
inline uint64_t frame(uint64_t e) { return e & ADDR_47_12; }
}  // namespace pte

// Fault reasons.
namespace fault {
enum : uint32_t {
    DEVICE_INVALID = 1,
    IOVA_RANGE = 2,
    NOT_PRESENT = 3,
    WRITE = 4,
    READ = 5,
    TABLE_READ = 6,
    DEVICE_BLOCKED = 7,
    ATS_DISABLED = 8,
};
}  // namespace fault

}  // namespace flat
