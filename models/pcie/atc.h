// The device's Address Translation Cache (PCIe Base Specification 6.0, 10.2 and
// 10.3): the translations Translation Completions returned, each covering its whole
// range (4 KiB up to a large page), tagged by PASID (or none), Global entries shared
// by every PASID. Set-associative (SetAssocCache, indexed by the page number of the
// entry's own size); a lookup probes once per entry size the cache has held.
//
// Invalidation follows the Invalidate Request Message (AtsInvalidation, ats.h):
// entries overlapping [addr, addr + size) (size 0: all); with a PASID the entries of
// that PASID, and Global entries too when `global`; without a PASID the entries of
// every PASID, as PCIe 10.3.1 has it for a request without a PASID prefix.
//
// Statistics: hits, misses, fills, invalidations (requests received),
// invalidated_entries.
#pragma once

#include <cstdint>

#include "models/iommu/ats.h"
#include "models/iommu/set_assoc_cache.h"
#include "models/pcie/atc_entry.h"
#include "models/sim/stats.h"

namespace sim { class ParamBinder; }

namespace pcie {

struct AtcParams {
    uint32_t entries = 64;  // translations held
    uint32_t ways = 4;      // associativity; entries / ways sets

    void bind(sim::ParamBinder& b);
    // Throws sim::InputError("NAME: reason") when entries is not a multiple of ways.
    void validate() const;
};

class Atc : public sim::StatGroup {
public:
    Atc(const AtcParams& p, uint64_t seed, const std::string& stream);

    // The entry translating `iova` for the PASID (pasid_valid) or none; nullptr on a
    // miss. Counts a hit or a miss.
    const AtcEntry* lookup(bool pasid_valid, uint32_t pasid, uint64_t iova);
    // Caches `e`, the completion of a Translation Request for `iova`. An entry without
    // access (R=W=0) or for untranslated access only (U) is not cached.
    void fill(bool pasid_valid, uint32_t pasid, uint64_t iova, const AtcEntry& e);
    // Drops what `inv` names; returns how many entries went.
    size_t invalidate(const iommu::AtsInvalidation& inv);
    size_t size() const { return cache_.size(); }

private:
    struct Key {
        uint64_t vpn = 0;  // iova >> lg
        uint8_t lg = 12;   // log2 of the entry's size
        bool global = false, pasid_valid = false;
        uint32_t pasid = 0;
        bool operator==(const Key& o) const {
            return vpn == o.vpn && lg == o.lg && global == o.global &&
                   pasid_valid == o.pasid_valid && pasid == o.pasid;
        }
    };
    struct Index {
        uint64_t operator()(const Key& k) const { return k.vpn ^ k.pasid; }
    };
    const AtcEntry* probe(const Key& k);

    iommu::SetAssocCache<Key, AtcEntry, Index> cache_;
    uint64_t sizes_ = 0;  // bit lg set: some entry of 2^lg bytes has been cached

    sim::Counter hits_{*this, "hits", "", "requests whose translation the ATC held"};
    sim::Counter misses_{*this, "misses", "", "requests that needed a Translation Request"};
    sim::Counter fills_{*this, "fills", "", "translations cached"};
    sim::Counter invalidations_{*this, "invalidations", "", "Invalidate Requests received"};
    sim::Counter invalidated_{*this, "invalidated_entries", "", "entries they removed"};
};

}  // namespace pcie
