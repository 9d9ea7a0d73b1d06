// Memory attributes of a client transaction through an SMMUv3 (IHI 0070 chapter 13
// "Attribute Transformation"), reduced to what decides whether the access is coherent
// with the CPU caches (snooped): the memory type with its inner and outer
// cacheability, and the shareability. Plain C++, decoded from the architectural
// encodings (Arm ARM DDI0487 D8.6 "Memory region attributes": MAIR_ELx attribute
// bytes, stage 2 MemAttr[3:0], SH[1:0]; IHI 0070 §5.2 STE.MTCFG/MemAttr/SHCFG, §6.3
// SMMU_GBPA).
//
// The path (chapter 13): a PCIe request's incoming attributes are Normal Write-Back
// when it snoops and Normal Non-cacheable with No Snoop set (13.x "PCIe memory type
// attributes"); STE.MTCFG=1 replaces the incoming type with STE.MemAttr and SHCFG the
// shareability (with IDR1.ATTR_TYPES_OVR), GBPA's fields do the same with SMMUEN=0.
// Stage 1 replaces the type with MAIR[AttrIndx] and SH of its leaf, but a No Snoop
// that survives the overrides keeps the access Non-cacheable (so an SMMU alone cannot
// make No Snoop DMA coherent: Linux's arm_smmu_enforce_cache_coherency relies on the
// root complex, IORT CANWBS). Stage 2 combines with what comes in: the weaker type
// and cacheability, the wider shareability (D8.6.x "Combining stage 1 and stage 2
// attributes"). FEAT_S2FWB (IDR3.FWB) is not modelled.
#pragma once

#include <cstdint>

namespace smmuv3 {

// Cacheability of one level (inner or outer); ordered weakest-last for combining.
enum class Cacheability : uint8_t { WriteBack = 0, WriteThrough = 1, NonCacheable = 2 };
// Shareability (SH encoding, 0b01 reserved reads as non-shareable here).
enum class Share : uint8_t { None = 0, Outer = 2, Inner = 3 };

struct MemAttr {
    bool device = false;
    Cacheability inner = Cacheability::WriteBack, outer = Cacheability::WriteBack;
    Share sh = Share::Inner;
    // The incoming Non-cacheable came from the request's No Snoop and no override
    // replaced it: it still applies after stage 1 (see above).
    bool no_snoop = false;

    // Normal, inner and outer cacheable and shareable: the access is coherent with the
    // CPU caches. Write-Through counts as cacheable (the CPU caches may hold its lines;
    // a coherent interconnect snoops shareable cacheable transactions, as ACE-Lite's
    // AxCACHE/AxDOMAIN mapping does).
    bool coherent() const;
    bool operator==(const MemAttr& o) const {
        return device == o.device && inner == o.inner && outer == o.outer && sh == o.sh && no_snoop == o.no_snoop;
    }
};

// Normal-iWB-oWB-ISH, or with No Snoop Normal-iNC-oNC-OSH.
MemAttr pcie_incoming(bool no_snoop);
// A MAIR attribute byte (D8.6 MAIR_ELx.Attr<n>) with SH from the descriptor.
MemAttr from_mair(uint8_t attr, unsigned sh);
// A stage 2 MemAttr[3:0] (STE.MemAttr and GBPA.MemAttr use the same encoding).
MemAttr from_s2_memattr(unsigned memattr, unsigned sh);
// The STE or GBPA override: mtcfg replaces the type with memattr; shcfg 1 keeps the
// incoming shareability, 0/2/3 replace it (§5.2 SHCFG).
MemAttr override_incoming(const MemAttr& in, bool mtcfg, unsigned memattr, unsigned shcfg);
// Stage 2 combined over `in` (stage 1's output, or the incoming attributes).
MemAttr combine(const MemAttr& in, const MemAttr& s2);
// The output of a translation whose tables gave `translated` (stage 1 and stage 2
// already combined); stage 1 replaces the incoming type, stage 2 alone combines with it.
MemAttr translated_output(const MemAttr& incoming, const MemAttr& translated, bool stage1);

// A table or queue fetch's attributes from IRGN/ORGN-style fields (CD.IRGN0/ORGN0,
// STE.S1CIR/S1COR and S2IR0/S2OR0, SMMU_CR1.TABLE_IC/OC): 0b00 Non-cacheable, 0b01
// Write-Back, 0b10 Write-Through, 0b11 Write-Back (allocation hints aside).
MemAttr from_rgn(unsigned inner, unsigned outer, unsigned sh);

// Shareability from an SH[1:0] field.
Share share(unsigned sh);

}  // namespace smmuv3
