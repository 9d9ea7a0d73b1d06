#include "models/smmuv3/capabilities.h"

#include "models/smmuv3/regs.h"

namespace smmuv3 {

unsigned address_size_bits(unsigned encoding) {
    static const unsigned bits[8] = {32, 36, 40, 42, 44, 48, 52, 52};
    return bits[encoding & 7];
}

unsigned Caps::oas_bits() const { return address_size_bits(oas); }

bool Caps::granule_supported(unsigned log2_granule) const {
    switch (log2_granule) {
        case 12: return gran4k;
        case 14: return gran16k;
        case 16: return gran64k;
        default: return false;
    }
}

Caps decode_idrs(uint32_t idr0v, uint32_t idr1v, uint32_t idr3v, uint32_t idr5v) {
    Caps c;
    c.s2p = idr0::S2P.get(idr0v);
    c.s1p = idr0::S1P.get(idr0v);
    c.ttf = unsigned(idr0::TTF.get(idr0v));
    c.cohacc = idr0::COHACC.get(idr0v);
    c.httu = unsigned(idr0::HTTU.get(idr0v));
    c.hyp = idr0::HYP.get(idr0v);
    c.ats = idr0::ATS.get(idr0v);
    c.ns1ats = idr0::NS1ATS.get(idr0v);
    c.atsrecerr = c.ats && idr0::ATSRECERR.get(idr0v);  // RES0 without ATS
    c.asid16 = idr0::ASID16.get(idr0v);
    c.msi = idr0::MSI.get(idr0v);
    c.sev = idr0::SEV.get(idr0v);
    c.pri = idr0::PRI.get(idr0v);
    c.vmid16 = idr0::VMID16.get(idr0v);
    c.cd2l = idr0::CD2L.get(idr0v);
    c.ttendian = unsigned(idr0::TTENDIAN.get(idr0v));
    c.stall_model = unsigned(idr0::STALL_MODEL.get(idr0v));
    c.term_model = idr0::TERM_MODEL.get(idr0v);
    c.st_level = unsigned(idr0::ST_LEVEL.get(idr0v));
    c.sidsize = unsigned(idr1::SIDSIZE.get(idr1v));
    c.ssidsize = unsigned(idr1::SSIDSIZE.get(idr1v));
    c.priqs = unsigned(idr1::PRIQS.get(idr1v));
    c.attr_types_ovr = idr1::ATTR_TYPES_OVR.get(idr1v);
    c.eventqs = unsigned(idr1::EVENTQS.get(idr1v));
    c.cmdqs = unsigned(idr1::CMDQS.get(idr1v));
    c.stt = idr3::STT.get(idr3v);
    c.ril = idr3::RIL.get(idr3v);
    c.oas = unsigned(idr5::OAS.get(idr5v));
    c.gran4k = idr5::GRAN4K.get(idr5v);
    c.gran16k = idr5::GRAN16K.get(idr5v);
    c.gran64k = idr5::GRAN64K.get(idr5v);
    c.vax = unsigned(idr5::VAX.get(idr5v));
    return c;
}

}  // namespace smmuv3
