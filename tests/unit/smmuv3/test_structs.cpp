// SMMUv3 STE and CD decoding and checks, and where STEs and CDs live (IHI 0070 §3.3,
// §5.1-§5.4): vectors built by the test encoder in tests/support/smmuv3 and literal
// doublewords written from the spec's field tables.
#include <catch2/catch.hpp>

#include "models/smmuv3/capabilities.h"
#include "models/smmuv3/cd.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/ste.h"
#include "models/smmuv3/stream_table.h"
#include "tests/support/smmuv3/smmu_structs.h"

using namespace smmuv3;

namespace {

// A stage-2 configuration that is legal on the default Caps: 40-bit IPA (S2T0SZ 24),
// 4K granule, start at level 1 (S2SL0 1), 40-bit output (S2PS 2).
smmu_enc::SteFields s2_fields(unsigned config) {
    smmu_enc::SteFields f;
    f.config = config;
    f.s2vmid = 7;
    f.s2t0sz = 24;
    f.s2sl0 = 1;
    f.s2tg = 0;
    f.s2ps = 2;
    f.s2ttb = 0x80000000;
    f.s1_context_ptr = 0x40000;
    return f;
}

Ste ste_of(const smmu_enc::Ste& dw) { return decode_ste(dw.data()); }
Cd cd_of(const smmu_enc::Cd& dw) { return decode_cd(dw.data()); }

}  // namespace

TEST_CASE("smmuv3: Every STE Config selects abort, bypass, stage 1, stage 2 or both", "[smmuv3][ste]") {
    const Caps caps;
    for (unsigned config = 0; config < 8; ++config) {
        CAPTURE(config);
        const Ste s = ste_of(smmu_enc::ste(s2_fields(config)));
        CHECK(s.v);
        CHECK(s.config == config);
        CHECK(s.abort() == (config < 4));
        CHECK(s.bypass() == (config == 4));
        CHECK(s.stage1() == (config == 5 || config == 7));
        CHECK(s.stage2() == (config == 6 || config == 7));
        CHECK_FALSE(check_ste(s, caps).has_value());
    }
}

