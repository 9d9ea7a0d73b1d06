// Simulated time in the functional cores: integer picoseconds, so that arithmetic is
// exact and identical in both timing modes. The SystemC time resolution is set to
// 1 ps (set_time_resolution()), so ps convert to sc_time without rounding.
#pragma once

#include <cmath>
#include <cstdint>

namespace sim {

using ps_t = uint64_t;

constexpr ps_t kPsPerNs = 1000;

inline ps_t ns_to_ps(double ns) { return ps_t(std::llround(ns * 1000.0)); }
inline double ps_to_ns(ps_t ps) { return double(ps) / 1000.0; }

// Time to move `bytes` at `gbit_per_s` gigabits per second, rounded to the nearest ps.
inline ps_t transfer_ps(uint64_t bytes, double gbit_per_s) {
    return ps_t(std::llround(double(bytes) * 8000.0 / gbit_per_s));
}

// Gigabits per second of `bytes` moved from `start` to `end` (0 when no time passed).
inline double gbps(uint64_t bytes, ps_t start, ps_t end) {
    return end > start ? double(bytes) * 8000.0 / double(end - start) : 0.0;
}

}  // namespace sim
