// Bit-field helpers for the AMD-Vi decoders: fields are written as in the
// specification, high:low inclusive.
#pragma once

#include <cstdint>

namespace amdvi {

constexpr uint64_t mask(unsigned hi, unsigned lo) { return ((hi >= 63 ? ~uint64_t(0) : (uint64_t(2) << hi) - 1)) & ~((uint64_t(1) << lo) - 1); }
constexpr uint64_t bits(uint64_t v, unsigned hi, unsigned lo) { return (v & mask(hi, lo)) >> lo; }
constexpr bool bit(uint64_t v, unsigned b) { return (v >> b) & 1; }

// A register field: bits [lo, lo + width).
struct Field {
    unsigned lo;
    unsigned width;
    constexpr uint64_t mask() const { return amdvi::mask(lo + width - 1, lo); }
    constexpr uint64_t get(uint64_t v) const { return (v & mask()) >> lo; }
    constexpr uint64_t put(uint64_t x) const { return (x << lo) & mask(); }
};

}  // namespace amdvi