TEST_CASE("smmuv3: STE fields come from their architectural bits", "[smmuv3][ste]") {
    // Written from the §5.2 field table, not from the encoder.
    uint64_t dw[8] = {};
    dw[0] = 1 | (0b111ull << 1) | (2ull << 4) | 0x123456780ull | (10ull << 59);
    dw[1] = 2 | (1ull << 2) | (3ull << 4) | (2ull << 6) | (1ull << 27) | (1ull << 28) | (2ull << 30) | (0xfull << 32) |
            (1ull << 36) | (0x5ull << 37) | (1ull << 44) | (3ull << 46) | (2ull << 48) | (1ull << 50);
    dw[2] = 0xbeef | (25ull << 32) | (2ull << 38) | (1ull << 40) | (2ull << 42) | (3ull << 44) | (2ull << 46) |
            (5ull << 48) | (1ull << 51) | (1ull << 52) | (1ull << 53) | (1ull << 54) | (1ull << 55) | (1ull << 56) |
            (1ull << 57) | (1ull << 58);
    dw[3] = 0xfedcba9876540ull;
    const Ste s = decode_ste(dw);
    CHECK(s.v);
    CHECK(s.config == 7);
    CHECK(s.s1fmt == 2);
    CHECK(s.s1_context_ptr == 0x123456780ull);
    CHECK(s.s1cdmax == 10);
    CHECK(s.s1dss == 2);
    CHECK(s.s1cir == 1);
    CHECK(s.s1cor == 3);
    CHECK(s.s1csh == 2);
    CHECK(s.s1stalld);
    CHECK(s.eats == 1);
    CHECK(s.strw == 2);
    CHECK(s.memattr == 0xf);
    CHECK(s.mtcfg);
    CHECK(s.alloccfg == 5);
    CHECK(s.shcfg == 1);
    CHECK(s.nscfg == 3);
    CHECK(s.privcfg == 2);
    CHECK(s.instcfg == 1);
    CHECK(s.s2vmid == 0xbeef);
    CHECK(s.s2t0sz == 25);
    CHECK(s.s2sl0 == 2);
    CHECK(s.s2ir0 == 1);
    CHECK(s.s2or0 == 2);
    CHECK(s.s2sh0 == 3);
    CHECK(s.s2tg == 2);
    CHECK(s.s2ps == 5);
    CHECK((s.s2aa64 && s.s2endi && s.s2affd && s.s2ptw && s.s2hd && s.s2ha && s.s2s && s.s2r));
    CHECK(s.s2ttb == 0xfedcba9876540ull);

    // The test encoder writes the same doublewords from the same named fields.
    smmu_enc::SteFields f;
    f.config = 7;
    f.s1fmt = 2;
    f.s1_context_ptr = 0x123456780ull;
    f.s1cdmax = 10;
    f.s1dss = 2;
    f.s1cir = 1;
    f.s1cor = 3;
    f.s1csh = 2;
    f.s1stalld = true;
    f.eats = 1;
    f.strw = 2;
    f.memattr = 0xf;
    f.mtcfg = true;
    f.alloccfg = 5;
    f.shcfg = 1;
    f.nscfg = 3;
    f.privcfg = 2;
    f.instcfg = 1;
    f.s2vmid = 0xbeef;
    f.s2t0sz = 25;
    f.s2sl0 = 2;
    f.s2ir0 = 1;
    f.s2or0 = 2;
    f.s2sh0 = 3;
    f.s2tg = 2;
    f.s2ps = 5;
    f.s2endi = f.s2affd = f.s2ptw = f.s2hd = f.s2ha = f.s2s = f.s2r = true;
    f.s2ttb = 0xfedcba9876540ull;
    const auto enc = smmu_enc::ste(f);
    for (int i = 0; i < 8; ++i) CHECK(enc[i] == dw[i]);
}

