#include "models/amdvi/straps.h"

#include "models/sim/error.h"
#include "models/sim/params.h"

namespace amdvi {

Features Straps::typical() {
    Features f;
    f.ppr_sup = f.xt_sup = f.nx_sup = f.gt_sup = f.ia_sup = f.ga_sup = f.pc_sup = true;
    f.hats = 2;
    f.glx_sup = 1;
    f.smif_sup = 1;
    f.gam_sup = 1;
    f.pas_max = 15;
    f.us_sup = f.gio_sup = f.ha_sup = f.hd_sup = f.eph_sup = true;
    return f;
}

void Straps::bind(sim::ParamBinder& b) {
    Features& f = efr;
    b.flag("pref_sup", f.pref_sup, "EFR.PrefSup: PREFETCH_IOMMU_PAGES");
    b.flag("ppr_sup", f.ppr_sup, "EFR.PPRSup: peripheral page requests");
    b.flag("xt_sup", f.xt_sup, "EFR.XTSup: x2APIC interrupts");
    b.flag("nx_sup", f.nx_sup, "EFR.NXSup: no-execute and privilege protection");
    b.flag("gt_sup", f.gt_sup, "EFR.GTSup: guest (GCR3) translation");
    b.flag("ia_sup", f.ia_sup, "EFR.IASup: INVALIDATE_IOMMU_ALL");
    b.flag("ga_sup", f.ga_sup, "EFR.GASup: guest virtual APIC");
    b.flag("he_sup", f.he_sup, "EFR.HESup: hardware error registers");
    b.flag("pc_sup", f.pc_sup, "EFR.PCSup: performance counters");
    b.u32("hats", f.hats, "", "EFR.HATS: host table levels, 0 four, 1 five, 2 six", 0, 2);
    b.u32("gats", f.gats, "", "EFR.GATS: guest table levels, 0 four, 1 five", 0, 1);
    b.u32("glx_sup", f.glx_sup, "", "EFR.GLXSup: GCR3 table levels, 0 one, 1 two", 0, 1);
    b.u32("smif_sup", f.smif_sup, "", "EFR.SmiFSup: SMI filter registers", 0, 3);
    b.u32("smif_rc", f.smif_rc, "", "EFR.SmiFRC: SMI filter register count", 0, 7);
    b.u32("gam_sup", f.gam_sup, "", "EFR.GAMSup: guest virtual APIC modes", 0, 7);
    b.u32("pas_max", f.pas_max, "", "EFR.PASmax: the largest PASID is 2^(PASmax+1)-1", 0, 19);
    b.flag("us_sup", f.us_sup, "EFR.USSup: user/supervisor page protection");
    b.flag("gio_sup", f.gio_sup, "EFR.GIoSup: guest I/O protection");
    b.flag("ha_sup", f.ha_sup, "EFR.HASup: host access bit updates (DTE.HAD)");
    b.flag("hd_sup", f.hd_sup, "EFR.HDSup: host dirty bit updates (DTE.HAD)");
    b.flag("eph_sup", f.eph_sup, "EFR.EPHSup: enhanced PPR handling");
    b.flag("snp_sup", f.snp_sup, "EFR.SNPSup: SEV-SNP");
    b.flag("iotlb_sup", iotlb_sup, "PCI capability IotlbSup: device IOTLBs (ATS)");
    b.flag("coherent", coherent, "table and log accesses snoop when Control.Coherent is set");
}

void Straps::validate() const {
    if (efr.gats && !efr.gt_sup) throw sim::InputError("gats|gt_sup: GATS needs guest translation (GTSup)");
}

}  // namespace amdvi
