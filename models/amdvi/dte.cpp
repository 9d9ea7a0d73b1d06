#include "models/amdvi/dte.h"

#include "models/amdvi/bits.h"
#include "models/amdvi/regs.h"

namespace amdvi {
namespace {

// §2.2.2.1: bits no field names. Qword 0: 6:2 and 63; qword 1: bit 106 (42 here).
constexpr uint64_t kReserved0 = mask(6, 2) | mask(63, 63);
constexpr uint64_t kReserved1 = mask(42, 42);
// Without EFR.GTSup the guest fields are reserved: GV, GLX, GCR3 in qword 0 (60:55)
// and GCR3 in qword 1 (31:16, 63:43); without GIoSup, GIoV (54).
constexpr uint64_t kGuest0 = mask(60, 55);
constexpr uint64_t kGuest1 = mask(31, 16) | mask(63, 43);
constexpr uint64_t kGiov0 = mask(54, 54);

}  // namespace

Dte decode_dte(const uint64_t q[4]) {
    Dte d;
    d.v = bit(q[0], 0);
    d.tv = bit(q[0], 1);
    d.had = unsigned(bits(q[0], 8, 7));
    d.mode = unsigned(bits(q[0], 11, 9));
    d.root = q[0] & mask(51, 12);
    d.ppr = bit(q[0], 52);
    d.gprp = bit(q[0], 53);
    d.giov = bit(q[0], 54);
    d.gv = bit(q[0], 55);
    d.glx = unsigned(bits(q[0], 57, 56));
    d.gcr3 = bits(q[0], 60, 58) << 12 | bits(q[1], 31, 16) << 15 | bits(q[1], 63, 43) << 31;
    d.ir = bit(q[0], 61);
    d.iw = bit(q[0], 62);
    d.domain_id = uint16_t(bits(q[1], 15, 0));
    d.i = bit(q[1], 32);
    d.se = bit(q[1], 33);
    d.sa = bit(q[1], 34);
    d.ioctl = unsigned(bits(q[1], 36, 35));
    d.cache = bit(q[1], 37);
    d.sd = bit(q[1], 38);
    d.ex = bit(q[1], 39);
    d.sysmgt = unsigned(bits(q[1], 41, 40));
    d.gpm = unsigned(bits(q[2], 55, 54));
    d.mode0_fc = bit(q[3], 55);
    return d;
}

DteProblem check_dte(const Dte& d, const uint64_t q[4], const Features& f) {
    uint64_t r0 = kReserved0, r1 = kReserved1;
    if (!f.gt_sup) {
        r0 |= kGuest0;
        r1 |= kGuest1;
    }
    if (!f.gio_sup) r0 |= kGiov0;
    if ((q[0] & r0) || (q[1] & r1)) return DteProblem::ReservedBit;
    if (d.tv && (d.mode == 7 || d.mode > f.max_host_levels())) return DteProblem::BadMode;
    if (d.tv && d.gv && (d.glx > f.glx_sup || d.gpm > f.gats)) return DteProblem::BadMode;
    return DteProblem::None;
}

uint64_t dte_address(uint64_t devtab_reg, uint16_t device_id) {
    return (devtab_reg & devtab::ADDR) + uint64_t(device_id) * 32;
}

bool dte_in_table(uint64_t devtab_reg, uint16_t device_id) {
    return (uint64_t(device_id) + 1) * 32 <= devtab::bytes(devtab_reg);
}

}  // namespace amdvi