TEST_CASE("smmuv3: An STE the SMMU cannot honour is ILLEGAL, for the reason the spec gives", "[smmuv3][ste]") {
    Caps caps;
    auto why = [&](smmu_enc::SteFields f) { return check_ste(ste_of(smmu_enc::ste(f)), caps); };
    smmu_enc::SteFields f = s2_fields(7);
    REQUIRE_FALSE(why(f).has_value());

    SECTION("V == 0") {
        f.valid = false;
        CHECK(why(f) == SteIllegal::NotValid);
        f.config = 0;  // even an abort STE must be valid
        CHECK(why(f) == SteIllegal::NotValid);
    }
    SECTION("a stage the SMMU lacks") {
        caps.s1p = false;
        CHECK(why(f) == SteIllegal::Stage1Unsupported);
        f.config = 6;
        CHECK_FALSE(why(f).has_value());
        caps.s2p = false;
        CHECK(why(f) == SteIllegal::Stage2Unsupported);
        f.config = 4;  // bypass needs neither
        CHECK_FALSE(why(f).has_value());
    }
    SECTION("CD table format and size") {
        f.s1cdmax = 4;
        f.s1fmt = 3;
        CHECK(why(f) == SteIllegal::S1FmtReserved);
        f.s1fmt = 1;
        caps.cd2l = false;
        CHECK(why(f) == SteIllegal::TwoLevelCdUnsupported);
        f.s1fmt = 0;
        CHECK_FALSE(why(f).has_value());
        caps.ssidsize = 3;
        CHECK(why(f) == SteIllegal::S1CDMaxTooBig);
        f.s1cdmax = 0;
        f.s1fmt = 3;  // ignored with a single CD
        CHECK_FALSE(why(f).has_value());
    }
    SECTION("S1STALLD when stalls cannot be disabled") {
        f.s1stalld = true;
        caps.stall_model = idr0::STALL_MODEL_BOTH;
        CHECK_FALSE(why(f).has_value());
        caps.stall_model = idr0::STALL_MODEL_TERMINATE;
        CHECK(why(f) == SteIllegal::S1StalldNotAllowed);
    }
    SECTION("EATS and STRW reserved encodings") {
        f.eats = 3;
        CHECK_FALSE(why(f).has_value());  // IGNORED without IDR0.ATS
        caps.ats = true;
        CHECK(why(f) == SteIllegal::EatsReserved);
        f.eats = 0;
        f.strw = 1;
        CHECK(why(f) == SteIllegal::StrwReserved);
        f.strw = 2;
        caps.hyp = false;
        CHECK(why(f) == SteIllegal::StrwReserved);
        caps.hyp = true;
        CHECK_FALSE(why(f).has_value());
    }
    SECTION("EATS split-stage needs Config 0b111 and NS1ATS 0; ATS forbids a stalling stage 2") {
        caps.ats = true;
        f.eats = 2;  // f is Config 0b111
        CHECK_FALSE(why(f).has_value());
        caps.ns1ats = true;  // split-stage not supported
        CHECK(why(f) == SteIllegal::EatsSplitInvalid);
        caps.ns1ats = false;
        f.config = 0b110;
        CHECK(why(f) == SteIllegal::EatsSplitInvalid);
        f.eats = 1;
        CHECK_FALSE(why(f).has_value());
        caps.stall_model = idr0::STALL_MODEL_BOTH;
        f.s2s = true;
        CHECK(why(f) == SteIllegal::EatsWithStage2Stall);
        caps.ats = false;  // EATS IGNORED
        CHECK_FALSE(why(f).has_value());
    }
    SECTION("stage-2 table format") {
        f.s2aa64 = false;
        CHECK(why(f) == SteIllegal::S2Aarch32);
        f.s2aa64 = true;
        f.s2tg = 3;
        CHECK(why(f) == SteIllegal::S2GranuleUnsupported);
        f.s2tg = 0;
        caps.gran4k = false;
        CHECK(why(f) == SteIllegal::S2GranuleUnsupported);
    }
    SECTION("S2T0SZ range and S2SL0 consistency") {
        f.s2t0sz = 15;
        CHECK(why(f) == SteIllegal::S2T0szOutOfRange);
        f.s2t0sz = 40;
        CHECK(why(f) == SteIllegal::S2T0szOutOfRange);
        // 4K from level 1 resolves 31 to 43 input bits (up to 16 concatenated tables).
        f.s2t0sz = 64 - 43;
        CHECK_FALSE(why(f).has_value());
        f.s2t0sz = 64 - 44;
        CHECK(why(f) == SteIllegal::S2Sl0Inconsistent);
        f.s2t0sz = 64 - 30;
        CHECK(why(f) == SteIllegal::S2Sl0Inconsistent);
        f.s2t0sz = 24;
        f.s2sl0 = 3;
        CHECK(why(f) == SteIllegal::S2Sl0Inconsistent);
        // 64K from level 1 (S2SL0 2) needs PAMax >= 44 (Arm ARM AArch64.S2InvalidSL):
        // a 48-bit IPA over 64K needs the level-1 start on a 48-bit SMMU.
        f.s2tg = 1;
        f.s2sl0 = 2;
        f.s2t0sz = 64 - 48;
        CHECK_FALSE(why(f).has_value());
        caps.oas = 3;  // 42 bits
        f.s2ps = 3;
        f.s2ttb = 0;
        CHECK(why(f) == SteIllegal::S2Sl0Inconsistent);
        caps.oas = 5;
        f.s2sl0 = 1;  // level 2: 30..46 bits
        f.s2t0sz = 64 - 42;
        CHECK_FALSE(why(f).has_value());
    }
    SECTION("endianness and stall against the IDRs") {
        caps.ttendian = idr0::TTENDIAN_BE;
        CHECK(why(f) == SteIllegal::S2EndiUnsupported);
        f.s2endi = true;
        CHECK_FALSE(why(f).has_value());
        caps.ttendian = idr0::TTENDIAN_LE;
        CHECK(why(f) == SteIllegal::S2EndiUnsupported);
        caps.ttendian = idr0::TTENDIAN_MIXED;
        f.s2s = true;
        caps.stall_model = idr0::STALL_MODEL_TERMINATE;
        CHECK(why(f) == SteIllegal::S2StallInconsistent);
        f.s2s = false;
        caps.stall_model = idr0::STALL_MODEL_FORCE;
        CHECK(why(f) == SteIllegal::S2StallInconsistent);
    }
    SECTION("S2TTB beyond the effective S2PS") {
        f.s2ttb = uint64_t(1) << 40;  // S2PS 2: 40 bits
        CHECK(why(f) == SteIllegal::S2TtbBeyondPs);
        f.s2ps = 5;  // 48 bits, but OAS 44 caps it
        caps.oas = 4;
        CHECK(s2_effective_ps_bits(ste_of(smmu_enc::ste(f)), caps) == 44);
        CHECK_FALSE(why(f).has_value());
        f.s2ttb = uint64_t(1) << 44;
        CHECK(why(f) == SteIllegal::S2TtbBeyondPs);
    }
    SECTION("stage-2 fields are ignored without stage 2") {
        f.config = 5;
        f.s2tg = 3;
        f.s2ttb = uint64_t(1) << 50;
        CHECK_FALSE(why(f).has_value());
    }
}

