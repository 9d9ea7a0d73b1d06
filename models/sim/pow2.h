// Powers of two, for geometries (cache sets, DRAM channels and banks, link sizes) that
// take a mask and a shift where they can and a division where they cannot.
#pragma once

#include <cstdint>

namespace sim {

constexpr bool is_pow2(uint64_t v) { return v && !(v & (v - 1)); }

// floor(log2(v)) for v > 0: the shift of a power of two.
constexpr unsigned log2_floor(uint64_t v) {
    unsigned n = 0;
    while (v >>= 1) ++n;
    return n;
}

}  // namespace sim
