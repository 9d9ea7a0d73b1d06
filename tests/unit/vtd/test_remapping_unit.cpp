// The VT-d register page: capability straps, the enable handshakes and primary fault
// logging. Tables here are raw qwords written from the spec's bit positions.
#include <catch2/catch.hpp>

#include "models/vtd/regs.h"
#include "tests/unit/vtd/vtd_rig.h"


TEST_CASE("CAP and ECAP read back the strapped fields at their bit positions", "[vtd]") {
    Rig r;
    // Defaults: ND=6, SAGAW=0x6, MGAW=48 (field 47), FRO=0x22, SLLPS=3, PSI, NFR=8
    // (field 7), MAMV=18, FL1GP.
    const uint64_t cap = 6 | (0x6ull << 8) | (47ull << 16) | (0x22ull << 24) | (3ull << 34) |
                         (1ull << 39) | (7ull << 40) | (18ull << 48) | (1ull << 56);
    CHECK(r.unit.read(reg::CAP, 8) == cap);
    // C, QI, PT, SC, IRO=0x50, PSS=19, SLTS
    const uint64_t ecap = 1 | 2 | (1 << 6) | (1 << 7) | (0x50ull << 8) | (19ull << 35) | (1ull << 46);
    CHECK(r.unit.read(reg::ECAP, 8) == ecap);
    CHECK(r.unit.read(reg::ECAP + 4, 4) == ecap >> 32);
    CHECK(r.unit.read(reg::VER, 4) == 0x10);
    r.unit.strap_cap(cap & ~(3ull << 34));  // no large pages
    CHECK(r.unit.caps().sllps == 0);
    r.unit.write(reg::CAP, 0, 8);  // read-only
    CHECK(r.unit.read(reg::CAP, 8) == (cap & ~(3ull << 34)));
}

TEST_CASE("GCMD: SRTP latches RTADDR, TE turns translation on and off", "[vtd]") {
    Rig r;
    CHECK(r.access(0x0008, 0x1000, true).pa == 0x1000);  // disabled: untranslated
    r.unit.write(reg::RTADDR, 0x1000, 8);
    CHECK(r.unit.read(reg::GSTS, 4) == 0);
    r.unit.write(reg::GCMD, vtd::gcmd::SRTP, 4);
    CHECK(r.unit.read(reg::GSTS, 4) == vtd::gcmd::SRTP);  // RTPS
    CHECK(r.unit.read(reg::GCMD, 4) == 0);                 // GCMD reads as zero
    r.unit.write(reg::RTADDR, 0x9000, 8);  // not latched until the next SRTP
    r.unit.write(reg::GCMD, vtd::gcmd::TE, 4);
    CHECK(r.unit.read(reg::GSTS, 4) == (vtd::gcmd::TE | vtd::gcmd::SRTP));
    auto res = r.access(0x0008, 0x1000, false);
    CHECK_FALSE(res.fault);
    CHECK(res.pa == 0x80001000);
    r.unit.write(reg::GCMD, 0, 4);
    CHECK_FALSE(r.unit.translation_enabled());
}

TEST_CASE("Faults fill the recording registers, a full set overflows into PFO", "[vtd]") {
    Rig r;
    r.caps.nfr = 2;
    r.unit.strap_cap(r.caps.cap());
    r.enable();
    CHECK(r.access(0x0008, 0x1234, true).reason == vtd::fault::WRITE);
    // Record 0: FI = page, SID, FR=5, T=0 (write), F.
    CHECK(r.frcd(0, false) == 0x1000);
    CHECK(r.frcd(0, true) == ((1ull << 63) | (5ull << 32) | 0x0008));
    uint32_t fsts = uint32_t(r.unit.read(reg::FSTS, 4));
    CHECK(fsts == vtd::fsts::PPF);  // FRI 0
    CHECK(r.access(0x0010, 0x5000, false).reason == vtd::fault::CONTEXT_NOT_PRESENT);
    CHECK(r.frcd(1, true) == ((1ull << 63) | (1ull << 62) | (2ull << 32) | 0x0010));  // T=1: read
    // Both records pending: the third fault is dropped and sets PFO.
    CHECK(r.access(0x0108, 0x7000, false).reason == vtd::fault::ROOT_NOT_PRESENT);
    fsts = uint32_t(r.unit.read(reg::FSTS, 4));
    CHECK(fsts == (vtd::fsts::PPF | vtd::fsts::PFO));
    CHECK(r.frcd(0, false) == 0x1000);
    // Software clears record 0 (F is RW1C) and PFO; recording resumes at record 0.
    r.unit.write(r.caps.fro * 16 + 8, 1ull << 63, 8);
    r.unit.write(reg::FSTS, vtd::fsts::PFO, 4);
    // Record 1 is still pending: PPF stays set, and FRI keeps the index recorded when
    // hardware set PPF (spec 11.4.9), which was 0.
    CHECK(uint32_t(r.unit.read(reg::FSTS, 4)) == vtd::fsts::PPF);
    r.access(0x0108, 0x7000, false);
    CHECK(r.frcd(0, true) == ((1ull << 63) | (1ull << 62) | (1ull << 32) | 0x0108));
}

TEST_CASE("FPD in the context entry suppresses recording but still blocks", "[vtd]") {
    Rig r;
    r.enable();
    auto res = r.access(0x0009, 0x1000, true);
    CHECK(res.fault);
    CHECK(res.reason == vtd::fault::WRITE);
    CHECK_FALSE(res.record);
    CHECK(r.unit.read(reg::FSTS, 4) == 0);
    CHECK(r.frcd(0, true) == 0);
}

TEST_CASE("Register-based invalidation completes and reports its granularity", "[vtd]") {
    Rig r;
    // CCMD: ICC=1, CIRG=01 (global) -> ICC reads 0, CAIG (60:59) = 01.
    r.unit.write(reg::CCMD, (1ull << 63) | (1ull << 61), 8);
    CHECK(r.unit.read(reg::CCMD, 8) == ((1ull << 61) | (1ull << 59)));
    const uint32_t iotlb = r.caps.iro * 16 + 8;
    // IOTLB_REG: IVT=1, IIRG=10 (domain) -> IVT 0, IAIG (58:57) = 10.
    r.unit.write(iotlb, (1ull << 63) | (2ull << 60) | (5ull << 32), 8);
    CHECK(r.unit.read(iotlb, 8) == ((2ull << 60) | (5ull << 32) | (2ull << 57)));
    CHECK(RemappingUnit::offset_of("IOTLB_REG", r.caps)->first == iotlb);
    CHECK(RemappingUnit::offset_of("RTADDR_REG", r.caps)->first == 0x20);
    CHECK_FALSE(RemappingUnit::offset_of("NOPE_REG", r.caps));
}
