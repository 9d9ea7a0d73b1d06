// The Extended Feature Register fields a platform fixes (§3.4.6), decoded, and the
// EFR value they make. The unit follows the fields its model uses: HATS (how many host
// levels a DTE Mode may ask for), GTSup, PPRSup, HASup/HDSup (host access and dirty
// updates); the others are reported to software as strapped.
#pragma once

#include <cstdint>

namespace amdvi {

struct Features {
    bool pref_sup = false;
    bool ppr_sup = false;
    bool xt_sup = false;
    bool nx_sup = false;
    bool gt_sup = false;
    bool ia_sup = false;
    bool ga_sup = false;
    bool he_sup = false;
    bool pc_sup = false;
    uint32_t hats = 0;     // 0: 4 levels, 1: 5, 2: 6
    uint32_t gats = 0;     // 0: 4-level guest tables, 1: 5-level
    uint32_t glx_sup = 0;  // 0: one-level GCR3 table, 1: two-level
    uint32_t smif_sup = 0;
    uint32_t smif_rc = 0;
    uint32_t gam_sup = 0;
    uint32_t pas_max = 0;
    bool us_sup = false;
    bool gio_sup = false;
    bool ha_sup = false;
    bool hd_sup = false;
    bool eph_sup = false;
    bool snp_sup = false;

    // The deepest host table a DTE Mode may name: HATS + 4 (Linux amd_iommu_hpt_level).
    unsigned max_host_levels() const { return hats + 4; }
};

uint64_t encode_efr(const Features& f);
Features decode_efr(uint64_t efr);

}  // namespace amdvi
