// A spec-derived SMMUv3 structure encoder, for the tests only: STEs, CDs, level-1
// descriptors and commands built from named fields at the bit positions of Arm IHI 0070
// (§5.1-§5.4, chapter 4). Written apart from the decoders in models/smmuv3 and from any
// driver, so that a misreading in one is caught by the other.
#pragma once

#include <array>
#include <cstdint>

namespace smmu_enc {

using Ste = std::array<uint64_t, 8>;
using Cd = std::array<uint64_t, 8>;
using Cmd = std::array<uint64_t, 2>;

// §5.2 Stream Table Entry.
struct SteFields {
    bool valid = true;
    unsigned config = 0b100;          // 0b000 abort, 0b100 bypass, 0b101 S1, 0b110 S2, 0b111 nested
    unsigned s1fmt = 0;
    uint64_t s1_context_ptr = 0;      // 64-byte aligned
    unsigned s1cdmax = 0;
    unsigned s1dss = 0, s1cir = 0, s1cor = 0, s1csh = 0;
    bool s1stalld = false;
    unsigned eats = 0, strw = 0;
    unsigned memattr = 0;
    bool mtcfg = false;
    unsigned alloccfg = 0, shcfg = 0, nscfg = 0, privcfg = 0, instcfg = 0;
    uint16_t s2vmid = 0;
    unsigned s2t0sz = 0, s2sl0 = 0, s2ir0 = 0, s2or0 = 0, s2sh0 = 0, s2tg = 0, s2ps = 0;
    bool s2aa64 = true, s2endi = false, s2affd = false, s2ptw = false, s2hd = false, s2ha = false;
    bool s2s = false, s2r = false;
    uint64_t s2ttb = 0;               // 16-byte aligned
};
Ste ste(const SteFields& f);

// §5.4 Context Descriptor.
struct CdFields {
    unsigned t0sz = 25, tg0 = 0, irgn0 = 0, orgn0 = 0, sh0 = 0;
    bool epd0 = false, endi = false, epd1 = true, valid = true;
    unsigned t1sz = 0, tg1 = 0;
    unsigned ips = 5;
    bool affd = false, wxn = false, uwxn = false, tbi0 = false, tbi1 = false, pan = false;
    bool aa64 = true, hd = false, ha = false, s = false, r = true, a = true, aset = false;
    uint16_t asid = 0;
    uint64_t ttb0 = 0, ttb1 = 0;
    uint64_t mair = 0, amair = 0;
};
Cd cd(const CdFields& f);

// §5.1 Level 1 Stream Table Descriptor and §5.3 Level 1 Context Descriptor.
uint64_t l1_std(unsigned span, uint64_t l2ptr);
uint64_t l1_cd(bool valid, uint64_t l2ptr);

// SMMU_STRTAB_BASE_CFG (§6.3).
uint32_t strtab_base_cfg(unsigned fmt, unsigned split, unsigned log2size);

// Chapter 4: one builder per command, fields named as in the spec's figures.
Cmd prefetch_config(uint32_t sid, bool ssv, uint32_t ssid);
Cmd prefetch_addr(uint32_t sid, bool ssv, uint32_t ssid, uint64_t addr, unsigned size, unsigned stride);
Cmd cfgi_ste(uint32_t sid, bool leaf);
Cmd cfgi_ste_range(uint32_t sid, unsigned range);
Cmd cfgi_all();
Cmd cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf);
Cmd cfgi_cd_all(uint32_t sid);
Cmd tlbi_nh_all(uint16_t vmid);
Cmd tlbi_nh_asid(uint16_t vmid, uint16_t asid);
struct TlbiRange {
    uint64_t addr = 0;
    bool leaf = false;
    unsigned num = 0, scale = 0, tg = 0, ttl = 0;
};
Cmd tlbi_nh_va(uint16_t vmid, uint16_t asid, const TlbiRange& r);
Cmd tlbi_nh_vaa(uint16_t vmid, const TlbiRange& r);
Cmd tlbi_el2_all();
Cmd tlbi_el2_asid(uint16_t asid);
Cmd tlbi_el2_va(uint16_t asid, const TlbiRange& r);
Cmd tlbi_el2_vaa(const TlbiRange& r);
Cmd tlbi_s12_vmall(uint16_t vmid);
Cmd tlbi_s2_ipa(uint16_t vmid, const TlbiRange& r);
Cmd tlbi_nsnh_all();
Cmd atc_inv(uint32_t sid, bool ssv, uint32_t ssid, bool global, uint64_t addr, unsigned size);
Cmd pri_resp(uint32_t sid, bool ssv, uint32_t ssid, unsigned prg_index, unsigned resp);
Cmd resume(uint32_t sid, uint16_t stag, bool ac, bool ab);
Cmd stall_term(uint32_t sid);
Cmd sync(unsigned cs, unsigned msh, unsigned msiattr, uint32_t msidata, uint64_t msiaddr);

// Chapter 8: one PRI queue entry read back, fields named as in the spec's figure.
struct PriqEntry {
    uint32_t sid = 0;
    uint32_t ssid = 0;
    bool ssv = false, priv = false, exec = false, read = false, write = false, last = false;
    unsigned prg_index = 0;
    uint64_t addr = 0;
};
PriqEntry priq_entry(uint64_t dw0, uint64_t dw1);

}  // namespace smmu_enc
