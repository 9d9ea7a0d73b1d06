#include "models/smmuv3/stream_table.h"

#include <algorithm>

#include "models/smmuv3/capabilities.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/ste.h"

namespace smmuv3 {

StreamTableConfig decode_strtab(uint64_t base, uint32_t cfg, const Caps& caps) {
    StreamTableConfig st;
    st.base = strtab_base::ADDR.get(base) << 6;
    st.ra = base & strtab_base::RA;
    st.fmt = unsigned(strtab_base_cfg::FMT.get(cfg));
    st.two_level = st.fmt == strtab_base_cfg::FMT_2LVL;
    // §6.3 SMMU_STRTAB_BASE_CFG: LOG2SIZE above IDR1.SIDSIZE behaves as SIDSIZE.
    st.log2size = std::min(unsigned(strtab_base_cfg::LOG2SIZE.get(cfg)), caps.sidsize);
    st.split_field = unsigned(strtab_base_cfg::SPLIT.get(cfg));
    // §6.3 SMMU_STRTAB_BASE_CFG: SPLIT 6, 8, 10 give 4K, 16K, 64K level-2 tables; other values are reserved.
    st.split_reserved = st.split_field != 6 && st.split_field != 8 && st.split_field != 10;
    st.split = st.split_reserved ? 6 : st.split_field;
    return st;
}

L1Std decode_l1_std(uint64_t desc) {
    L1Std d;
    d.span = unsigned(desc & 0x1f);
    d.l2ptr = desc & ((uint64_t(1) << 52) - 1) & ~uint64_t(0x3f);
    return d;
}

L1Cd decode_l1_cd(uint64_t desc) {
    L1Cd d;
    d.v = desc & 1;
    d.l2ptr = desc & ((uint64_t(1) << 52) - 1) & ~uint64_t(0xfff);
    return d;
}

const char* step_name(Step s) {
    switch (s) {
        case Step::ReadL1: return "read-l1";
        case Step::Entry: return "entry";
        case Step::BadStreamId: return "C_BAD_STREAMID";
        case Step::BadSubstreamId: return "C_BAD_SUBSTREAMID";
        case Step::StreamDisabled: return "F_STREAM_DISABLED";
        case Step::BypassStage1: return "bypass-stage1";
    }
    return "?";
}

Lookup locate_ste(const StreamTableConfig& st, uint32_t sid) {
    if (st.log2size < 32 && (uint64_t(sid) >> st.log2size) != 0) return {Step::BadStreamId, 0};
    if (!st.two_level) return {Step::Entry, st.base + uint64_t(sid) * 64};
    return {Step::ReadL1, st.base + (uint64_t(sid) >> st.split) * 8};
}

Lookup locate_ste_l2(const StreamTableConfig& st, uint32_t sid, uint64_t l1_desc) {
    const L1Std d = decode_l1_std(l1_desc);
    const uint64_t index = sid & ((uint64_t(1) << st.split) - 1);
    if (!d.valid() || index >= d.l2_entries()) return {Step::BadStreamId, 0};
    return {Step::Entry, d.l2ptr + index * 64};
}

namespace {
unsigned cd_split(const Ste& ste) { return ste.s1fmt == s1fmt::TWO_LEVEL_64K ? 10 : 6; }
}  // namespace

Lookup locate_cd(const Ste& ste, bool ssv, uint32_t ssid) {
    const uint64_t base = ste.s1_context_ptr;
    if (ste.s1cdmax == 0) {
        if (ssv) return {Step::BadSubstreamId, 0};
        return {Step::Entry, base};
    }
    if (!ssv) {
        if (ste.s1dss == s1dss::TERMINATE) return {Step::StreamDisabled, 0};
        if (ste.s1dss == s1dss::BYPASS) return {Step::BypassStage1, 0};
        ssid = 0;  // S1DSS == 0b10: substream 0's CD (0b11 is reserved: treated as 0b10)
    } else {
        if ((uint64_t(ssid) >> ste.s1cdmax) != 0) return {Step::BadSubstreamId, 0};
        if (ssid == 0 && ste.s1dss == s1dss::SSID0) return {Step::BadSubstreamId, 0};
    }
    if (ste.s1fmt == s1fmt::LINEAR) return {Step::Entry, base + uint64_t(ssid) * 64};
    return {Step::ReadL1, base + (uint64_t(ssid) >> cd_split(ste)) * 8};
}

Lookup locate_cd_l2(const Ste& ste, uint32_t ssid, uint64_t l1_desc) {
    const L1Cd d = decode_l1_cd(l1_desc);
    if (!d.v) return {Step::BadSubstreamId, 0};
    const uint64_t index = ssid & ((uint64_t(1) << cd_split(ste)) - 1);
    return {Step::Entry, d.l2ptr + index * 64};
}

}  // namespace smmuv3
