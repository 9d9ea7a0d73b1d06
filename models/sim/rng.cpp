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

}  // namespace

Rng::Rng(uint64_t seed, std::string_view stream) {
    uint64_t state = seed ^ fnv1a_64(stream);
    for (uint64_t& word : s_) word = splitmix64(state);
}

}  // namespace sim
