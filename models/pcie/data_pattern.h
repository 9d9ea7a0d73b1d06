// The bytes a traffic generator writes and expects to read back: a pure function of
// the physical address and a seed, so any reader can check any byte without keeping a
// copy, in either timing mode and whatever order requests complete in.
#pragma once

#include <cstddef>
#include <cstdint>

namespace pcie {

// The 8 bytes at the 8-byte-aligned address `word_addr` (splitmix64 finalizer).
inline uint64_t pattern_word(uint64_t word_addr, uint64_t seed) {
    uint64_t z = (word_addr >> 3) + seed * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

inline uint8_t pattern_byte(uint64_t addr, uint64_t seed) {
    return uint8_t(pattern_word(addr & ~uint64_t(7), seed) >> (8 * (addr & 7)));
}

void fill_pattern(uint64_t addr, uint8_t* dst, size_t len, uint64_t seed);
// True when every byte of [addr, addr+len) holds the pattern.
bool matches_pattern(uint64_t addr, const uint8_t* src, size_t len, uint64_t seed);

}  // namespace pcie
