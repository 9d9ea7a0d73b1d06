#include "models/pcie/atc.h"

#include "models/sim/error.h"
#include "models/sim/params.h"

namespace pcie {

void AtcParams::bind(sim::ParamBinder& b) {
    b.u32("atc.entries", entries, "", "ATS: translations the device's ATC holds", 1, 65536);
    b.u32("atc.ways", ways, "", "ATS: associativity of the ATC (entries/ways sets)", 1, 65536);
}

void AtcParams::validate() const {
    if (entries % ways) throw sim::InputError("atc.entries: must be a multiple of atc.ways");
}

Atc::Atc(const AtcParams& p, uint64_t seed, const std::string& stream)
    : cache_(p.entries / p.ways, p.ways, iommu::Replacement::Lru, seed, stream) {}

const AtcEntry* Atc::probe(const Key& k) { return cache_.lookup(k); }

const AtcEntry* Atc::lookup(bool pasid_valid, uint32_t pasid, uint64_t iova) {
    for (uint64_t s = sizes_; s; s &= s - 1) {
        const uint8_t lg = uint8_t(__builtin_ctzll(s));
        Key k{iova >> lg, lg, false, pasid_valid, pasid_valid ? pasid : 0};
        if (const AtcEntry* e = probe(k)) return ++hits_, e;
        if (!pasid_valid) continue;
        k.global = true;
        k.pasid_valid = false;
        k.pasid = 0;
        if (const AtcEntry* e = probe(k)) return ++hits_, e;
    }
    ++misses_;
    return nullptr;
}

// Global applies to PASID-tagged translations only (PCIe 10.2.3.2).
void Atc::fill(bool pasid_valid, uint32_t pasid, uint64_t iova, const AtcEntry& e) {
    if ((!e.r && !e.w) || e.u) return;
    const uint8_t lg = uint8_t(__builtin_ctzll(e.size));
    const bool global = pasid_valid && e.global;
    Key k{iova >> lg, lg, global, pasid_valid && !global, pasid_valid && !global ? pasid : 0};
    ++fills_;
    sizes_ |= uint64_t(1) << lg;
    cache_.insert(k, e);
}

size_t Atc::invalidate(const iommu::AtsInvalidation& inv) {
    ++invalidations_;
    const uint64_t last = inv.addr + inv.size - 1;
    const size_t n = cache_.invalidate_if([&](const Key& k, const AtcEntry&) {
        const uint64_t base = k.vpn << k.lg, end = base + ((uint64_t(1) << k.lg) - 1);
        if (inv.size && (end < inv.addr || base > last)) return false;
        if (!inv.pasid_valid) return true;
        return k.global ? inv.global : k.pasid_valid && k.pasid == inv.pasid;
    });
    invalidated_ += n;
    return n;
}

}  // namespace pcie
