// Drives smmuv3::VmsaWalk against a SparseMemory filled by the independent encoder
// (tests/support/smmuv3/vmsa_tables): reads at or above `limit` fail, as do writes
// when `fail_writes` is set.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>

#include "models/memory/sparse_memory.h"
#include "models/smmuv3/vmsa.h"
#include "tests/support/smmuv3/vmsa_tables.h"

namespace vmsarig {

using smmuv3::FaultClass;
namespace ev = smmuv3::event;

constexpr uint64_t B(unsigned n) { return uint64_t(1) << n; }

// CD.TG0 / STE.S2TG encodings (IHI0070 5.4, 5.2): 0b00 4KB, 0b01 64KB, 0b10 16KB.
inline unsigned tg_field(vmsatest::Tg tg) {
    return tg == vmsatest::Tg::k4K ? 0 : tg == vmsatest::Tg::k64K ? 1 : 2;
}
inline smmuv3::Granule granule(vmsatest::Tg tg) {
    smmuv3::Granule g{};
    REQUIRE(smmuv3::decode_tg0(tg_field(tg), g));
    return g;
}

inline smmuv3::Stage1Config s1cfg(vmsatest::Tg tg, unsigned t0sz, uint64_t ttb0,
                                  unsigned ips_field = 5 /* 48 bits */) {
    smmuv3::Stage1Config c;
    c.ttb0 = ttb0;
    c.t0sz = t0sz;
    c.tg0 = granule(tg);
    c.ips_bits = smmuv3::decode_ps(ips_field);
    return c;
}

inline smmuv3::Stage2Config s2cfg(vmsatest::Tg tg, unsigned t0sz, unsigned sl0, uint64_t ttb,
                                  unsigned ps_field = 5) {
    smmuv3::Stage2Config c;
    c.ttb = ttb;
    c.t0sz = t0sz;
    c.sl0 = sl0;
    c.tg = granule(tg);
    c.ps_bits = smmuv3::decode_ps(ps_field);
    return c;
}

// Privileged by default: the encoder's default AP[2:1]=0b00 grants EL1 only.
inline iommu::Request req(uint64_t iova, bool write = false, bool priv = true,
                          bool exec = false) {
    iommu::Request r;
    r.iova = iova;
    r.read = !write;
    r.write = write;
    r.priv = priv;
    r.exec = exec;
    return r;
}

struct Rig {
    memory::SparseMemory mem;
    uint64_t limit = B(44);
    bool fail_writes = false;
    smmuv3::VmsaWalk walk;

    iommu::Result run(const iommu::Request& r) {
        walk.start(r);
        for (int steps = 0; !walk.done(); ++steps) {
            REQUIRE(steps < 100);
            const uint64_t a = walk.read_address();
            const bool ok = a < limit;
            if (walk.write_pending()) {
                const bool wok = ok && !fail_writes;
                if (wok) mem.write_u64(a, walk.write_value());
                walk.supply(0, wok);
            } else {
                walk.supply(ok ? mem.read_u64(a) : 0, ok);
            }
        }
        return walk.result();
    }
    const smmuv3::Fault& fault() const { return walk.fault(); }
};

inline uint32_t event_of(const iommu::Result& r) { return r.fault ? r.reason : 0; }

}  // namespace vmsarig
