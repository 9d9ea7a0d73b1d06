// Robustness: random bytes in the tables, random register writes and random requests
// never crash or hang the VT-d model; every request ends in a translation or a fault.
#include <catch2/catch.hpp>

#include "models/sim/rng.h"
#include "tests/unit/vtd/vtd_rig.h"

namespace {

// Fills the low 1 MiB with random qwords, biased toward small addresses and low bits
// set, so that walks often find "present" entries pointing back into the region.
void scramble(memory::SparseMemory& mem, sim::Rng& rng) {
    for (uint64_t a = 0; a < (1u << 20); a += 8) {
        uint64_t v = rng.next_u64();
        if (rng.chance(0.7)) v = (v & 0xff0ff) | (rng.uniform(256) << 12) | 1;
        mem.write_u64(a, v);
    }
}

// A random register write somewhere in the 4 KiB page, 4 or 8 bytes.
void poke(RemappingUnit& unit, sim::Rng& rng) {
    const unsigned size = rng.chance(0.5) ? 4 : 8;
    const uint32_t off = uint32_t(rng.uniform(0x1000 / size)) * size;
    uint64_t v = rng.next_u64();
    if (off == reg::IQA) v &= ~uint64_t(0x7) | 1;  // keep queues small enough to scan fast
    unit.write(off, v, size);
}

}  // namespace

TEST_CASE("Random tables, registers and requests: always a result, never a crash",
          "[vtd][fuzz]") {
    sim::Rng rng(2026, "vtd-robustness");
    Rig r;
    scramble(r.mem, rng);
    unsigned faults = 0, translations = 0;
    for (int i = 0; i < 100000; ++i) {
        if (i % 1000 == 0) {  // new straps, a new root, translation on
            r.unit.strap_cap(rng.next_u64() | (uint64_t(0x1e) << 8));
            r.unit.strap_ecap(rng.next_u64() & ~(uint64_t(0x3ff) << 8) | (uint64_t(0x50) << 8));
            r.unit.write(reg::RTADDR, rng.uniform(256) << 12 | (rng.uniform(2) << 10), 8);
            r.unit.write(reg::GCMD, vtd::gcmd::SRTP, 4);
            r.unit.write(reg::GCMD, vtd::gcmd::TE | (rng.chance(0.3) ? vtd::gcmd::QIE : 0), 4);
        }
        if (rng.chance(0.02)) poke(r.unit, rng);
        iommu::Request q;
        q.sid = uint16_t(rng.uniform(0x10000));
        q.iova = rng.chance(0.5) ? rng.uniform(1u << 24) : rng.next_u64();
        q.read = rng.chance(0.7);
        q.write = !q.read || rng.chance(0.3);
        q.pasid_valid = rng.chance(0.3);
        q.pasid = uint32_t(rng.uniform(1u << 20));
        q.priv = rng.chance(0.2);
        q.exec = rng.chance(0.1);
        q.no_snoop = rng.chance(0.2);
        const iommu::Result res = r.access_request(q);
        if (res.fault) {
            ++faults;
            CHECK(res.reason != 0);
        } else {
            ++translations;
            CHECK(res.page_size >= 4096);
            CHECK((res.page_size & (res.page_size - 1)) == 0);
        }
    }
    CHECK(faults + translations == 100000);
    CHECK(faults > 1000);  // the random tables do fault...
    INFO("translations: " << translations);
    CHECK(translations > 0);  // ...and sometimes translate
}

// A queue switched to 256-bit descriptors (IQA.DW) while its head sits between two of
// them: stepping 32 bytes from there never meets a 32-byte-aligned tail, so a queue
// full of valid descriptors used to spin forever. The head is as reserved-bit-4 as the
// tail (spec 11.4.9.1-2): the queue stops with IQE instead.
TEST_CASE("A 256-bit queue whose head is not 32-byte aligned stops with IQE, not a hang",
          "[vtd][fuzz]") {
    constexpr uint64_t kQueue = 0x10000;
    Rig r;
    for (uint64_t a = 0; a < 4096; a += 16) r.mem.write_u64(kQueue + a, 2 | (1u << 4));  // global IOTLB
    r.unit.write(reg::IQA, kQueue, 8);
    r.unit.write(reg::GCMD, vtd::gcmd::QIE, 4);
    r.unit.write(reg::IQT, 0x10, 8);  // one 128-bit descriptor: IQH 0x10
    REQUIRE(r.unit.read(reg::IQH, 8) == 0x10);
    r.unit.write(reg::IQA, kQueue | (1u << 11), 8);  // DW=1 under a running queue
    r.unit.write(reg::IQT, 0x40, 8);
    CHECK(r.unit.read(reg::FSTS, 4) & vtd::fsts::IQE);
    CHECK(r.unit.read(reg::IQH, 8) == 0x10);
}
