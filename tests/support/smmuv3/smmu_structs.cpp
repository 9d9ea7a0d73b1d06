#include "tests/support/smmuv3/smmu_structs.h"

namespace smmu_enc {
namespace {
// Places `value` in bits [hi:lo]; bits of value that do not fit are dropped.
uint64_t at(unsigned hi, unsigned lo, uint64_t value) {
    const unsigned width = hi - lo + 1;
    const uint64_t m = width == 64 ? ~uint64_t(0) : (uint64_t(1) << width) - 1;
    return (value & m) << lo;
}
constexpr uint64_t kAddr51_12 = 0x000ffffffffff000ull;
constexpr uint64_t kAddr63_12 = 0xfffffffffffff000ull;
}  // namespace

Ste ste(const SteFields& f) {
    Ste s{};
    s[0] = at(0, 0, f.valid) | at(3, 1, f.config) | at(5, 4, f.s1fmt) | (f.s1_context_ptr & 0x000fffffffffffc0ull) |
           at(63, 59, f.s1cdmax);
    s[1] = at(1, 0, f.s1dss) | at(3, 2, f.s1cir) | at(5, 4, f.s1cor) | at(7, 6, f.s1csh) | at(27, 27, f.s1stalld) |
           at(29, 28, f.eats) | at(31, 30, f.strw) | at(35, 32, f.memattr) | at(36, 36, f.mtcfg) |
           at(40, 37, f.alloccfg) | at(45, 44, f.shcfg) | at(47, 46, f.nscfg) | at(49, 48, f.privcfg) |
           at(51, 50, f.instcfg);
    // Dword 2 holds the VTCR-like fields at 50:32 (S2T0SZ first).
    s[2] = at(15, 0, f.s2vmid) | at(37, 32, f.s2t0sz) | at(39, 38, f.s2sl0) | at(41, 40, f.s2ir0) |
           at(43, 42, f.s2or0) | at(45, 44, f.s2sh0) | at(47, 46, f.s2tg) | at(50, 48, f.s2ps) | at(51, 51, f.s2aa64) |
           at(52, 52, f.s2endi) | at(53, 53, f.s2affd) | at(54, 54, f.s2ptw) | at(55, 55, f.s2hd) |
           at(56, 56, f.s2ha) | at(57, 57, f.s2s) | at(58, 58, f.s2r);
    s[3] = f.s2ttb & 0x000ffffffffffff0ull;
    return s;
}

Cd cd(const CdFields& f) {
    Cd c{};
    c[0] = at(5, 0, f.t0sz) | at(7, 6, f.tg0) | at(9, 8, f.irgn0) | at(11, 10, f.orgn0) | at(13, 12, f.sh0) |
           at(14, 14, f.epd0) | at(15, 15, f.endi) | at(21, 16, f.t1sz) | at(23, 22, f.tg1) | at(30, 30, f.epd1) |
           at(31, 31, f.valid) | at(34, 32, f.ips) | at(35, 35, f.affd) | at(36, 36, f.wxn) | at(37, 37, f.uwxn) |
           at(38, 38, f.tbi0) | at(39, 39, f.tbi1) | at(40, 40, f.pan) | at(41, 41, f.aa64) | at(42, 42, f.hd) |
           at(43, 43, f.ha) | at(44, 44, f.s) | at(45, 45, f.r) | at(46, 46, f.a) | at(47, 47, f.aset) |
           at(63, 48, f.asid);
    c[1] = f.ttb0 & 0x000ffffffffffff0ull;
    c[2] = f.ttb1 & 0x000ffffffffffff0ull;
    c[3] = f.mair;
    c[4] = f.amair;
    return c;
}

uint64_t l1_std(unsigned span, uint64_t l2ptr) { return at(4, 0, span) | (l2ptr & 0x000fffffffffffc0ull); }
uint64_t l1_cd(bool valid, uint64_t l2ptr) { return at(0, 0, valid) | (l2ptr & kAddr51_12); }

uint32_t strtab_base_cfg(unsigned fmt, unsigned split, unsigned log2size) {
    return uint32_t(at(17, 16, fmt) | at(10, 6, split) | at(5, 0, log2size));
}

namespace {
// Dword 0 of the commands addressed to a stream: opcode, SSV 11, SubstreamID 31:12, StreamID 63:32.
uint64_t stream_dw0(uint8_t op, uint32_t sid, bool ssv, uint32_t ssid) {
    return at(7, 0, op) | at(11, 11, ssv) | at(31, 12, ssid) | at(63, 32, sid);
}
// TLBI dword 0: NUM 16:12, SCALE 24:20, VMID 47:32, ASID 63:48; dword 1: Leaf 0, TTL 9:8,
// TG 11:10, Address 63:12 (51:12 for an IPA).
Cmd tlbi(uint8_t op, uint16_t vmid, uint16_t asid, const TlbiRange& r, uint64_t addr_mask) {
    return {at(7, 0, op) | at(16, 12, r.num) | at(24, 20, r.scale) | at(47, 32, vmid) | at(63, 48, asid),
            at(0, 0, r.leaf) | at(9, 8, r.ttl) | at(11, 10, r.tg) | (r.addr & addr_mask)};
}
}  // namespace

Cmd prefetch_config(uint32_t sid, bool ssv, uint32_t ssid) { return {stream_dw0(0x01, sid, ssv, ssid), 0}; }
Cmd prefetch_addr(uint32_t sid, bool ssv, uint32_t ssid, uint64_t addr, unsigned size, unsigned stride) {
    return {stream_dw0(0x02, sid, ssv, ssid), at(4, 0, size) | at(9, 5, stride) | (addr & kAddr63_12)};
}
Cmd cfgi_ste(uint32_t sid, bool leaf) { return {stream_dw0(0x03, sid, false, 0), at(0, 0, leaf)}; }
Cmd cfgi_ste_range(uint32_t sid, unsigned range) { return {stream_dw0(0x04, sid, false, 0), at(4, 0, range)}; }
Cmd cfgi_all() { return cfgi_ste_range(0, 31); }
Cmd cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf) { return {stream_dw0(0x05, sid, false, ssid), at(0, 0, leaf)}; }
Cmd cfgi_cd_all(uint32_t sid) { return {stream_dw0(0x06, sid, false, 0), 0}; }
Cmd tlbi_nh_all(uint16_t vmid) { return tlbi(0x10, vmid, 0, {}, 0); }
Cmd tlbi_nh_asid(uint16_t vmid, uint16_t asid) { return tlbi(0x11, vmid, asid, {}, 0); }
Cmd tlbi_nh_va(uint16_t vmid, uint16_t asid, const TlbiRange& r) { return tlbi(0x12, vmid, asid, r, kAddr63_12); }
Cmd tlbi_nh_vaa(uint16_t vmid, const TlbiRange& r) { return tlbi(0x13, vmid, 0, r, kAddr63_12); }
Cmd tlbi_el2_all() { return tlbi(0x20, 0, 0, {}, 0); }
Cmd tlbi_el2_asid(uint16_t asid) { return tlbi(0x21, 0, asid, {}, 0); }
Cmd tlbi_el2_va(uint16_t asid, const TlbiRange& r) { return tlbi(0x22, 0, asid, r, kAddr63_12); }
Cmd tlbi_el2_vaa(const TlbiRange& r) { return tlbi(0x23, 0, 0, r, kAddr63_12); }
Cmd tlbi_s12_vmall(uint16_t vmid) { return tlbi(0x28, vmid, 0, {}, 0); }
Cmd tlbi_s2_ipa(uint16_t vmid, const TlbiRange& r) { return tlbi(0x2a, vmid, 0, r, kAddr51_12); }
Cmd tlbi_nsnh_all() { return tlbi(0x30, 0, 0, {}, 0); }
Cmd atc_inv(uint32_t sid, bool ssv, uint32_t ssid, bool global, uint64_t addr, unsigned size) {
    return {stream_dw0(0x40, sid, ssv, ssid) | at(9, 9, global), at(5, 0, size) | (addr & kAddr63_12)};
}
Cmd pri_resp(uint32_t sid, bool ssv, uint32_t ssid, unsigned prg_index, unsigned resp) {
    return {stream_dw0(0x41, sid, ssv, ssid), at(8, 0, prg_index) | at(13, 12, resp)};
}
Cmd resume(uint32_t sid, uint16_t stag, bool ac, bool ab) {
    return {at(7, 0, 0x44) | at(12, 12, ac) | at(13, 13, ab) | at(63, 32, sid), at(15, 0, stag)};
}
Cmd stall_term(uint32_t sid) { return {stream_dw0(0x45, sid, false, 0), 0}; }
Cmd sync(unsigned cs, unsigned msh, unsigned msiattr, uint32_t msidata, uint64_t msiaddr) {
    return {at(7, 0, 0x46) | at(13, 12, cs) | at(23, 22, msh) | at(27, 24, msiattr) | at(63, 32, msidata),
            msiaddr & 0x000ffffffffffffcull};
}

PriqEntry priq_entry(uint64_t dw0, uint64_t dw1) {
    const auto bit = [](uint64_t v, unsigned n) { return ((v >> n) & 1) != 0; };
    PriqEntry e;
    e.sid = uint32_t(dw0);
    e.ssid = uint32_t(dw0 >> 32) & 0xfffff;
    e.priv = bit(dw0, 58);
    e.exec = bit(dw0, 59);
    e.read = bit(dw0, 60);
    e.write = bit(dw0, 61);
    e.last = bit(dw0, 62);
    e.ssv = bit(dw0, 63);
    e.prg_index = unsigned(dw1 & 0x1ff);
    e.addr = dw1 & kAddr63_12;
    return e;
}

}  // namespace smmu_enc
