#include "models/pcie/data_pattern.h"

#include <cstring>

namespace pcie {

// Byte by byte at the unaligned edges, a word at a time in between.
void fill_pattern(uint64_t addr, uint8_t* dst, size_t len, uint64_t seed) {
    size_t i = 0;
    for (; i < len && ((addr + i) & 7); ++i) dst[i] = pattern_byte(addr + i, seed);
    for (; i + 8 <= len; i += 8) {
        const uint64_t w = pattern_word(addr + i, seed);  // little-endian host
        std::memcpy(dst + i, &w, 8);
    }
    for (; i < len; ++i) dst[i] = pattern_byte(addr + i, seed);
}

bool matches_pattern(uint64_t addr, const uint8_t* src, size_t len, uint64_t seed) {
    size_t i = 0;
    for (; i < len && ((addr + i) & 7); ++i)
        if (src[i] != pattern_byte(addr + i, seed)) return false;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        std::memcpy(&w, src + i, 8);
        if (w != pattern_word(addr + i, seed)) return false;
    }
    for (; i < len; ++i)
        if (src[i] != pattern_byte(addr + i, seed)) return false;
    return true;
}

}  // namespace pcie
