#include "models/amdvi/features.h"

#include "models/amdvi/regs.h"

namespace amdvi {
namespace {

// Each strapped EFR field and the Features member that holds it.
struct FlagField {
    Field field;
    bool Features::*member;
};
struct NumberField {
    Field field;
    uint32_t Features::*member;
};

constexpr FlagField kFlags[] = {
    {efr::PREF_SUP, &Features::pref_sup}, {efr::PPR_SUP, &Features::ppr_sup}, {efr::XT_SUP, &Features::xt_sup},
    {efr::NX_SUP, &Features::nx_sup},     {efr::GT_SUP, &Features::gt_sup},   {efr::IA_SUP, &Features::ia_sup},
    {efr::GA_SUP, &Features::ga_sup},     {efr::HE_SUP, &Features::he_sup},   {efr::PC_SUP, &Features::pc_sup},
    {efr::US_SUP, &Features::us_sup},     {efr::GIO_SUP, &Features::gio_sup}, {efr::HA_SUP, &Features::ha_sup},
    {efr::HD_SUP, &Features::hd_sup},     {efr::EPH_SUP, &Features::eph_sup}, {efr::SNP_SUP, &Features::snp_sup}};
constexpr NumberField kNumbers[] = {
    {efr::HATS, &Features::hats},         {efr::GATS, &Features::gats},       {efr::GLX_SUP, &Features::glx_sup},
    {efr::SMIF_SUP, &Features::smif_sup}, {efr::SMIF_RC, &Features::smif_rc}, {efr::GAM_SUP, &Features::gam_sup},
    {efr::PAS_MAX, &Features::pas_max}};

}  // namespace

uint64_t encode_efr(const Features& f) {
    uint64_t v = 0;
    for (const FlagField& x : kFlags) v |= x.field.put(f.*x.member);
    for (const NumberField& x : kNumbers) v |= x.field.put(f.*x.member);
    return v;
}

Features decode_efr(uint64_t v) {
    Features f;
    for (const FlagField& x : kFlags) f.*x.member = x.field.get(v);
    for (const NumberField& x : kNumbers) f.*x.member = uint32_t(x.field.get(v));
    return f;
}

}  // namespace amdvi