TEST_CASE("smmuv3: CD fields come from their architectural bits", "[smmuv3][cd]") {
    uint64_t dw[8] = {};
    dw[0] = 20 | (2ull << 6) | (1ull << 8) | (2ull << 10) | (3ull << 12) | (1ull << 14) | (1ull << 15) |
            (33ull << 16) | (1ull << 22) | (1ull << 30) | (1ull << 31) | (4ull << 32) | (1ull << 35) | (1ull << 38) |
            (1ull << 41) | (1ull << 42) | (1ull << 43) | (1ull << 44) | (1ull << 45) | (1ull << 46) | (1ull << 47) |
            (0xabcdull << 48);
    dw[1] = 0x000f123456789ab0ull;
    dw[3] = 0x0044ff04;
    const Cd c = decode_cd(dw);
    CHECK(c.t0sz == 20);
    CHECK(c.tg0 == 2);
    CHECK(c.irgn0 == 1);
    CHECK(c.orgn0 == 2);
    CHECK(c.sh0 == 3);
    CHECK(c.epd0);
    CHECK(c.endi);
    CHECK(c.t1sz == 33);
    CHECK(c.tg1 == 1);
    CHECK(c.epd1);
    CHECK(c.v);
    CHECK(c.ips == 4);
    CHECK(c.affd);
    CHECK(c.tbi0);
    CHECK_FALSE(c.tbi1);
    CHECK((c.aa64 && c.hd && c.ha && c.s && c.r && c.a && c.aset));
    CHECK(c.asid == 0xabcd);
    CHECK(c.ttb0 == 0x000f123456789ab0ull);
    CHECK(c.mair == 0x0044ff04);

    smmu_enc::CdFields f;
    f.t0sz = 20;
    f.tg0 = 2;
    f.irgn0 = 1;
    f.orgn0 = 2;
    f.sh0 = 3;
    f.epd0 = f.endi = f.epd1 = true;
    f.t1sz = 33;
    f.tg1 = 1;
    f.ips = 4;
    f.affd = f.tbi0 = f.hd = f.ha = f.s = f.aset = true;
    f.asid = 0xabcd;
    f.ttb0 = 0x000f123456789ab0ull;
    f.mair = 0x0044ff04;
    const auto enc = smmu_enc::cd(f);
    for (int i = 0; i < 8; ++i) CHECK(enc[i] == dw[i]);
}

