#include "models/sim/rng.h"

namespace sim {

namespace {

// FNV-1a, 64-bit: a stable hash of the stream name (std::hash may differ by library).
uint64_t fnv1a_64(std::string_view text) {
    uint64_t hash = 0xcbf29ce484222325ull;  // offset basis
    for (char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ull;  // FNV prime
    }
    return hash;
}

// splitmix64: advances the state by the golden-ratio increment and mixes it. Its
// outputs spread even a small seed over all 256 bits of xoshiro state, and never
// yield four zero words in a row (the one state xoshiro cannot leave).
uint64_t splitmix64(uint64_t& state) {
    state += 0x9e3779b97f4a7c15ull;
    uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

constexpr uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng::Rng(uint64_t seed, std::string_view stream) {
    uint64_t state = seed ^ fnv1a_64(stream);
    for (uint64_t& word : s_) word = splitmix64(state);
}

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

// The top 53 bits fill a double's mantissa exactly: multiples of 2^-53 in [0, 1).
double Rng::uniform01() { return double(next_u64() >> 11) * 0x1.0p-53; }

}  // namespace sim
