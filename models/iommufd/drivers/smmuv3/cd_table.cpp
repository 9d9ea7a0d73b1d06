// A device's CD table and its stage-1 STE (IHI 0070 3.4.3, 5.2, 5.4, 5.5), as Linux's
// arm_smmu_alloc_cd_tables, arm_smmu_get_cd_ptr and arm_smmu_make_cdtable_ste do it.
// Without a PASID attach in the engine only SSID 0, the RID's CD, is ever written; the
// table still has the format and size Linux gives the device.
#include "models/iommufd/drivers/smmuv3/encoding.h"
#include "models/iommufd/drivers/smmuv3/smmu_domain.h"
#include "models/iommufd/drivers/smmuv3/smmu_driver.h"

namespace iommufd::smmuv3 {

using namespace enc;

namespace {
// CFGI_CD: SubstreamID 31:12, StreamID 63:32; Leaf (dword 1 bit 0) when only the CD
// changed, clear when an L1 descriptor did (arm_smmu_sync_cd).
Cmd cfgi_cd(uint16_t sid, uint32_t ssid, bool leaf) {
    return {kOpCfgiCd | uint64_t(ssid) << 12 | uint64_t(sid) << 32, leaf ? 1u : 0u};
}
}  // namespace

// 2^ssid_bits CDs: linear when the unit lacks two-level CD tables (IDR0.CD2L) or they
// fit one leaf of 1024 CDs (CTXDESC_L2_ENTRIES), else an L1 table of descriptors whose
// leaves are made as substreams are used.
Errno Driver::alloc_cd_table(DeviceState& dev) {
    dev.s1cdmax = ssid_bits_;
    const uint64_t contexts = uint64_t(1) << ssid_bits_, leaf = uint64_t(1) << kCdSplit;
    dev.two_level = idr0_cd2l(idr_[0]) && contexts > leaf;
    dev.cd_table = alloc(dev.two_level ? (contexts + leaf - 1) / leaf * 8 : contexts * 64);
    return dev.cd_table ? Errno::Ok : Errno::NoMem;
}

// The CD of `ssid`; in a two-level table its leaf (64 KiB) is made on first use, its
// L1 descriptor (L2Ptr, V) written and invalidated, as an invalid one may be cached.
uint64_t Driver::cd_address(DeviceState& dev, uint16_t sid, uint32_t ssid) {
    if (!dev.two_level) return dev.cd_table + uint64_t(ssid) * 64;
    const uint64_t l1 = dev.cd_table + uint64_t(ssid >> kCdSplit) * 8;
    uint64_t desc = m_.read64(l1);
    if (!(desc & kL1CdV)) {
        const uint64_t l2 = alloc(uint64_t(64) << kCdSplit);
        if (!l2) return 0;
        desc = (l2 & kL1CdL2Ptr) | kL1CdV;
        write_entry(l1, desc);
        issue({cfgi_cd(sid, ssid, false)});
    }
    return (desc & kL1CdL2Ptr) + uint64_t(ssid & ((1u << kCdSplit) - 1)) * 64;
}

// The CD for SSID 0 first (CFGI_CD), then an STE pointing at the CD table (S1Fmt and
// S1CDMax of the table, S1DSS SSID0 so that DMA without a PASID uses the RID's CD, CD
// fetches write-back inner shareable, EATS 0b01 when the device gets ATS else 0, STRW
// NS-EL1; S1STALLD where stalls could be enabled) (CFGI_STE), as arm_smmu_make_cdtable_ste.
Errno Driver::attach_s1(SmmuDomain& d, uint16_t sid, uint64_t ste, bool ats) {
    DeviceState& dev = devices_[sid];
    if (!dev.cd_table && alloc_cd_table(dev) != Errno::Ok) return Errno::NoMem;
    const uint64_t at = cd_address(dev, sid, 0);
    if (!at) return Errno::NoMem;
    uint64_t cd[8];
    d.cd(cd);
    const bool stall = stall_enabled(sid);
    if (stall) cd[0] |= kCdS;  // arm_smmu_make_s1_cd with master->stall_enabled
    write_structure(at, cd, m_.read64(at) & kCdV, true, cfgi_cd(sid, 0, true));
    uint64_t s[8] = {};
    s[0] = 1 | uint64_t(kCfgS1) << 1 | (dev.two_level ? kS1Fmt64kL2 : kS1FmtLinear) << 4 |
           (dev.cd_table & kAddr51_6) | uint64_t(dev.s1cdmax) << 59;
    s[1] = kS1dssSsid0 | kCacheWb << 2 | kCacheWb << 4 | uint64_t(kShIsh) << 6 |
           (idr0_stall_model(idr_[0]) == 0 && !stall ? kSteS1Stalld : 0) | (ats ? kSteEatsTrans : 0);
    write_ste(sid, ste, s);
    return Errno::Ok;
}

bool Driver::stall_enabled(uint16_t sid) {
    const unsigned model = idr0_stall_model(idr_[0]);
    return model == 2 || (model == 0 && devices_[sid].caps.stall);
}

}  // namespace iommufd::smmuv3
