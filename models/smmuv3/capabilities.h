// The SMMU's capabilities as the structure checks need them, decoded from SMMU_IDR0,
// IDR1, IDR3 and IDR5 (IHI 0070 §6.3). Whether an STE or CD is ILLEGAL depends
// on them (§5.2, §5.4): a field selecting what the SMMU does not implement.
#pragma once

#include <cstdint>

namespace smmuv3 {

struct Caps {
    bool s1p = true, s2p = true;      // IDR0.S1P, S2P
    unsigned ttf = 2;                 // IDR0.TTF: AArch64 only
    bool cohacc = true;
    unsigned httu = 0;                // 0 none, 1 access flag, 2 access and dirty
    // IDR0.NS1ATS set means split-stage ATS (STE.EATS 0b10) is NOT supported (§5.2 EATS).
    bool hyp = false, ats = false, ns1ats = false, asid16 = true, vmid16 = true;
    bool atsrecerr = false;           // IDR0.ATSRECERR: CR2.REC_CFG_ATS records ATS config errors
    bool msi = false, sev = false, pri = false, cd2l = true;
    bool attr_types_ovr = true;       // IDR1.ATTR_TYPES_OVR: STE/GBPA MTCFG, MemAttr, SHCFG act
    unsigned ttendian = 0;            // 0 mixed, 2 little, 3 big
    unsigned stall_model = 1;         // 0 stall or terminate, 1 terminate only, 2 stall forced
    bool term_model = false;          // IDR0.TERM_MODEL: 1 = terminate always aborts (CD.A must be 1)
    unsigned st_level = 1;            // 1: two-level stream tables supported
    unsigned sidsize = 16, ssidsize = 20;  // IDR1
    unsigned cmdqs = 8, eventqs = 8, priqs = 8;
    bool stt = false, ril = true;     // IDR3.STT (small translation tables), RIL
    unsigned oas = 5;                 // IDR5.OAS encoding (5: 48 bits)
    bool gran4k = true, gran16k = true, gran64k = true;
    unsigned vax = 0;

    unsigned oas_bits() const;
    bool granule_supported(unsigned log2_granule) const;  // 12, 14 or 16
};

Caps decode_idrs(uint32_t idr0, uint32_t idr1, uint32_t idr3, uint32_t idr5);

// An address-size encoding (IDR5.OAS, CD.IPS, STE.S2PS: 0 32, 1 36, 2 40, 3 42, 4 44,
// 5 48, 6 52 bits; §6.3 SMMU_IDR5) as a bit count; the reserved 7 reads as 52 here.
unsigned address_size_bits(unsigned encoding);

}  // namespace smmuv3
