#include "models/smmuv3/straps.h"

#include "models/sim/error.h"
#include "models/sim/params.h"
#include "models/smmuv3/regs.h"

namespace smmuv3 {

Caps Straps::typical() {
    Caps c;
    c.msi = true;  // CMD_SYNC can complete with an MSI write (the Linux driver's path)
    c.sev = true;
    return c;
}

void Straps::bind(sim::ParamBinder& b) {
    b.flag("s1p", caps.s1p, "IDR0.S1P: stage 1 translation");
    b.flag("s2p", caps.s2p, "IDR0.S2P: stage 2 translation");
    b.u32("ttf", caps.ttf, "", "IDR0.TTF: 2 AArch64 tables (1 AArch32 and 3 both are not walked)", 1, 3);
    b.flag("cohacc", caps.cohacc, "IDR0.COHACC: table, queue and cacheable shareable client accesses are coherent");
    b.u32("httu", caps.httu, "", "IDR0.HTTU: 0 none, 1 access flag, 2 access flag and dirty state", 0, 2);
    b.flag("hyp", caps.hyp, "IDR0.HYP: EL2 translation regime (TLBI_EL2_*)");
    b.flag("ats", caps.ats, "IDR0.ATS: PCIe ATS (ATC_INV)");
    b.flag("pri", caps.pri, "IDR0.PRI: page request interface (PRI_RESP)");
    b.flag("msi", caps.msi, "IDR0.MSI: message-signalled completion (CMD_SYNC CS=IRQ)");
    b.flag("sev", caps.sev, "IDR0.SEV: WFE wake-up events");
    b.flag("asid16", caps.asid16, "IDR0.ASID16: 16-bit ASIDs (else 8)");
    b.flag("vmid16", caps.vmid16, "IDR0.VMID16: 16-bit VMIDs (else 8)");
    b.flag("cd2l", caps.cd2l, "IDR0.CD2L: two-level CD tables");
    b.u32("stall_model", caps.stall_model, "", "IDR0.STALL_MODEL: 0 stall and terminate, 1 terminate only, 2 stall forced", 0, 2);
    b.u32("st_level", caps.st_level, "", "IDR0.ST_LEVEL: 0 linear stream table only, 1 two-level too", 0, 1);
    b.u32("sidsize", caps.sidsize, "bits", "IDR1.SIDSIZE: StreamID width", 0, 32);
    b.u32("ssidsize", caps.ssidsize, "bits", "IDR1.SSIDSIZE: SubstreamID width", 0, 20);
    b.u32("cmdqs", caps.cmdqs, "log2", "IDR1.CMDQS: largest command queue", 0, 19);
    b.u32("eventqs", caps.eventqs, "log2", "IDR1.EVENTQS: largest event queue", 0, 19);
    b.u32("priqs", caps.priqs, "log2", "IDR1.PRIQS: largest PRI queue", 0, 19);
    b.flag("attr_types_ovr", caps.attr_types_ovr, "IDR1.ATTR_TYPES_OVR: STE and GBPA MTCFG/MemAttr/SHCFG override incoming attributes");
    b.flag("ril", caps.ril, "IDR3.RIL: range invalidation (TLBI NUM/SCALE/TG)");
    b.flag("stt", caps.stt, "IDR3.STT: small translation tables (TxSZ up to 48)");
    b.u32("oas", caps.oas, "", "IDR5.OAS: 0 32, 1 36, 2 40, 3 42, 4 44, 5 48, 6 52 bits", 0, 6);
    b.flag("gran4k", caps.gran4k, "IDR5.GRAN4K: 4 KiB granule");
    b.flag("gran16k", caps.gran16k, "IDR5.GRAN16K: 16 KiB granule");
    b.flag("gran64k", caps.gran64k, "IDR5.GRAN64K: 64 KiB granule");
}

void Straps::validate() const {
    if (caps.ttf != idr0::TTF_AARCH64)
        throw sim::InputError("ttf: only AArch64 tables (2) are walked by this model");
    if (!caps.s1p && !caps.s2p) throw sim::InputError("s1p|s2p: an SMMU implements at least one stage");
    if (!caps.gran4k && !caps.gran16k && !caps.gran64k)
        throw sim::InputError("gran4k|gran16k|gran64k: at least one granule");
}

uint32_t encode_idr0(const Caps& c) {
    using namespace idr0;
    return uint32_t(S2P.put(c.s2p) | S1P.put(c.s1p) | TTF.put(c.ttf) | COHACC.put(c.cohacc) |
                    HTTU.put(c.httu) | HYP.put(c.hyp) | ATS.put(c.ats) | NS1ATS.put(c.ns1ats) |
                    ASID16.put(c.asid16) | MSI.put(c.msi) | SEV.put(c.sev) | PRI.put(c.pri) |
                    VMID16.put(c.vmid16) | CD2L.put(c.cd2l) | TTENDIAN.put(c.ttendian) |
                    STALL_MODEL.put(c.stall_model) | TERM_MODEL.put(c.term_model) |
                    ST_LEVEL.put(c.st_level) | ATSRECERR.put(c.atsrecerr));
}

uint32_t encode_idr1(const Caps& c) {
    using namespace idr1;
    return uint32_t(SIDSIZE.put(c.sidsize) | SSIDSIZE.put(c.ssidsize) | PRIQS.put(c.priqs) |
                    EVENTQS.put(c.eventqs) | CMDQS.put(c.cmdqs) | ATTR_TYPES_OVR.put(c.attr_types_ovr));
}

uint32_t encode_idr3(const Caps& c) { return uint32_t(idr3::STT.put(c.stt) | idr3::RIL.put(c.ril)); }

uint32_t encode_idr5(const Caps& c) {
    using namespace idr5;
    return uint32_t(OAS.put(c.oas) | GRAN4K.put(c.gran4k) | GRAN16K.put(c.gran16k) |
                    GRAN64K.put(c.gran64k) | VAX.put(c.vax));
}

}  // namespace smmuv3
