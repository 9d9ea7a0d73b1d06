// SmmuUnit and PCIe ATS (IHI 0070 §3.9.1): Translation Requests and Translated requests
// under STE.EATS, SMMU_CR0.ATSCHK and SMMUEN, with the events §7.3 names for them.
#include <catch2/catch.hpp>

#include "tests/unit/smmuv3/ats_rig.h"

using namespace smmu_rig;
namespace ev = smmuv3::event;
using smmuv3::cr0::ATSCHK;

namespace {

// sid 1: stage 1 (va 0x1000 -> 0x80001000 read/write) with the given EATS; enabled.
void ats_stream(AtsRig& r, unsigned eats, uint32_t cr0 = AtsRig::kOn) {
    r.stage1_stream(1);
    auto f = r.s1_ste(kCd);
    f.eats = eats;
    r.put_ste(1, f);
    r.enable();
    r.set_cr0(cr0);
}

}  // namespace

// §5.2 EATS 0b00: a TR is UR with F_BAD_ATS_TREQ; Translated traffic is F_TRANSL_FORBIDDEN
// with ATSCHK == 1 and bypasses the SMMU with ATSCHK == 0.
TEST_CASE("smmuv3 ats: EATS 0b00 refuses TRs, and Translated traffic under ATSCHK", "[smmuv3][ats]") {
    AtsRig r;
    ats_stream(r, 0, AtsRig::kOn | ATSCHK);
    const auto t = r.tr(1, 0x1000);
    CHECK(t.fault);
    CHECK(t.reason == ev::F_BAD_ATS_TREQ);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(r.event_id(0) == ev::F_BAD_ATS_TREQ);
    CHECK((r.event(0, 0) >> 32) == 1);  // StreamID
    CHECK(r.event(0, 2) == 0x1000);     // input address
    const auto x = r.translated(1, 0x80001000);
    CHECK(x.fault);
    CHECK(x.reason == ev::F_TRANSL_FORBIDDEN);
    REQUIRE(r.evtq_prod() == 2);
    CHECK(r.event_id(1) == ev::F_TRANSL_FORBIDDEN);
    CHECK(r.event(1, 2) == 0x80001000);
    r.set_cr0(AtsRig::kOn);  // ATSCHK 0: no check at all
    const auto y = r.translated(1, 0x80001000, true);
    CHECK_FALSE(y.fault);
    CHECK(y.pa == 0x80001000);
    CHECK(r.evtq_prod() == 2);
}

// EATS 0b01 (full ATS): a TR gets the translation, page aligned, with the permissions it
// asked for of those the tables grant; Translated traffic passes at its own address.
TEST_CASE("smmuv3 ats: full ATS answers TRs with the translation", "[smmuv3][ats]") {
    AtsRig r;
    ats_stream(r, 1, AtsRig::kOn | ATSCHK);
    auto t = r.tr(1, 0x1000);
    REQUIRE_FALSE(t.fault);
    CHECK(t.pa == 0x80001000);
    CHECK(t.page_size == 4096);
    CHECK(t.read);
    CHECK(t.write);
    t = r.tr(1, 0x1000, true);  // NW: read only asked for
    REQUIRE_FALSE(t.fault);
    CHECK(t.read);
    CHECK_FALSE(t.write);
    const auto x = r.translated(1, 0x80001000, true);
    CHECK_FALSE(x.fault);
    CHECK(x.pa == 0x80001000);
    CHECK(r.evtq_prod() == 0);
    CHECK(r.stat("ats.requests") == 2);
    CHECK(r.stat("ats.translated") == 1);
}

// §3.9.1.2: a translation fault answers Success with R == W == 0 (one STU) and records
// nothing, even with CD.R set; so does a TR the TLB already holds (no event either).
TEST_CASE("smmuv3 ats: a TR's translation fault is R=W=0 without an event", "[smmuv3][ats]") {
    AtsRig r;
    ats_stream(r, 1);
    const auto t = r.tr(1, 0x5000);  // unmapped
    CHECK_FALSE(t.fault);
    CHECK_FALSE(t.read);
    CHECK_FALSE(t.write);
    CHECK(t.page_size == 4096);
    CHECK(r.evtq_prod() == 0);
    CHECK(r.stat("ats.denied") == 1);
    CHECK(r.stat("faults") == 0);
    CHECK(r.access(1, 0x5000).fault);  // the same address untranslated records F_TRANSLATION
    CHECK(r.evtq_prod() == 1);
}

// F_PERMISSION: "R, W and Exe granted, where requested, from available permissions": a
// write TR to a read-only page gets R alone, without an event.
TEST_CASE("smmuv3 ats: a write TR to a read-only page is granted read", "[smmuv3][ats]") {
    AtsRig r;
    const uint64_t root = r.stage1_stream(1);
    auto ro = AtsRig::rw_all();
    ro.ap = 3;  // read-only at EL0 and EL1
    r.map_page(root, 0x2000, 0x80002000, ro);
    auto f = r.s1_ste(kCd);
    f.eats = 1;
    r.put_ste(1, f);
    r.enable();
    const auto t = r.tr(1, 0x2000);
    REQUIRE_FALSE(t.fault);
    CHECK(t.pa == 0x80002000);
    CHECK(t.read);
    CHECK_FALSE(t.write);
    CHECK(r.evtq_prod() == 0);
    CHECK(r.access(1, 0x2000, true).reason == ev::F_PERMISSION);  // untranslated: the fault
}