TEST_CASE("smmuv3: A CD the SMMU cannot honour is ILLEGAL, for the reason the spec gives", "[smmuv3][cd]") {
    Caps caps;
    auto why = [&](const smmu_enc::CdFields& f) { return check_cd(cd_of(smmu_enc::cd(f)), caps); };
    smmu_enc::CdFields f;  // 39-bit VA, 4K, 48-bit IPS
    f.ttb0 = 0x80000000;
    f.asid = 1;
    REQUIRE_FALSE(why(f).has_value());

    SECTION("V and AA64") {
        f.valid = false;
        CHECK(why(f) == CdIllegal::NotValid);
        f.valid = true;
        f.aa64 = false;
        CHECK(why(f) == CdIllegal::Aarch32);
        caps.ttf = idr0::TTF_BOTH;
        CHECK_FALSE(why(f).has_value());
    }
    SECTION("granule") {
        for (unsigned tg : {0u, 1u, 2u}) {
            f.tg0 = tg;
            CHECK_FALSE(why(f).has_value());
        }
        f.tg0 = 3;
        CHECK(why(f) == CdIllegal::Tg0Unsupported);
        f.tg0 = 2;
        caps.gran16k = false;
        CHECK(why(f) == CdIllegal::Tg0Unsupported);
        f.epd0 = true;  // TTB0 walks disabled: its fields are not checked
        CHECK_FALSE(why(f).has_value());
    }
    SECTION("T0SZ range") {
        f.t0sz = 16;
        CHECK_FALSE(why(f).has_value());
        f.t0sz = 15;
        CHECK(why(f) == CdIllegal::T0szOutOfRange);
        f.t0sz = 39;
        CHECK_FALSE(why(f).has_value());
        f.t0sz = 40;
        CHECK(why(f) == CdIllegal::T0szOutOfRange);
        caps.stt = true;  // small translation tables: up to 48 with 4K
        CHECK_FALSE(why(f).has_value());
        f.t0sz = 12;
        f.tg0 = 1;
        CHECK(why(f) == CdIllegal::T0szOutOfRange);
        caps.vax = 1;  // 52-bit VA with 64K
        CHECK_FALSE(why(f).has_value());
    }
    SECTION("endianness, stall and terminate models") {
        caps.ttendian = idr0::TTENDIAN_BE;
        CHECK(why(f) == CdIllegal::EndiUnsupported);
        caps.ttendian = idr0::TTENDIAN_MIXED;
        f.s = true;
        CHECK(why(f) == CdIllegal::StallInconsistent);  // default STALL_MODEL: terminate only
        f.s = false;
        caps.stall_model = idr0::STALL_MODEL_FORCE;
        CHECK(why(f) == CdIllegal::StallInconsistent);
        caps.stall_model = idr0::STALL_MODEL_BOTH;
        f.a = false;
        CHECK_FALSE(why(f).has_value());
        caps.term_model = true;
        CHECK(why(f) == CdIllegal::AbortRequired);
    }
    SECTION("TTB0 beyond the effective IPS") {
        f.ttb0 = uint64_t(1) << 32;
        f.ips = 0;  // 32 bits
        CHECK(why(f) == CdIllegal::Ttb0BeyondIps);
        f.ips = 1;
        CHECK_FALSE(why(f).has_value());
        f.ttb0 = uint64_t(1) << 40;
        f.ips = 6;  // 52 bits asked, OAS 40 gives 40
        caps.oas = 2;
        CHECK(cd_effective_ips_bits(cd_of(smmu_enc::cd(f)), caps) == 40);
        CHECK(why(f) == CdIllegal::Ttb0BeyondIps);
    }
}

TEST_CASE("smmuv3: A linear stream table holds 2^LOG2SIZE STEs, beyond is C_BAD_STREAMID", "[smmuv3][stream-table]") {
    Caps caps;
    caps.sidsize = 10;
    const uint32_t cfg = smmu_enc::strtab_base_cfg(0, 0, 8);
    CHECK(cfg == 0x8);
    const auto st = decode_strtab(0x4000000000000000ull | 0x81000, cfg, caps);
    CHECK(st.base == 0x81000);
    CHECK(st.ra);
    CHECK_FALSE(st.two_level);
    CHECK(locate_ste(st, 0).step == Step::Entry);
    CHECK(locate_ste(st, 0).addr == 0x81000);
    CHECK(locate_ste(st, 255).addr == 0x81000 + 255 * 64);
    CHECK(locate_ste(st, 256).step == Step::BadStreamId);
    // LOG2SIZE beyond IDR1.SIDSIZE behaves as SIDSIZE.
    const auto big = decode_strtab(0x81000, smmu_enc::strtab_base_cfg(0, 0, 20), caps);
    CHECK(big.log2size == 10);
    CHECK(locate_ste(big, 1023).step == Step::Entry);
    CHECK(locate_ste(big, 1024).step == Step::BadStreamId);
}

