// Replacement policies of the engine's set-associative caches (IOTLB, walk caches,
// context and PASID caches). The state lives here, outside the SetAssocCache template,
// so every instantiation shares one compiled copy of the policy logic.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "models/sim/rng.h"

namespace iommu {

enum class Replacement { Lru, PseudoLru, RoundRobin, Random };

// "lru", "plru", "round_robin", "random"; anything else throws sim::InputError.
Replacement parse_replacement(const std::string& name);
const char* to_string(Replacement policy);
std::vector<std::string> replacement_names();  // in enum order

// Per-set replacement state of one cache.
//   Lru         exact: a use stamp per way; the smallest stamp is the victim.
//   PseudoLru   tree PLRU: ways-1 node bits per set, each pointing at the half to
//               replace next; a use turns the nodes on its path away from it.
//               Needs a power-of-two number of ways.
//   RoundRobin  a per-set pointer that advances each time it picks a valid victim;
//               uses and fills into invalid ways leave it where it is.
//   Random      a uniform draw from a sim::Rng stream, made only when every way is
//               valid, so the draws depend only on the eviction history.
class ReplacementState {
public:
    // Throws sim::InputError("ways: ...") for PseudoLru with ways not a power of two.
    ReplacementState(Replacement policy, uint32_t sets, uint32_t ways, uint64_t seed,
                     const std::string& rng_stream);

    Replacement policy() const { return policy_; }

    // A hit or a fill used `way` of `set`.
    void touch(uint32_t set, uint32_t way);

    // The way a fill of `set` goes to: the lowest invalid way if any (no draw, no
    // state change), else the policy's choice. is_valid(way) -> bool.
    template <class IsValid>
    uint32_t victim(uint32_t set, IsValid&& is_valid) {
        for (uint32_t w = 0; w < ways_; ++w)
            if (!is_valid(w)) return w;
        return valid_victim(set);
    }

private:
    uint32_t valid_victim(uint32_t set);  // every way of `set` is valid
    uint32_t lru_victim(uint32_t set) const;
    uint32_t plru_victim(uint32_t set) const;

    Replacement policy_;
    uint32_t ways_;
    uint64_t clock_ = 0;              // Lru: last stamp handed out
    std::vector<uint64_t> stamps_;    // Lru: sets * ways
    std::vector<uint8_t> plru_bits_;  // PseudoLru: sets * ways, nodes 1..ways-1 (heap order)
    std::vector<uint32_t> next_;      // RoundRobin: sets
    sim::Rng rng_;                    // Random
};

}  // namespace iommu