// A TR's translation fills the TLB (§3.9.1: TRs may use and fill SMMU TLB entries).
TEST_CASE("smmuv3 ats: a TR fills the TLB the next TR hits", "[smmuv3][ats]") {
    AtsRig r;
    ats_stream(r, 1);
    REQUIRE_FALSE(r.tr(1, 0x1000).fault);
    const uint64_t walks = r.stat("walks");
    const auto t = r.tr(1, 0x1000);
    CHECK(t.pa == 0x80001000);
    CHECK(r.stat("walks") == walks);
}

// STE.Config bypass: EATS is IGNORED with an effective 0b00; Config 0b000: TRs UR and
// (ATSCHK) Translated traffic aborted, both silently.
TEST_CASE("smmuv3 ats: bypass and abort STEs", "[smmuv3][ats]") {
    AtsRig r;
    smmu_enc::SteFields f;  // bypass
    f.eats = 1;
    r.put_ste(3, f);
    f.config = 0;  // abort
    r.put_ste(4, f);
    r.enable();
    r.set_cr0(AtsRig::kOn | ATSCHK);
    CHECK(r.tr(3, 0x1000).reason == ev::F_BAD_ATS_TREQ);
    CHECK(r.translated(3, 0x1000).reason == ev::F_TRANSL_FORBIDDEN);
    CHECK(r.evtq_prod() == 2);
    CHECK(r.tr(4, 0x1000).fault);
    CHECK(r.translated(4, 0x1000).fault);
    CHECK(r.evtq_prod() == 2);  // no event
    CHECK_FALSE(r.access(3, 0x1000).fault);  // untranslated traffic still bypasses
}

// §3.9.1.2/3: SMMUEN == 0 refuses both with their events, whatever GBPA says.
TEST_CASE("smmuv3 ats: SMMUEN 0 refuses TRs and Translated traffic", "[smmuv3][ats]") {
    AtsRig r;
    r.unit->write(reg::EVENTQ_BASE, kEvtq | 3, 8);
    r.set_cr0(smmuv3::cr0::EVENTQEN | ATSCHK);
    CHECK(r.tr(1, 0x1000).reason == ev::F_BAD_ATS_TREQ);
    CHECK(r.translated(1, 0x1000).reason == ev::F_TRANSL_FORBIDDEN);
    CHECK(r.evtq_prod() == 2);
    CHECK_FALSE(r.access(1, 0x1000).fault);  // GBPA bypass for untranslated
}

// Without IDR0.ATS no TR can succeed nor Translated traffic pass (§5.2 EATS).
TEST_CASE("smmuv3 ats: an SMMU without ATS refuses both", "[smmuv3][ats]") {
    AtsRig r;
    r.caps.ats = false;
    r.rebuild();
    ats_stream(r, 1);
    CHECK(r.tr(1, 0x1000).reason == ev::F_BAD_ATS_TREQ);
    CHECK(r.translated(1, 0x80001000).reason == ev::F_TRANSL_FORBIDDEN);
}

// Configuration errors end the TR (Completer Abort in the spec) and are recorded only
// with IDR0.ATSRECERR and CR2.REC_CFG_ATS.
TEST_CASE("smmuv3 ats: a TR's configuration error records only with REC_CFG_ATS", "[smmuv3][ats]") {
    AtsRig r;
    smmu_enc::SteFields f;
    f.valid = false;
    r.put_ste(5, f);
    r.enable();
    const auto t = r.tr(5, 0x1000);
    CHECK(t.fault);
    CHECK(t.reason == ev::C_BAD_STE);
    CHECK(r.evtq_prod() == 0);
    r.caps.atsrecerr = true;
    r.rebuild();
    r.enable();
    r.unit->write(reg::CR2, smmuv3::cr2::REC_CFG_ATS, 4);
    CHECK(r.tr(5, 0x1000).reason == ev::C_BAD_STE);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(r.event_id(0) == ev::C_BAD_STE);
    CHECK(r.access(5, 0x1000).reason == ev::C_BAD_STE);  // untranslated: always recorded
    CHECK(r.evtq_prod() == 2);
}

