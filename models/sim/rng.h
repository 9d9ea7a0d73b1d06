// Deterministic random numbers. One --seed decides everything: each model draws from
// its own stream, derived from the seed and the model's name, so adding a device does
// not change the numbers another device sees. xoshiro256** (Blackman and Vigna),
// seeded through splitmix64; bounded draws use Lemire's multiply-shift with rejection,
// so results do not depend on the standard library's distribution implementations.
#pragma once

#include <cstdint>
#include <string_view>

namespace sim {

class Rng {
public:
    Rng(uint64_t seed, std::string_view stream);
    uint64_t next_u64();
    // Uniform in [0, n); n > 0.
    uint64_t uniform(uint64_t n);
    // Uniform in [0, 1).
    double uniform01();
    // true with probability p
    bool chance(double p) { return uniform01() < p; }

private:
    uint64_t s_[4];
};

}  // namespace sim
