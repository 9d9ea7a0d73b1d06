// Bit-field extraction for the SMMUv3 decoders: fields are written as in the spec,
// high:low inclusive.
#pragma once

#include <cstdint>

namespace smmuv3 {

inline uint64_t bits(uint64_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((uint64_t(2) << (hi - lo)) - 1); }
inline bool bit(uint64_t v, unsigned b) { return (v >> b) & 1; }
// value placed in bits hi:lo.
inline uint64_t place(uint64_t value, unsigned hi, unsigned lo) { return (value & ((uint64_t(2) << (hi - lo)) - 1)) << lo; }

}  // namespace smmuv3
