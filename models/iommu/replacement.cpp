#include "models/iommu/replacement.h"

#include "models/sim/error.h"
#include "models/sim/pow2.h"

namespace iommu {

namespace {

struct PolicyName {
    Replacement policy;
    const char* name;
};

constexpr PolicyName kPolicies[] = {
    {Replacement::Lru, "lru"},
    {Replacement::PseudoLru, "plru"},
    {Replacement::RoundRobin, "round_robin"},
    {Replacement::Random, "random"},
};


}  // namespace

Replacement parse_replacement(const std::string& name) {
    for (const PolicyName& p : kPolicies)
        if (name == p.name) return p.policy;
    throw sim::InputError("replacement: '" + sim::printable_input(name) +
                          "' is not one of lru|plru|round_robin|random");
}

const char* to_string(Replacement policy) {
    for (const PolicyName& p : kPolicies)
        if (p.policy == policy) return p.name;
    return "?";
}

std::vector<std::string> replacement_names() {
    std::vector<std::string> names;
    for (const PolicyName& p : kPolicies) names.emplace_back(p.name);
    return names;
}

ReplacementState::ReplacementState(Replacement policy, uint32_t sets, uint32_t ways,
                                   uint64_t seed, const std::string& rng_stream)
    : policy_(policy), ways_(ways), rng_(seed, rng_stream) {
    const size_t entries = size_t(sets) * ways;
    switch (policy) {
    case Replacement::Lru:
        // Each set's list starts as way 0 (newest) .. ways-1 (oldest).
        newest_.assign(sets, 0);
        oldest_.assign(sets, ways - 1);
        older_.resize(entries);
        newer_.resize(entries);
        for (size_t i = 0; i < entries; ++i) {
            const uint32_t way = uint32_t(i % ways);
            older_[i] = way + 1;  // past the oldest: never read
            newer_[i] = way - 1;  // before the newest: never read
        }
        break;
    case Replacement::PseudoLru:
        if (!sim::is_pow2(ways))
            throw sim::InputError("ways: plru needs a power-of-two number of ways");
        plru_bits_.assign(entries, 0);  // node 0 unused: a heap of ways-1 nodes
        break;
    case Replacement::RoundRobin:
        next_.assign(sets, 0);
        break;
    case Replacement::Random:
        break;
    }
}

void ReplacementState::touch_slow(uint32_t set, uint32_t way) {
    switch (policy_) {
    case Replacement::Lru:
        lru_touch(set, way);
        break;
    case Replacement::PseudoLru: {
        // Walk from the root (node 1) to the leaf of `way`; the leaves are nodes
        // ways..2*ways-1. Each node's bit says where the victim is: 0 left, 1 right.
        uint8_t* bits = &plru_bits_[size_t(set) * ways_];
        for (uint32_t node = way + ways_; node > 1; node /= 2)
            bits[node / 2] = (node & 1) ? 0 : 1;  // we came from the right: point left
        break;
    }
    case Replacement::RoundRobin:
    case Replacement::Random:
        break;
    }
}

// Moves `way` to the front of its set's list.
void ReplacementState::lru_touch(uint32_t set, uint32_t way) {
    const uint32_t newest = newest_[set];
    if (way == newest) return;
    uint32_t* older = &older_[size_t(set) * ways_];
    uint32_t* newer = &newer_[size_t(set) * ways_];
    // Unlink: `way` is not the newest, so it has a newer neighbour.
    const uint32_t n = newer[way], o = older[way];
    older[n] = o;
    if (way == oldest_[set])
        oldest_[set] = n;
    else
        newer[o] = n;
    older[way] = newest;
    newer[newest] = way;
    newest_[set] = way;
}

uint32_t ReplacementState::victim(uint32_t set) {
    switch (policy_) {
    case Replacement::Lru:
        return oldest_[set];
    case Replacement::PseudoLru:
        return plru_victim(set);
    case Replacement::RoundRobin: {
        const uint32_t way = next_[set];
        next_[set] = (way + 1) % ways_;
        return way;
    }
    case Replacement::Random:
        return uint32_t(rng_.uniform(ways_));
    }
    return 0;
}

uint32_t ReplacementState::plru_victim(uint32_t set) const {
    const uint8_t* bits = &plru_bits_[size_t(set) * ways_];
    uint32_t node = 1;
    while (node < ways_) node = 2 * node + bits[node];
    return node - ways_;
}

}  // namespace iommu
