// Stage 2 VMSAv8-64 walks (SMMUv3 STE S2 fields, IHI0070 5.2) against tables from the
// independent encoder: starting level from S2SL0, concatenated start tables, S2AP/XN,
// Access flag and dirty state, and the S2T0SZ/S2SL0 combinations that are ILLEGAL.
#include <catch2/catch.hpp>

#include "tests/unit/smmuv3/vmsa_rig.h"

using namespace vmsarig;
using smmuv3::ConfigError;
using vmsatest::TableBuilder;
using vmsatest::Tg;

namespace {

constexpr uint64_t kPool = 0x10'0000;

struct S2 {
    Rig rig;
    Tg tg;
    unsigned t0sz;
    int start;
    TableBuilder tb;
    uint64_t root;
    smmuv3::Stage2Config cfg;
    S2(Tg g, unsigned tsz, unsigned sl0, int start_level, unsigned ps_field = 5)
        : tg(g), t0sz(tsz), start(start_level), tb(rig.mem, g, kPool),
          root(tb.new_root(start_level, 64 - tsz)), cfg(s2cfg(g, tsz, sl0, root, ps_field)) {
        rig.walk.configure(nullptr, &cfg);
    }
    uint64_t page(uint64_t ipa, uint64_t pa, vmsatest::S2Leaf a = {}, int level = 3) {
        return tb.map(root, start, 64 - t0sz, ipa, level, vmsatest::s2_leaf(tg, level, pa, a));
    }
    iommu::Result run(const iommu::Request& r) { return rig.run(r); }
    void reconfigure() { rig.walk.configure(nullptr, &cfg); }
};

}  // namespace

