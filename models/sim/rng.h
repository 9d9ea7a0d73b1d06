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
    // Inline: devices draw once or twice per DMA, a call each was a tenth of the draw.
    inline uint64_t next_u64();
    // Uniform in [0, n); n > 0.
    inline uint64_t uniform(uint64_t n);
    // Uniform in [0, 1).
    double uniform01() { return double(next_u64() >> 11) * 0x1.0p-53; }
    // true with probability p
    bool chance(double p) { return uniform01() < p; }

private:
    static constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

// xoshiro256**: scrambled output rotl(s1 * 5, 7) * 9, then the xorshift-rotate step.
uint64_t Rng::next_u64() {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
}

// Lemire's nearly-divisionless method: the high word of x * n is uniform in [0, n) once
// the low words that would over-represent some results (low < 2^64 mod n) are
// rejected. The modulo is computed only when a rejection is possible at all.
uint64_t Rng::uniform(uint64_t n) {
    unsigned __int128 product = static_cast<unsigned __int128>(next_u64()) * n;
    uint64_t low = static_cast<uint64_t>(product);
    if (low < n) {
        const uint64_t threshold = (0 - n) % n;  // 2^64 mod n
        while (low < threshold) {
            product = static_cast<unsigned __int128>(next_u64()) * n;
            low = static_cast<uint64_t>(product);
        }
    }
    return static_cast<uint64_t>(product >> 64);
}

}  // namespace sim
