#include "models/smmuv3/walk_cache.h"

#include <string>

#include "models/smmuv3/command.h"

namespace smmuv3 {

WalkCaches::WalkCaches(const WalkCacheParams& p, uint64_t seed) {
    for (unsigned l = 0; l < kWalkCacheLevels; ++l) {
        const std::string s1 = "s1l" + std::to_string(l), s2 = "s2l" + std::to_string(l);
        s1_[l] = std::make_unique<WalkCache>(p.s1[l], seed, "smmuv3.walk_cache." + s1);
        s2_[l] = std::make_unique<WalkCache>(p.s2[l], seed, "smmuv3.walk_cache." + s2);
        add_child(s1, *s1_[l]);
        add_child(s2, *s2_[l]);
    }
}

WalkCaches::~WalkCaches() = default;

const WalkCacheValue* WalkCaches::find(bool s2, uint16_t vmid, uint16_t asid, uint64_t input,
                                       const Geometry& g, unsigned& level) {
    for (int l = int(kWalkCacheLevels) - 1; l >= int(g.start); --l) {
        const unsigned span = g.shift(unsigned(l));
        if (const WalkCacheValue* e = at(s2, unsigned(l)).lookup({vmid, asid, uint8_t(span), input >> span})) {
            level = unsigned(l);
            return e;
        }
    }
    return nullptr;
}

void WalkCaches::fill(bool s2, uint16_t vmid, uint16_t asid, uint64_t input, const Geometry& g,
                      unsigned level, const WalkCacheValue& v) {
    const unsigned span = g.shift(level);
    at(s2, level).fill({vmid, asid, uint8_t(span), input >> span}, v);
}

// §4.4, per command:
//   TLBI_NH_ALL / NH_ASID       stage 1 entries of the VMID (and ASID)
//   TLBI_NH_VA / NH_VAA         Leaf=0: stage 1 entries of the VMID (and ASID) whose span
//                               meets the address or range; Leaf=1 may keep them all
//   TLBI_S2_IPA                 Leaf=0: stage 2 entries of the VMID meeting the IPA or
//                               range; stage 1 entries need not go (they hold IPAs)
//   TLBI_S12_VMALL              every entry of the VMID, both stages
//   TLBI_NSNH_ALL               everything
//   TLBI_EL2_*                  EL2 entries: no EL2 regime is walked, none are held
// TTL (the level hint) only narrows what must go; it is not needed to be correct.
void WalkCaches::invalidate(const Command& c, uint16_t vmid, uint16_t asid) {
    const uint64_t lo = c.addr, hi = c.tlbi_last();
    const auto meets = [&](const WalkCacheKey& k) {
        const uint64_t first = k.prefix << k.span_log2, last = first + ((uint64_t(1) << k.span_log2) - 1);
        return first <= hi && last >= lo;
    };
    bool s1 = true, s2 = false;
    auto pred = [&](const WalkCacheKey& k) -> bool {
        switch (c.op) {
            case Opcode::TLBI_NH_ALL: case Opcode::TLBI_S12_VMALL: return k.vmid == vmid;
            case Opcode::TLBI_NH_ASID: return k.vmid == vmid && k.asid == asid;
            case Opcode::TLBI_NH_VA: return k.vmid == vmid && k.asid == asid && meets(k);
            case Opcode::TLBI_NH_VAA: case Opcode::TLBI_S2_IPA: return k.vmid == vmid && meets(k);
            default: return true;  // TLBI_NSNH_ALL
        }
    };
    switch (c.op) {
        case Opcode::TLBI_NH_VA: case Opcode::TLBI_NH_VAA:
            if (c.leaf) return;
            break;
        case Opcode::TLBI_S2_IPA:
            if (c.leaf) return;
            s1 = false, s2 = true;
            break;
        case Opcode::TLBI_S12_VMALL: case Opcode::TLBI_NSNH_ALL:
            s2 = true;
            break;
        case Opcode::TLBI_NH_ALL: case Opcode::TLBI_NH_ASID:
            break;
        default:
            return;  // TLBI_EL2_*, and anything that is not a TLBI
    }
    for (unsigned l = 0; l < kWalkCacheLevels; ++l) {
        if (s1) s1_[l]->invalidate_if([&](const WalkCacheKey& k, const WalkCacheValue&) { return pred(k); });
        if (s2) s2_[l]->invalidate_if([&](const WalkCacheKey& k, const WalkCacheValue&) { return pred(k); });
    }
}

}  // namespace smmuv3