TEST_CASE("smmuv3: A two-level stream table: SPLIT 6, 8, 10, the L1 descriptor's SPAN", "[smmuv3][stream-table]") {
    Caps caps;
    // Linux's usual choice: FMT 1, SPLIT 8, LOG2SIZE 16 = 0x10210.
    CHECK(smmu_enc::strtab_base_cfg(1, 8, 16) == 0x10210);
    for (unsigned split : {6u, 8u, 10u}) {
        CAPTURE(split);
        const auto st = decode_strtab(0x100000, smmu_enc::strtab_base_cfg(1, split, 16), caps);
        REQUIRE(st.two_level);
        CHECK(st.split == split);
        CHECK_FALSE(st.split_reserved);
        const uint32_t sid = (5u << split) | 3;
        const Lookup l1 = locate_ste(st, sid);
        CHECK(l1.step == Step::ReadL1);
        CHECK(l1.addr == 0x100000 + 5 * 8);
        // A full level-2 table: SPAN = SPLIT + 1, 2^SPLIT STEs.
        const uint64_t full = smmu_enc::l1_std(split + 1, 0x200000);
        const Lookup ste = locate_ste_l2(st, sid, full);
        CHECK(ste.step == Step::Entry);
        CHECK(ste.addr == 0x200000 + 3 * 64);
        CHECK(locate_ste_l2(st, (5u << split) | ((1u << split) - 1), full).step == Step::Entry);
        CHECK(locate_ste(st, 1u << 16).step == Step::BadStreamId);
    }
    const auto st = decode_strtab(0x100000, smmu_enc::strtab_base_cfg(1, 8, 16), caps);
    SECTION("SPAN 0 means no level-2 table") {
        CHECK(locate_ste_l2(st, 0x103, smmu_enc::l1_std(0, 0x200000)).step == Step::BadStreamId);
        CHECK_FALSE(decode_l1_std(smmu_enc::l1_std(0, 0x200000)).valid());
    }
    SECTION("SPAN n holds 2^(n-1) STEs") {
        const uint64_t d = smmu_enc::l1_std(3, 0x200000);  // 4 STEs
        CHECK(decode_l1_std(d).l2_entries() == 4);
        CHECK(decode_l1_std(d).l2ptr == 0x200000);
        CHECK(locate_ste_l2(st, 0x103, d).step == Step::Entry);
        CHECK(locate_ste_l2(st, 0x103, d).addr == 0x200000 + 3 * 64);
        CHECK(locate_ste_l2(st, 0x104, d).step == Step::BadStreamId);
        CHECK(locate_ste_l2(st, 0x100, smmu_enc::l1_std(1, 0x200000)).step == Step::Entry);
        CHECK(locate_ste_l2(st, 0x101, smmu_enc::l1_std(1, 0x200000)).step == Step::BadStreamId);
    }
    SECTION("SPAN 12-31 are reserved and behave as 0") {
        CHECK(locate_ste_l2(st, 0x100, smmu_enc::l1_std(12, 0x200000)).step == Step::BadStreamId);
        CHECK(locate_ste_l2(st, 0x100, smmu_enc::l1_std(31, 0x200000)).step == Step::BadStreamId);
    }
    SECTION("SPLIT values other than 6, 8, 10 are reserved") {
        const auto odd = decode_strtab(0x100000, smmu_enc::strtab_base_cfg(1, 7, 16), caps);
        CHECK(odd.split_reserved);
        CHECK(odd.split_field == 7);
        CHECK(odd.split == 6);
    }
}

