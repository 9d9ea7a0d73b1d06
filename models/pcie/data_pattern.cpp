#include "models/pcie/data_pattern.h"

#include <algorithm>
#include <cstring>

namespace pcie {

namespace {

// Calls f(k, word) for the pattern's words k = 0 .. n-1 from the 8-byte-aligned `addr`,
// while f returns true: a page's key once, then each word's product one step on.
template <class F>
bool each_word(uint64_t addr, size_t n, uint64_t seed, const F& f) {
    for (size_t k = 0; k < n;) {
        const uint64_t a = addr + 8 * k;
        const size_t end = k + std::min(n - k, size_t((4096 - (a & 0xfff)) / 8));
        const uint64_t key = pattern_page_key(a, seed);
        uint64_t step = (a >> 3) * kPatternWordStep;
        for (; k < end; ++k, step += kPatternWordStep)
            if (!f(k, key ^ step)) return false;
    }
    return true;
}

}  // namespace

// Byte by byte at the unaligned edges, a word at a time in between.
void fill_pattern(uint64_t addr, uint8_t* dst, size_t len, uint64_t seed) {
    size_t i = 0;
    for (; i < len && ((addr + i) & 7); ++i) dst[i] = pattern_byte(addr + i, seed);
    uint8_t* const words = dst + i;
    const size_t n = (len - i) / 8;
    each_word(addr + i, n, seed, [words](size_t k, uint64_t w) {
        std::memcpy(words + 8 * k, &w, 8);  // little-endian host
        return true;
    });
    for (i += 8 * n; i < len; ++i) dst[i] = pattern_byte(addr + i, seed);
}

bool matches_pattern(uint64_t addr, const uint8_t* src, size_t len, uint64_t seed) {
    size_t i = 0;
    for (; i < len && ((addr + i) & 7); ++i)
        if (src[i] != pattern_byte(addr + i, seed)) return false;
    const uint8_t* const words = src + i;
    const size_t n = (len - i) / 8;
    const bool same = each_word(addr + i, n, seed, [words](size_t k, uint64_t w) {
        uint64_t got;
        std::memcpy(&got, words + 8 * k, 8);
        return got == w;
    });
    if (!same) return false;
    for (i += 8 * n; i < len; ++i)
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