// Arm ARM D8.2, VTCR_EL2.SL0: 4K 0->L2 1->L1 2->L0; 16K and 64K 0->L3 1->L2 2->L1.
// The start level resolves IA - lsb bits; above a stride, 2^(bits - stride) start
// tables are concatenated (D8.2 "Concatenating translation tables", at most 16).
TEST_CASE("SMMUv3 VMSA: Stage 2 start level from S2SL0, with concatenated start tables",
          "[smmuv3][vmsa][s2]") {
    struct V { Tg tg; unsigned t0sz, sl0; int start; unsigned tables; };
    const V vs[] = {
        {Tg::k4K, 16, 2, 0, 1},   // IA 48 from L0
        {Tg::k4K, 25, 1, 1, 1},   // IA 39: L1 resolves 38:30
        {Tg::k4K, 24, 1, 1, 2},   // IA 40: 10 bits at L1, 2 tables
        {Tg::k4K, 21, 1, 1, 16},  // IA 43: 13 bits at L1, 16 tables
        {Tg::k4K, 30, 0, 2, 16},  // IA 34: 13 bits at L2, 16 tables
        {Tg::k16K, 24, 1, 2, 16}, // IA 40: 15 bits at L2, 16 tables
        {Tg::k16K, 28, 1, 2, 1},  // IA 36
        {Tg::k16K, 16, 2, 1, 2},  // IA 48: 12 bits at L1, 2 tables
        {Tg::k64K, 20, 1, 2, 4},  // IA 44: 15 bits at L2, 4 tables
        {Tg::k64K, 32, 0, 3, 8},  // IA 32: 16 bits at L3, 8 tables
        {Tg::k64K, 16, 2, 1, 0},  // IA 48: 6 bits at L1, 64 entries (0: part of a table)
    };
    for (const V& v : vs) {
        S2 s(v.tg, v.t0sz, v.sl0, v.start);
        INFO("tg " << int(v.tg) << " S2T0SZ " << v.t0sz << " S2SL0 " << v.sl0);
        REQUIRE(smmuv3::check(s.cfg, 48) == ConfigError::None);
        const unsigned ia = 64 - v.t0sz;
        const uint64_t gran = vmsatest::granule_bytes(v.tg);
        // The start table spans `tables` granules: the top IPA's entry is in the last.
        const uint64_t start_bytes = uint64_t(8) << (ia - vmsatest::level_lsb(v.tg, v.start));
        if (v.tables) CHECK(start_bytes == v.tables * gran);
        else CHECK(start_bytes < gran);
        const uint64_t top = B(ia) - gran, low = 3 * gran;
        const uint64_t top_leaf = s.page(top, 0x4000'0000);
        s.page(low, 0x5000'0000);
        CHECK(top_leaf != 0);
        auto r = s.run(req(top + 0x18, true));
        REQUIRE_FALSE(r.fault);
        CHECK(r.pa == 0x4000'0018);
        CHECK(r.page_size == gran);
        CHECK(s.rig.walk.reads() == unsigned(4 - v.start));
        r = s.run(req(low));
        REQUIRE_FALSE(r.fault);
        CHECK(r.pa == 0x5000'0000);
    }
}

// D8.3: stage 2 blocks at the same levels as stage 1 (4K L1 1 GiB and L2 2 MiB).
TEST_CASE("SMMUv3 VMSA: Stage 2 blocks", "[smmuv3][vmsa][s2]") {
    S2 s(Tg::k4K, 24, 1, 1);
    s.page(B(30), 5 * B(30), {}, 1);
    s.page(2 * B(30) + 3 * B(21), 7 * B(21), {}, 2);
    auto r = s.run(req(B(30) + 0x1234));
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 5 * B(30) + 0x1234);
    CHECK(r.page_size == B(30));
    CHECK(s.rig.walk.reads() == 1);
    r = s.run(req(2 * B(30) + 3 * B(21) + 0x1f'fff0));
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 7 * B(21) + 0x1f'fff0);
    CHECK(r.page_size == B(21));
}

// D8.2 "Input address size": an IPA at or above 2^(64 - S2T0SZ) is a stage 2
// Translation fault (S2=1, CLASS=IN, IPA reported; IHI0070 7.3).
TEST_CASE("SMMUv3 VMSA: Stage 2 input range, invalid descriptors, Address size", "[smmuv3][vmsa][s2][fault]") {
    S2 s(Tg::k4K, 24, 1, 1, 2);  // IA 40, S2PS 40 bits
    s.page(0x3000, B(40) - 4096);
    s.page(0x4000, B(40));
    CHECK_FALSE(s.run(req(0x3000)).fault);
    auto r = s.run(req(B(40)));
    CHECK(event_of(r) == ev::F_TRANSLATION);
    CHECK(s.rig.fault().s2);
    CHECK(s.rig.fault().cls == FaultClass::IN);
    CHECK(s.rig.fault().ipa == B(40));
    CHECK(s.rig.walk.reads() == 0);
    r = s.run(req(0x4000));
    CHECK(event_of(r) == ev::F_ADDR_SIZE);
    CHECK(s.rig.fault().s2);
    CHECK(s.rig.fault().level == 3);
    r = s.run(req(0x20'0000));  // the level 2 entry is empty
    CHECK(event_of(r) == ev::F_TRANSLATION);
    CHECK(s.rig.fault().level == 2);
    CHECK(s.rig.fault().ipa == 0x20'0000);
}

// D8.4 "Stage 2 access permissions": S2AP bit 6 grants read, bit 7 write; XN forbids
// execution.
TEST_CASE("SMMUv3 VMSA: Stage 2 S2AP and XN", "[smmuv3][vmsa][s2][perm]") {
    for (unsigned s2ap = 0; s2ap < 4; ++s2ap) {
        S2 s(Tg::k4K, 24, 1, 1);
        vmsatest::S2Leaf a;
        a.s2ap = s2ap;
        s.page(0x7000, 0x9000, a);
        INFO("S2AP " << s2ap);
        auto r = s.run(req(0x7000));
        CHECK(event_of(r) == ((s2ap & 1) ? 0u : ev::F_PERMISSION));
        if (!r.fault) CHECK(r.write == ((s2ap & 2) != 0));
        r = s.run(req(0x7000, true));
        CHECK(event_of(r) == ((s2ap & 2) ? 0u : ev::F_PERMISSION));
        if (r.fault) CHECK(s.rig.fault().s2);
    }
    S2 s(Tg::k4K, 24, 1, 1);
    vmsatest::S2Leaf xn;
    xn.xn = true;
    s.page(0x7000, 0x9000, xn);
    s.page(0x8000, 0xa000);
    CHECK(event_of(s.run(req(0x7000, false, false, true))) == ev::F_PERMISSION);
    CHECK_FALSE(s.run(req(0x7000)).fault);
    CHECK_FALSE(s.run(req(0x8000, false, false, true)).fault);
}

// IHI0070 5.2 S2AFFD / S2HA, Arm ARM D8.5: as at stage 1.
TEST_CASE("SMMUv3 VMSA: Stage 2 Access flag: fault, S2AFFD, S2HA", "[smmuv3][vmsa][s2][af]") {
    S2 s(Tg::k4K, 24, 1, 1);
    vmsatest::S2Leaf no_af;
    no_af.af = false;
    const uint64_t leaf = s.page(0x7000, 0x9000, no_af);
    auto r = s.run(req(0x7000));
    CHECK(event_of(r) == ev::F_ACCESS);
    CHECK(s.rig.fault().s2);
    s.cfg.affd = true;
    s.reconfigure();
    CHECK_FALSE(s.run(req(0x7000)).fault);
    CHECK(s.rig.walk.writes() == 0);
    CHECK((s.tb.peek(leaf) & B(10)) == 0);
    s.cfg.affd = false;
    s.cfg.ha = true;
    s.reconfigure();
    CHECK_FALSE(s.run(req(0x7000)).fault);
    CHECK(s.rig.walk.writes() == 1);
    CHECK((s.tb.peek(leaf) & B(10)) != 0);
}

// D8.5: at stage 2, DBM=1 with S2AP[1]=0 is writable-clean; with S2HA and S2HD a write
// sets S2AP[1]; without S2HD it is a stage 2 Permission fault.
TEST_CASE("SMMUv3 VMSA: Stage 2 dirty state", "[smmuv3][vmsa][s2][dirty]") {
    for (bool hd : {true, false}) {
        S2 s(Tg::k4K, 24, 1, 1);
        vmsatest::S2Leaf clean;
        clean.s2ap = 1;
        clean.dbm = true;
        const uint64_t leaf = s.page(0x7000, 0x9000, clean);
        s.cfg.ha = true;
        s.cfg.hd = hd;
        s.reconfigure();
        INFO("S2HD " << hd);
        auto r = s.run(req(0x7000));
        REQUIRE_FALSE(r.fault);
        CHECK_FALSE(r.write);
        r = s.run(req(0x7000, true));
        if (hd) {
            REQUIRE_FALSE(r.fault);
            CHECK(r.write);
            CHECK(s.rig.walk.writes() == 1);
            CHECK((s.tb.peek(leaf) & B(7)) != 0);
        } else {
            CHECK(event_of(r) == ev::F_PERMISSION);
            CHECK(s.rig.fault().s2);
            CHECK((s.tb.peek(leaf) & B(7)) == 0);
        }
    }
}

TEST_CASE("SMMUv3 VMSA: Stage 2 walk external abort", "[smmuv3][vmsa][s2][fault]") {
    S2 s(Tg::k4K, 24, 1, 1);
    s.cfg.ttb = s.rig.limit;  // the start table is not backed
    s.reconfigure();
    auto r = s.run(req(0x7000));
    CHECK(event_of(r) == ev::F_WALK_EABT);
    CHECK(s.rig.fault().s2);
    CHECK(s.rig.fault().fetch_pa == s.rig.limit);
    CHECK(s.rig.fault().level == 1);
}

// AArch64.S2InvalidSL / S2InconsistentSL (Arm ARM D8.2): S2SL0=3 reserved; level 0
// (4K) or level 1 (16K, 64K) starts need PAMax >= 44 / 42 / 44; the IPA size must be
// between lsb(start) + 1 and lsb(start) + stride + 4 (up to 16 concatenated tables).
// S2T0SZ outside 16..39 is out of range (IHI0070 5.2). Each ILLEGAL -> C_BAD_STE.
TEST_CASE("SMMUv3 VMSA: Stage 2 S2T0SZ / S2SL0 validity", "[smmuv3][vmsa][s2][config]") {
    struct V { Tg tg; unsigned t0sz, sl0, pa; ConfigError e; };
    const V vs[] = {
        {Tg::k4K, 39, 0, 48, ConfigError::None},            // IA 25 at L2
        {Tg::k4K, 30, 0, 48, ConfigError::None},            // IA 34: 16 tables
        {Tg::k4K, 29, 0, 48, ConfigError::Sl0Inconsistent}, // IA 35: 32 tables
        {Tg::k4K, 33, 1, 48, ConfigError::None},            // IA 31 at L1
        {Tg::k4K, 34, 1, 48, ConfigError::Sl0Inconsistent}, // IA 30: nothing at L1
        {Tg::k4K, 21, 1, 48, ConfigError::None},            // IA 43: 16 tables
        {Tg::k4K, 20, 1, 48, ConfigError::Sl0Inconsistent}, // IA 44
        {Tg::k4K, 16, 2, 48, ConfigError::None},
        {Tg::k4K, 16, 2, 40, ConfigError::Sl0Reserved},     // L0 needs PAMax >= 44
        {Tg::k4K, 25, 2, 48, ConfigError::Sl0Inconsistent}, // IA 39 at L0
        {Tg::k4K, 24, 3, 48, ConfigError::Sl0Reserved},
        {Tg::k16K, 36, 0, 48, ConfigError::None},           // IA 28 at L3
        {Tg::k16K, 24, 1, 48, ConfigError::None},           // IA 40: 16 tables
        {Tg::k16K, 23, 1, 48, ConfigError::Sl0Inconsistent},
        {Tg::k16K, 16, 2, 42, ConfigError::None},
        {Tg::k16K, 16, 2, 40, ConfigError::Sl0Reserved},
        {Tg::k16K, 16, 3, 48, ConfigError::Sl0Reserved},
        {Tg::k64K, 32, 0, 48, ConfigError::None},           // IA 32: 8 tables at L3
        {Tg::k64K, 30, 0, 48, ConfigError::Sl0Inconsistent},// IA 34: 32 tables
        {Tg::k64K, 18, 1, 48, ConfigError::None},           // IA 46: 16 tables
        {Tg::k64K, 17, 1, 48, ConfigError::Sl0Inconsistent},
        {Tg::k64K, 16, 2, 44, ConfigError::None},
        {Tg::k64K, 16, 2, 42, ConfigError::Sl0Reserved},
        {Tg::k64K, 16, 3, 48, ConfigError::Sl0Reserved},
        {Tg::k4K, 15, 2, 48, ConfigError::TxszRange},
        {Tg::k4K, 40, 0, 48, ConfigError::TxszRange},
    };
    for (const V& v : vs) {
        auto c = s2cfg(v.tg, v.t0sz, v.sl0, 0x10'0000);
        INFO("tg " << int(v.tg) << " S2T0SZ " << v.t0sz << " S2SL0 " << v.sl0 << " PA "
                   << v.pa << ": " << smmuv3::describe(smmuv3::check(c, v.pa)));
        CHECK(smmuv3::check(c, v.pa) == v.e);
    }
    auto c = s2cfg(Tg::k4K, 24, 1, B(40), 2);  // S2TTB at 2^40 with a 40-bit S2PS
    CHECK(smmuv3::check(c, 48) == ConfigError::TtbRange);
}

// D8.2: concatenated start tables are aligned to their combined size; S2TTB bits below
// it are treated as zero (IHI0070 5.2 S2TTB).
TEST_CASE("SMMUv3 VMSA: Stage 2 S2TTB aligned to the concatenated start tables", "[smmuv3][vmsa][s2]") {
    S2 s(Tg::k4K, 24, 1, 1);  // two 4 KiB start tables: 8 KiB alignment
    s.page(B(39) + 0x5000, 0x9000);  // the second start table
    s.cfg.ttb = s.root | 0x1000;
    s.reconfigure();
    auto r = s.run(req(B(39) + 0x5000));
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 0x9000);
}