TEST_CASE("smmuv3: CD tables: one CD, linear, two-level with 4K and 64K leaves", "[smmuv3][cd-table]") {
    smmu_enc::SteFields f;
    f.config = 5;
    f.s1_context_ptr = 0x300000;
    SECTION("S1CDMax 0: one CD and no substreams") {
        const Ste s = ste_of(smmu_enc::ste(f));
        CHECK(locate_cd(s, false, 0).step == Step::Entry);
        CHECK(locate_cd(s, false, 0).addr == 0x300000);
        CHECK(locate_cd(s, true, 0).step == Step::BadSubstreamId);
        CHECK(locate_cd(s, true, 1).step == Step::BadSubstreamId);
    }
    SECTION("linear: 2^S1CDMax CDs") {
        f.s1cdmax = 4;
        f.s1dss = 2;
        const Ste s = ste_of(smmu_enc::ste(f));
        CHECK(locate_cd(s, true, 15).addr == 0x300000 + 15 * 64);
        CHECK(locate_cd(s, true, 16).step == Step::BadSubstreamId);
        // S1DSS SSID0: traffic without a SubstreamID uses CD 0; SubstreamID 0 is then illegal.
        CHECK(locate_cd(s, false, 0).addr == 0x300000);
        CHECK(locate_cd(s, true, 0).step == Step::BadSubstreamId);
    }
    SECTION("S1DSS for traffic without a SubstreamID") {
        f.s1cdmax = 4;
        f.s1dss = 0;
        CHECK(locate_cd(ste_of(smmu_enc::ste(f)), false, 0).step == Step::StreamDisabled);
        CHECK(locate_cd(ste_of(smmu_enc::ste(f)), true, 0).addr == 0x300000);
        f.s1dss = 1;
        CHECK(locate_cd(ste_of(smmu_enc::ste(f)), false, 0).step == Step::BypassStage1);
    }
    SECTION("two-level, 4K leaves: 64 CDs per level-2 table") {
        f.s1cdmax = 12;
        f.s1fmt = 1;
        const Ste s = ste_of(smmu_enc::ste(f));
        const uint32_t ssid = (9u << 6) | 17;
        const Lookup l1 = locate_cd(s, true, ssid);
        CHECK(l1.step == Step::ReadL1);
        CHECK(l1.addr == 0x300000 + 9 * 8);
        const Lookup cd = locate_cd_l2(s, ssid, smmu_enc::l1_cd(true, 0x500000));
        CHECK(cd.step == Step::Entry);
        CHECK(cd.addr == 0x500000 + 17 * 64);
        CHECK(locate_cd_l2(s, ssid, smmu_enc::l1_cd(false, 0x500000)).step == Step::BadSubstreamId);
        CHECK(locate_cd(s, true, 1u << 12).step == Step::BadSubstreamId);
    }
    SECTION("two-level, 64K leaves: 1024 CDs per level-2 table") {
        f.s1cdmax = 16;
        f.s1fmt = 2;
        const Ste s = ste_of(smmu_enc::ste(f));
        const uint32_t ssid = (33u << 10) | 1000;
        CHECK(locate_cd(s, true, ssid).addr == 0x300000 + 33 * 8);
        CHECK(locate_cd_l2(s, ssid, smmu_enc::l1_cd(true, 0x600000)).addr == 0x600000 + 1000 * 64);
        CHECK(decode_l1_cd(smmu_enc::l1_cd(true, 0x600000)).l2ptr == 0x600000);
        CHECK(decode_l1_cd(0x600001).v);
    }
}

