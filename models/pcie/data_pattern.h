// The bytes a traffic generator writes and expects to read back: a pure function of
// the physical address and a seed, so any reader can check any byte without keeping a
// copy, in either timing mode and whatever order requests complete in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pcie {

// A 4 KiB page's key: the splitmix64 finalizer of its page number and the seed.
inline uint64_t pattern_page_key(uint64_t addr, uint64_t seed) {
    uint64_t z = (addr >> 12) + seed * 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// An odd multiplier: word numbers times it differ for different words (a bijection).
constexpr uint64_t kPatternWordStep = 0xd6e8feb86659fd93ull;

// The 8 bytes at the 8-byte-aligned address `word_addr`: its page's key XOR its word
// number times an odd constant, so words differ within a page and pages differ by key,
// and a run of words costs an add and an XOR each (the hash runs once a page).
inline uint64_t pattern_word(uint64_t word_addr, uint64_t seed) {
    return pattern_page_key(word_addr, seed) ^ ((word_addr >> 3) * kPatternWordStep);
}

inline uint8_t pattern_byte(uint64_t addr, uint64_t seed) {
    return uint8_t(pattern_word(addr & ~uint64_t(7), seed) >> (8 * (addr & 7)));
}

void fill_pattern(uint64_t addr, uint8_t* dst, size_t len, uint64_t seed);
// True when every byte of [addr, addr+len) holds the pattern.
bool matches_pattern(uint64_t addr, const uint8_t* src, size_t len, uint64_t seed);

// The pattern of one address window, computed once: a device that writes and checks
// the same small window over and over copies and compares bytes instead of hashing
// every word again. Outside the window (or for a window over kMaxBytes, which is not
// kept) it computes the pattern as the functions above do.
class PatternCache {
public:
    static constexpr uint64_t kMaxBytes = 256 * 1024;
    PatternCache(uint64_t base, uint64_t len, uint64_t seed);
    void fill(uint64_t addr, uint8_t* dst, size_t len) const;
    bool matches(uint64_t addr, const uint8_t* src, size_t len) const;

private:
    bool inside(uint64_t addr, size_t len) const {
        return addr >= base_ && addr - base_ + len <= bytes_.size();
    }
    uint64_t base_, seed_;
    std::vector<uint8_t> bytes_;  // the pattern of [base_, base_ + size)
};

}  // namespace pcie