// EATS 0b10 (split-stage): Translated traffic carries IPAs that stage 2 translates; with
// ATSCHK == 0 it behaves as 0b00; with IDR0.NS1ATS (no split-stage) it is ILLEGAL.
TEST_CASE("smmuv3 ats: split-stage Translated traffic goes through stage 2", "[smmuv3][ats]") {
    AtsRig r;
    const uint64_t s1 = r.s1_root();
    const uint64_t s2 = r.tables.new_root(1, 39);
    r.tables.map(s2, 1, 39, 0x40000000, 3, vmsatest::s2_leaf(Tg::k4K, 3, 0x90000000));
    r.put(kCd, smmu_enc::cd(r.cd_fields(s1)));
    auto f = r.s1_ste(kCd);
    f.config = 0b111;
    AtsRig::with_stage2(f, s2, 3);
    f.s2r = true;  // record stage 2 faults
    f.eats = 2;
    r.put_ste(1, f);
    r.enable();
    SECTION("ATSCHK 1: stage 2 translates the IPA") {
        r.set_cr0(AtsRig::kOn | ATSCHK);
        const auto x = r.translated(1, 0x40000000);
        REQUIRE_FALSE(x.fault);
        CHECK(x.pa == 0x90000000);
        CHECK(r.translated(1, 0x40000000).pa == 0x90000000);  // TLB hit, same answer
        CHECK(r.translated(1, 0x40001000).reason == ev::F_TRANSLATION);  // stage 2 fault, recorded
        CHECK(r.evtq_prod() == 1);
    }
    SECTION("ATSCHK 0: behaves as EATS 0b00") {
        CHECK(r.tr(1, 0x1000).reason == ev::F_BAD_ATS_TREQ);
    }
    SECTION("IDR0.NS1ATS: ILLEGAL") {
        r.caps.ns1ats = true;
        r.rebuild();
        r.enable();
        r.set_cr0(AtsRig::kOn | ATSCHK);
        CHECK(r.translated(1, 0x40000000).reason == ev::C_BAD_STE);
    }
}

// §3.9.1.1: Translated traffic let through unchecked still has its address size
// checked; the model aborts it without an event (one of the two permitted behaviours).
TEST_CASE("smmuv3 ats: a Translated address above the OAS aborts", "[smmuv3][ats]") {
    AtsRig r;
    ats_stream(r, 1);
    const auto x = r.translated(1, uint64_t(1) << 50);  // OAS 48 bits
    CHECK(x.fault);
    CHECK(r.evtq_prod() == 0);
}

// A TR that waited on another request's walk is granted write only if it asked (not NW).
TEST_CASE("smmuv3 ats: a merged TR keeps its own NW", "[smmuv3][ats]") {
    AtsRig r;
    ats_stream(r, 1);
    const auto walked = r.tr(1, 0x1000);
    REQUIRE(walked.write);
    iommu::Request q = testutil::dma(1, 0x1000, false);
    q.at = iommu::At::TranslationRequest;
    q.read = true;  // NW: write not asked for
    const auto m = r.unit->merged(q, walked);
    CHECK(m.pa == 0x80001000);
    CHECK(m.read);
    CHECK_FALSE(m.write);
}

// §3.9.1.3: with ATSCHK a Translated request from a StreamID outside the stream table
// aborts; C_BAD_STREAMID is then recorded as REC_CFG_ATS says, whatever CR2.RECINVSID.
TEST_CASE("smmuv3 ats: Translated traffic from an unknown StreamID under ATSCHK", "[smmuv3][ats]") {
    AtsRig r;
    r.caps.atsrecerr = true;
    r.rebuild();
    r.enable();  // 256 STEs
    r.set_cr0(AtsRig::kOn | ATSCHK);
    CHECK(r.translated(300, 0x1000).reason == ev::C_BAD_STREAMID);
    CHECK(r.evtq_prod() == 0);
    r.unit->write(reg::CR2, smmuv3::cr2::REC_CFG_ATS, 4);  // RECINVSID clear
    CHECK(r.translated(300, 0x1000).reason == ev::C_BAD_STREAMID);
    REQUIRE(r.evtq_prod() == 1);
    CHECK(r.event_id(0) == ev::C_BAD_STREAMID);
}

// §13.6.3 split-stage: a TR walks both stages and is answered with stage 1's IPA; the
// device's Translated requests then carry that IPA through stage 2. The TLB (which
// holds PAs) never answers a split-stage TR.
TEST_CASE("smmuv3 ats: a split-stage TR is answered with the IPA", "[smmuv3][ats]") {
    AtsRig r;
    const uint64_t s2root = r.s2_identity_low_gib();
    const uint64_t s1root = r.s1_root();
    r.map_page(s1root, 0x1000, 0x40005000);
    r.put(kCd, smmu_enc::cd(r.cd_fields(s1root)));
    auto f = r.s1_ste(kCd);
    f.config = 0b111;
    AtsRig::with_stage2(f, s2root, 3);
    f.eats = 2;
    r.put_ste(6, f);
    r.enable();
    r.set_cr0(AtsRig::kOn | ATSCHK);
    CHECK(r.access(6, 0x1000).pa == 0xc0005000);  // untranslated: both stages, TLB filled
    for (int i = 0; i < 2; ++i) {
        const auto t = r.tr(6, 0x1000);
        REQUIRE_FALSE(t.fault);
        CHECK(t.pa == 0x40005000);
        CHECK(t.page_size == 4096);
        CHECK(t.write);
    }
    CHECK(r.translated(6, 0x40005000).pa == 0xc0005000);
    const auto hole = r.tr(6, 0x7000);  // stage 1 maps nothing there: R=W=0, no event
    CHECK_FALSE(hole.fault);
    CHECK_FALSE(hole.read);
    CHECK(r.evtq_prod() == 0);
}
