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

PatternCache::PatternCache(uint64_t base, uint64_t len, uint64_t seed) : base_(base), seed_(seed) {
    if (len > kMaxBytes) return;
    bytes_.resize(len);
    fill_pattern(base, bytes_.data(), len, seed);
}

void PatternCache::fill(uint64_t addr, uint8_t* dst, size_t len) const {
    if (inside(addr, len))
        std::memcpy(dst, bytes_.data() + (addr - base_), len);
    else
        fill_pattern(addr, dst, len, seed_);
}

bool PatternCache::matches(uint64_t addr, const uint8_t* src, size_t len) const {
    if (inside(addr, len)) return std::memcmp(src, bytes_.data() + (addr - base_), len) == 0;
    return matches_pattern(addr, src, len, seed_);
}

}  // namespace pcie
