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

// Per-set replacement state of one cache. Every operation is O(1) in the ways, except
// PseudoLru's O(log ways), so a fully associative cache replaces as cheaply as a 4-way set.
//   Lru         exact: a recency list per set, newest to oldest; the oldest way is the
//               victim (the one whose last use is the earliest).
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

    // A hit or a fill used `way` of `set`. Inline for LRU's commonest case, a use of
    // the way already newest (a hot entry hit again), which changes nothing.
    void touch(uint32_t set, uint32_t way) {
        if (policy_ == Replacement::Lru && newest_[set] == way) return;
        touch_slow(set, way);
    }

    // The policy's choice of the way a fill of `set` displaces, when every way of `set`
    // is valid (a fill goes to the set's lowest invalid way first, without asking: no
    // draw, no state change).
    uint32_t victim(uint32_t set);

private:
    void touch_slow(uint32_t set, uint32_t way);
    void lru_touch(uint32_t set, uint32_t way);
    uint32_t plru_victim(uint32_t set) const;

    Replacement policy_;
    uint32_t ways_;
    // Lru: per set its newest and oldest way; per way (sets * ways) its older and newer
    // neighbour in its set's list. A valid way has been used since it was filled, so
    // once a set is full the list orders its entries by last use.
    std::vector<uint32_t> newest_, oldest_;
    std::vector<uint32_t> older_, newer_;
    std::vector<uint8_t> plru_bits_;  // PseudoLru: sets * ways, nodes 1..ways-1 (heap order)
    std::vector<uint32_t> next_;      // RoundRobin: sets
    sim::Rng rng_;                    // Random
};

}  // namespace iommu
