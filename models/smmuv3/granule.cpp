#include "models/smmuv3/granule.h"

#include "models/smmuv3/capabilities.h"

namespace smmuv3 {

unsigned tg0_log2_granule(unsigned tg) {
    switch (tg & 3) {
        case 0: return 12;
        case 1: return 16;
        case 2: return 14;
        default: return 0;
    }
}

unsigned txsz_min(unsigned log2_granule, bool input52) { return (input52 && log2_granule == 16) ? 12 : 16; }

unsigned txsz_max(unsigned log2_granule, bool stt) {
    if (!stt) return 39;
    return log2_granule == 16 ? 47 : 48;
}

unsigned txsz_max(unsigned log2_granule, const Caps& caps) { return txsz_max(log2_granule, caps.stt); }

int s2_start_level(unsigned sl0, unsigned log2_granule) {
    if (sl0 > 2) return -1;
    const int top = log2_granule == 12 ? 2 : 3;  // SL0 == 0 starts here
    return top - int(sl0);
}

bool s2_start_level_allowed(unsigned sl0, unsigned log2_granule, unsigned pa_max_bits) {
    if (sl0 > 2) return false;
    if (sl0 == 2) return pa_max_bits >= (log2_granule == 14 ? 42u : 44u);
    return true;
}

bool s2_start_level_consistent(int level, unsigned log2_granule, unsigned t0sz) {
    if (level < 0 || level > 3 || t0sz > 64) return false;
    const unsigned stride = log2_granule - 3;              // 8-byte descriptors
    const unsigned levels = unsigned(3 - level);           // levels below the start
    const unsigned min_ia = levels * stride + log2_granule + 1;
    const unsigned max_ia = min_ia + (stride - 1) + 4;     // up to 2^4 concatenated tables
    const unsigned ia = 64 - t0sz;
    return ia >= min_ia && ia <= max_ia;
}

}  // namespace smmuv3
