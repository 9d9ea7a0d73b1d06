#include "models/pcie/atc_entry.h"

namespace pcie {

AtcEntry decode_atc_entry(uint64_t q) {
    AtcEntry e;
    e.r = q & 1;
    e.w = q >> 1 & 1;
    e.u = q >> 2 & 1;
    e.priv = q >> 3 & 1;
    e.exe = q >> 4 & 1;
    e.global = q >> 5 & 1;
    e.n = q >> 10 & 1;
    e.size = 4096;
    if (q >> 11 & 1) {
        unsigned k = 12;
        while (k < 62 && (q >> k & 1)) ++k;
        e.size = uint64_t(1) << (k + 1);
    }
    e.pa = q & ~uint64_t(0xfff) & ~(e.size - 1);
    return e;
}

}  // namespace pcie
