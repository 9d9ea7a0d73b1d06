// What the MMIO targets (vtd_mmio, smmuv3_mmio) share about DMA requests: how an op
// encodes one, and what every answer must be, whatever the architecture.
//
//   kTranslate  sid u16, iova u64, flags u8 (RequestFlag), pasid u24
#pragma once

#include <cstdint>
#include <string>

#include "models/iommu/translation.h"
#include "models/sim/format.h"
#include "tests/fuzz/fuzz_input.h"

namespace fuzz {

enum RequestFlag : uint8_t { kRd = 1, kWr = 2, kPasidValid = 4, kPriv = 8, kExec = 16, kNoSnoop = 32 };

inline iommu::Request request(Bytes& in) {
    iommu::Request r;
    r.sid = in.u16();
    r.iova = in.u64();
    const uint8_t flags = in.u8();
    r.pasid = uint32_t(in.take(3)) & 0xfffff;
    r.read = flags & kRd;
    r.write = flags & kWr;
    r.pasid_valid = flags & kPasidValid;
    r.priv = flags & kPriv;
    r.exec = flags & kExec;
    r.no_snoop = flags & kNoSnoop;
    return r;
}

inline std::string show(const iommu::Request& r, const iommu::Result& res) {
    std::string s = "sid " + sim::hex(r.sid) + " iova " + sim::hex(r.iova) + ": ";
    if (res.fault) return s + "fault " + sim::hex(res.reason);
    return s + "pa " + sim::hex(res.pa) + " size " + sim::hex(res.page_size) + (res.read ? " r" : "") +
           (res.write ? " w" : "") + (res.snoop ? " snoop" : "");
}

inline bool same(const iommu::Result& a, const iommu::Result& b) {
    if (a.fault || b.fault) return a.fault == b.fault && a.reason == b.reason;
    return a.pa == b.pa && a.page_size == b.page_size && a.read == b.read && a.write == b.write &&
           a.snoop == b.snoop && a.force_snoop == b.force_snoop;
}

// A fault's reason is one the unit names (`named`, from its fault_text); a success is
// a power-of-two page of at least 4 KiB holding the address at the same offset, and
// grants the access asked.
inline void check_answer(const iommu::Request& r, const iommu::Result& res, bool named) {
    if (res.fault) {
        if (!named) fail("a fault with an unknown reason: " + show(r, res));
        return;
    }
    const uint64_t size = res.page_size;
    if (size < 4096 || (size & (size - 1))) fail("a page size that is no page: " + show(r, res));
    if ((res.pa ^ r.iova) & (size - 1)) fail("pa not at the iova's page offset: " + show(r, res));
    if ((r.read && !res.read) || (r.write && !res.write)) fail("a success without the access asked: " + show(r, res));
}

}  // namespace fuzz
