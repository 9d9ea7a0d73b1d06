#include "models/vtd/capabilities.h"

#include "models/sim/error.h"
#include "models/sim/params.h"

namespace vtd {
namespace {

uint64_t field(uint64_t v, unsigned lo, unsigned bits) { return (v >> lo) & ((uint64_t(1) << bits) - 1); }
uint64_t put(uint64_t v, unsigned lo) { return v << lo; }

}  // namespace

void Capabilities::bind(sim::ParamBinder& b) {
    b.u32("nd", nd, "", "CAP.ND: domain-ID width 4+2*ND bits", 0, 6);
    b.flag("cm", cm, "CAP.CM: caching mode");
    b.u32("sagaw", sagaw, "", "CAP.SAGAW: bit 1 3-level, bit 2 4-level, bit 3 5-level tables", 1,
          0x1f);
    b.u32("mgaw", mgaw, "bits", "CAP.MGAW: maximum guest address width", 30, 64);
    b.u32("fro", fro, "16 B", "CAP.FRO: fault recording registers' offset", 0x10, 0x3ff);
    b.u32("sllps", sllps, "", "CAP.SLLPS: bit 0 2 MiB, bit 1 1 GiB second-level pages", 0, 3);
    b.flag("psi", psi, "CAP.PSI: page-selective invalidation");
    b.u32("nfr", nfr, "", "CAP.NFR: number of fault recording registers", 1, 256);
    b.u32("mamv", mamv, "", "CAP.MAMV: maximum address mask value", 0, 63);
    b.flag("fl1gp", fl1gp, "CAP.FL1GP: first-level 1 GiB pages");
    b.flag("fl5lp", fl5lp, "CAP.FL5LP: first-level 5-level paging");
    b.flag("c", c, "ECAP.C: page-walk coherency");
    b.flag("qi", qi, "ECAP.QI: queued invalidation");
    b.flag("dt", dt, "ECAP.DT: device-TLB");
    b.flag("pt", pt, "ECAP.PT: pass-through");
    b.flag("sc", sc, "ECAP.SC: snoop control (second-level SNP, PGSNP)");
    b.u32("iro", iro, "16 B", "ECAP.IRO: IOTLB registers' offset", 0x10, 0x3ff);
    b.flag("nest", nest, "ECAP.NEST: nested translation");
    b.flag("prs", prs, "ECAP.PRS: page requests (PRI) into the page request queue");
    b.flag("pasid", pasid, "ECAP.PASID: PASID support");
    b.u32("pss", pss, "", "ECAP.PSS: PASID width minus one", 0, 19);
    b.flag("smts", smts, "ECAP.SMTS: scalable-mode translation");
    b.flag("ssads", ssads, "ECAP.SSADS: second-level accessed/dirty");
    b.flag("slts", slts, "ECAP.SLTS: second-level translation in scalable mode");
    b.flag("flts", flts, "ECAP.FLTS: first-level translation");
    b.u32("haw", haw, "bits", "host address width (ACPI DMAR HAW)", 32, 52);
}

void Capabilities::validate() const {
    const uint64_t end = (uint64_t(fro) + nfr) * 16;
    if (end > 0x1000 || (fro * 16 < 0x100))
        throw sim::InputError("fro|nfr: fault recording registers at " + std::to_string(fro * 16) +
                              " do not fit the 4 KiB register page after the fixed registers");
    if (iro * 16 < 0x100 || iro * 16 + 16 > 0x1000)
        throw sim::InputError("iro: IOTLB registers must lie within the 4 KiB register page");
}

uint64_t Capabilities::cap() const {
    return put(nd, 0) | put(cm, 7) | put(sagaw, 8) | put(mgaw - 1, 16) | put(fro, 24) |
           put(sllps, 34) | put(psi, 39) | put(nfr - 1, 40) | put(mamv, 48) | put(fl1gp, 56) |
           put(fl5lp, 60);
}

uint64_t Capabilities::ecap() const {
    return put(c, 0) | put(qi, 1) | put(dt, 2) | put(pt, 6) | put(sc, 7) | put(iro, 8) |
           put(nest, 26) | put(prs, 29) | put(pss, 35) | put(pasid, 40) | put(smts, 43) | put(ssads, 45) |
           put(slts, 46) | put(flts, 47);
}

void Capabilities::set_cap(uint64_t v) {
    nd = uint32_t(field(v, 0, 3));
    cm = field(v, 7, 1);
    sagaw = uint32_t(field(v, 8, 5));
    mgaw = uint32_t(field(v, 16, 6)) + 1;
    fro = uint32_t(field(v, 24, 10));
    sllps = uint32_t(field(v, 34, 4));
    psi = field(v, 39, 1);
    nfr = uint32_t(field(v, 40, 8)) + 1;
    mamv = uint32_t(field(v, 48, 6));
    fl1gp = field(v, 56, 1);
    fl5lp = field(v, 60, 1);
}

void Capabilities::set_ecap(uint64_t v) {
    c = field(v, 0, 1);
    qi = field(v, 1, 1);
    dt = field(v, 2, 1);
    pt = field(v, 6, 1);
    sc = field(v, 7, 1);
    iro = uint32_t(field(v, 8, 10));
    nest = field(v, 26, 1);
    prs = field(v, 29, 1);
    pss = uint32_t(field(v, 35, 5));
    pasid = field(v, 40, 1);
    smts = field(v, 43, 1);
    ssads = field(v, 45, 1);
    slts = field(v, 46, 1);
    flts = field(v, 47, 1);
}

}  // namespace vtd
