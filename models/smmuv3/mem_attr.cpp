#include "models/smmuv3/mem_attr.h"

namespace smmuv3 {

namespace {

Cacheability weaker(Cacheability a, Cacheability b) { return a > b ? a : b; }

// Arm ARM D8.6: a non-cacheable or Device access is treated as Outer Shareable.
MemAttr settle(MemAttr m) {
    if (m.device || m.inner == Cacheability::NonCacheable || m.outer == Cacheability::NonCacheable)
        m.sh = Share::Outer;
    return m;
}

// MAIR_ELx attribute nibble for Normal memory (D8.6): 0b0100 Non-cacheable, 0b00RW
// (RW != 00) and 0b10RW Write-Through, 0b01RW (RW != 00) and 0b11RW Write-Back.
Cacheability mair_nibble(unsigned n) {
    if (n == 0x4) return Cacheability::NonCacheable;
    return (n & 0x4) ? Cacheability::WriteBack : Cacheability::WriteThrough;
}

// Stage 2 MemAttr cacheability pair (D8.6 "Stage 2 memory type"): 0b01 Non-cacheable,
// 0b10 Write-Through, 0b11 Write-Back.
Cacheability s2_pair(unsigned v) {
    return v == 3 ? Cacheability::WriteBack : v == 2 ? Cacheability::WriteThrough : Cacheability::NonCacheable;
}

}  // namespace

bool MemAttr::coherent() const {
    return !device && !no_snoop && inner != Cacheability::NonCacheable && outer != Cacheability::NonCacheable &&
           sh != Share::None;
}

Share share(unsigned sh) { return sh == 3 ? Share::Inner : sh == 2 ? Share::Outer : Share::None; }

MemAttr pcie_incoming(bool no_snoop) {
    MemAttr m;
    if (!no_snoop) return m;
    m.inner = m.outer = Cacheability::NonCacheable;
    m.no_snoop = true;
    return settle(m);
}

MemAttr from_mair(uint8_t attr, unsigned sh) {
    MemAttr m;
    m.sh = share(sh);
    // 0b0000dd00 Device; 0bxxxx0000 with xxxx != 0 is UNPREDICTABLE, read as Device.
    if ((attr & 0xf0) == 0 || (attr & 0x0f) == 0) {
        m.device = true;
    } else {
        m.outer = mair_nibble(attr >> 4);
        m.inner = mair_nibble(attr & 0xf);
    }
    return settle(m);
}

MemAttr from_s2_memattr(unsigned memattr, unsigned sh) {
    MemAttr m;
    m.sh = share(sh);
    // MemAttr[3:2] == 0b00 is Device; 0bxx00 with xx != 00 is reserved, read as
    // Non-cacheable.
    if ((memattr >> 2 & 3) == 0) {
        m.device = true;
    } else {
        m.outer = s2_pair(memattr >> 2 & 3);
        m.inner = s2_pair(memattr & 3);
    }
    return settle(m);
}

MemAttr from_rgn(unsigned inner, unsigned outer, unsigned sh) {
    const auto c = [](unsigned v) {
        return v == 0 ? Cacheability::NonCacheable : v == 2 ? Cacheability::WriteThrough : Cacheability::WriteBack;
    };
    MemAttr m;
    m.inner = c(inner & 3);
    m.outer = c(outer & 3);
    m.sh = share(sh);
    return settle(m);
}

MemAttr override_incoming(const MemAttr& in, bool mtcfg, unsigned memattr, unsigned shcfg) {
    MemAttr m = mtcfg ? from_s2_memattr(memattr, 0) : in;  // a replaced type is no longer No Snoop's
    m.sh = shcfg == 1 ? in.sh : share(shcfg);
    return settle(m);
}

MemAttr combine(const MemAttr& in, const MemAttr& s2) {
    MemAttr m;
    m.device = in.device || s2.device;
    m.inner = weaker(in.inner, s2.inner);
    m.outer = weaker(in.outer, s2.outer);
    // The wider shareability wins: Outer over Inner over Non-shareable.
    const auto rank = [](Share s) { return s == Share::Outer ? 2 : s == Share::Inner ? 1 : 0; };
    m.sh = rank(in.sh) >= rank(s2.sh) ? in.sh : s2.sh;
    m.no_snoop = in.no_snoop || s2.no_snoop;
    return settle(m);
}

MemAttr translated_output(const MemAttr& incoming, const MemAttr& translated, bool stage1) {
    if (!stage1) return combine(incoming, translated);
    MemAttr m = translated;
    if (incoming.no_snoop) m = combine(m, incoming);
    return m;
}

}  // namespace smmuv3