TEST_CASE("smmuv3: The IDRs decode into the capabilities the checks use", "[smmuv3][regs]") {
    // IDR0: S2P, S1P, TTF=AArch64, COHACC, HTTU=2, HYP, ATS, ASID16, VMID16, CD2L,
    // TTENDIAN=LE, STALL_MODEL=terminate, TERM_MODEL, ST_LEVEL=2-level.
    const uint32_t idr0v = 1 | 2 | (2u << 2) | (1u << 4) | (2u << 6) | (1u << 9) | (1u << 10) | (1u << 12) |
                           (1u << 18) | (1u << 19) | (2u << 21) | (1u << 24) | (1u << 26) | (1u << 27);
    const uint32_t idr1v = 16 | (8u << 6) | (7u << 11) | (9u << 16) | (10u << 21);
    const uint32_t idr3v = 1u << 10;
    const uint32_t idr5v = 5 | (1u << 4) | (1u << 6);
    const Caps c = decode_idrs(idr0v, idr1v, idr3v, idr5v);
    CHECK((c.s2p && c.s1p && c.cohacc && c.hyp && c.ats && c.asid16 && c.vmid16 && c.cd2l && c.term_model));
    CHECK(c.ttf == 2);
    CHECK(c.httu == 2);
    CHECK(c.ttendian == 2);
    CHECK(c.stall_model == 1);
    CHECK(c.st_level == 1);
    CHECK(c.sidsize == 16);
    CHECK(c.ssidsize == 8);
    CHECK(c.priqs == 7);
    CHECK(c.eventqs == 9);
    CHECK(c.cmdqs == 10);
    CHECK(c.ril);
    CHECK(c.oas_bits() == 48);
    CHECK((c.gran4k && !c.gran16k && c.gran64k));
    CHECK(reg::EVENTQ_PROD == 0x100a8);
    CHECK(reg::EVENTQ_CONS == 0x100ac);
    CHECK(reg::PRIQ_PROD == 0x100c8);
    CHECK(reg::PRIQ_CONS == 0x100cc);
}

TEST_CASE("smmuv3: Each one-bit STE and CD flag is its own bit", "[smmuv3][ste][cd]") {
    // §5.2 STE dword 2 bits 51-58 and §5.4 CD dword 0 flags, one bit set at a time.
    using SteFlag = bool Ste::*;
    const std::pair<unsigned, SteFlag> ste_flags[] = {
        {51, &Ste::s2aa64}, {52, &Ste::s2endi}, {53, &Ste::s2affd}, {54, &Ste::s2ptw},
        {55, &Ste::s2hd},   {56, &Ste::s2ha},   {57, &Ste::s2s},    {58, &Ste::s2r},
    };
    for (const auto& [b, flag] : ste_flags) {
        CAPTURE(b);
        uint64_t dw[8] = {};
        dw[2] = uint64_t(1) << b;
        const Ste s = decode_ste(dw);
        for (const auto& [other, f] : ste_flags) CHECK((s.*f) == (other == b));
    }
    using CdFlag = bool Cd::*;
    const std::pair<unsigned, CdFlag> cd_flags[] = {
        {14, &Cd::epd0}, {15, &Cd::endi}, {30, &Cd::epd1}, {31, &Cd::v},    {35, &Cd::affd}, {36, &Cd::wxn},
        {37, &Cd::uwxn}, {38, &Cd::tbi0}, {39, &Cd::tbi1}, {40, &Cd::pan},  {41, &Cd::aa64}, {42, &Cd::hd},
        {43, &Cd::ha},   {44, &Cd::s},    {45, &Cd::r},    {46, &Cd::a},    {47, &Cd::aset},
    };
    for (const auto& [b, flag] : cd_flags) {
        CAPTURE(b);
        uint64_t dw[8] = {};
        dw[0] = uint64_t(1) << b;
        const Cd c = decode_cd(dw);
        for (const auto& [other, f] : cd_flags) CHECK((c.*f) == (other == b));
    }
    uint64_t dw[8] = {};
    dw[1] = (uint64_t(1) << 27) | (uint64_t(1) << 36);
    CHECK(decode_ste(dw).s1stalld);
    CHECK(decode_ste(dw).mtcfg);
    dw[1] = uint64_t(1) << 26;
    CHECK_FALSE(decode_ste(dw).s1stalld);
}
