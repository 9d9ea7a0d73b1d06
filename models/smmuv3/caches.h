// The SMMUv3 caches (IHI 0070 §3.21 "Structure and queue ownership", §16.2 caching):
// a configuration cache of decoded STEs (by StreamID) and CDs (by StreamID and
// SubstreamID), and a TLB of whole translations tagged by VMID and ASID (stage 1 and
// nested entries) or VMID alone (stage 2 entries). SetAssocCaches of the engine; they
// keep answering until a CFGI_* / TLBI_* command removes what they hold.
#pragma once

#include <cstdint>

#include "models/iommu/set_assoc_cache.h"
#include "models/smmuv3/cd.h"
#include "models/smmuv3/mem_attr.h"
#include "models/smmuv3/ste.h"

namespace smmuv3 {

// kSte: the STE of `sid`; otherwise the CD of (sid, ssid). A stream without
// substreams (S1CDMax 0) keeps its one CD at ssid 0.
struct ConfigKey {
    uint32_t sid = 0;
    uint32_t ssid = 0;
    bool cd = false;
    bool operator==(const ConfigKey& o) const { return sid == o.sid && ssid == o.ssid && cd == o.cd; }
};
struct ConfigValue {
    Ste ste;
    Cd cd;
};
struct ConfigIndex {
    uint64_t operator()(const ConfigKey& k) const { return k.sid ^ (uint64_t(k.ssid) << 3) ^ (k.cd ? 5 : 0); }
};
using ConfigCache = iommu::SetAssocCache<ConfigKey, ConfigValue, ConfigIndex>;

// One translation of an input page of 2^size_log2 bytes. s1: made through stage 1
// (alone or nested), tagged by ASID; otherwise a stage-2-only entry, asid 0.
struct TlbKey {
    uint16_t vmid = 0;
    uint16_t asid = 0;
    bool s1 = false;
    uint64_t vpn = 0;
    uint8_t size_log2 = 12;
    bool operator==(const TlbKey& o) const {
        return vpn == o.vpn && vmid == o.vmid && asid == o.asid && s1 == o.s1 && size_log2 == o.size_log2;
    }
};
struct TlbValue {
    uint64_t pa_base = 0;
    bool read = false, write = false;
    // The privilege and instruction attributes the walk was made for: stage 1
    // permissions depend on them, so a request with others walks again.
    bool priv = false, exec = false;
    // With hardware dirty state on, a write must walk (to set the dirty state) when the
    // filling walk was a read.
    bool write_walks = false;
    // The leaves' memory attributes: a hit decides snooping as the walk did.
    MemAttr attr;
};
struct TlbIndex {
    uint64_t operator()(const TlbKey& k) const {
        return k.vpn ^ (uint64_t(k.asid) << 7) ^ (uint64_t(k.vmid) << 11) ^ (uint64_t(k.size_log2) << 3);
    }
};
using Tlb = iommu::SetAssocCache<TlbKey, TlbValue, TlbIndex>;

}  // namespace smmuv3
