// Stage 1 VMSAv8-64 walks (SMMUv3 CD, IHI0070 5.4) against tables from the independent
// encoder. Every expected value comes from the Arm ARM (DDI0487 D8) or the SMMUv3
// spec, never from the walker.
#include <catch2/catch.hpp>

#include "tests/unit/smmuv3/vmsa_rig.h"

using namespace vmsarig;
using vmsatest::Tg;
using vmsatest::TableBuilder;

namespace {

constexpr uint64_t kPool = 0x10'0000;  // tables from 1 MiB

// A stage 1 context: tables from `start_level` for 64 - t0sz input bits.
struct S1 {
    Rig rig;
    Tg tg;
    unsigned t0sz;
    int start;
    TableBuilder tb;
    uint64_t root;
    smmuv3::Stage1Config cfg;
    S1(Tg g, unsigned tsz, int start_level, unsigned ips_field = 5)
        : tg(g), t0sz(tsz), start(start_level), tb(rig.mem, g, kPool),
          root(tb.new_root(start_level, 64 - tsz)), cfg(s1cfg(g, tsz, root, ips_field)) {
        rig.walk.configure(&cfg, nullptr);
    }
    uint64_t map(uint64_t va, int level, uint64_t leaf, vmsatest::S1TableAttrs t = {}) {
        return tb.map(root, start, 64 - t0sz, va, level, leaf, t);
    }
    uint64_t page(uint64_t va, uint64_t pa, vmsatest::S1Leaf a = {}, int level = 3,
                  vmsatest::S1TableAttrs t = {}) {
        return map(va, level, vmsatest::s1_leaf(tg, level, pa, a), t);
    }
    iommu::Result run(const iommu::Request& r) { return rig.run(r); }
};

}  // namespace

// Arm ARM D8.2: the walk starts at the level that leaves at most one stride of input
// bits, so for a page it reads 4 - start descriptors. The expected start levels are
// the Arm ARM's per-granule tables (4K: IA 40-48 L0, 31-39 L1, 25-30 L2; 16K: 48 L0,
// 37-47 L1, 26-36 L2; 64K: 43-48 L1, 30-42 L2, 25-29 L3): the encoder builds the tables from
// that level, so a walker starting elsewhere reads the wrong tables.
TEST_CASE("SMMUv3 VMSA: Stage 1 start level from T0SZ and granule", "[smmuv3][vmsa][s1]") {
    struct V { Tg tg; unsigned t0sz; int start; };
    const V vs[] = {
        {Tg::k4K, 16, 0}, {Tg::k4K, 24, 0}, {Tg::k4K, 25, 1}, {Tg::k4K, 33, 1},
        {Tg::k4K, 34, 2}, {Tg::k4K, 39, 2},
        {Tg::k16K, 16, 0}, {Tg::k16K, 17, 1}, {Tg::k16K, 27, 1}, {Tg::k16K, 28, 2},
        {Tg::k64K, 16, 1}, {Tg::k64K, 21, 1}, {Tg::k64K, 22, 2}, {Tg::k64K, 34, 2}, {Tg::k64K, 35, 3},
        {Tg::k64K, 39, 3},
    };
    for (const V& v : vs) {
        S1 s(v.tg, v.t0sz, v.start);
        REQUIRE(smmuv3::check(s.cfg) == smmuv3::ConfigError::None);
        const uint64_t gran = vmsatest::granule_bytes(v.tg);
        const uint64_t top = B(64 - v.t0sz) - gran;  // the last page: top index bit set
        const uint64_t low = gran * 5;
        s.page(top, 0x4000'0000);
        s.page(low, 0x5000'0000);
        INFO("tg " << int(v.tg) << " t0sz " << v.t0sz);
        auto r = s.run(req(top + 8));
        REQUIRE_FALSE(r.fault);
        CHECK(r.pa == 0x4000'0008);
        CHECK(r.page_size == gran);
        CHECK(s.rig.walk.reads() == unsigned(4 - v.start));
        r = s.run(req(low + gran - 1));
        REQUIRE_FALSE(r.fault);
        CHECK(r.pa == 0x5000'0000 + gran - 1);
    }
}

// Arm ARM D8.3 "Block descriptor": 4K blocks at L1 (1 GiB) and L2 (2 MiB); 16K at L2
// (32 MiB); 64K at L2 (512 MiB) and, with a 52-bit output, L1 (4 TiB).
TEST_CASE("SMMUv3 VMSA: Stage 1 blocks at every legal level", "[smmuv3][vmsa][s1]") {
    struct V { Tg tg; unsigned t0sz; int start; int level; uint64_t size; unsigned ips; };
    const V vs[] = {
        {Tg::k4K, 16, 0, 1, B(30), 5}, {Tg::k4K, 16, 0, 2, B(21), 5},
        {Tg::k4K, 16, 0, 3, B(12), 5}, {Tg::k16K, 16, 0, 2, B(25), 5},
        {Tg::k16K, 16, 0, 3, B(14), 5}, {Tg::k64K, 16, 1, 2, B(29), 5},
        {Tg::k64K, 16, 1, 3, B(16), 5}, {Tg::k64K, 16, 1, 1, B(42), 6},
    };
    for (const V& v : vs) {
        S1 s(v.tg, v.t0sz, v.start, v.ips);
        const uint64_t va = 3 * B(42) + 5 * v.size;  // below 2^48 for every case
        const uint64_t pa = v.size == B(42) ? B(44) : 7 * v.size;
        s.page(va, pa, {}, v.level);
        INFO("tg " << int(v.tg) << " level " << v.level);
        const uint64_t off = v.size - 16;
        auto r = s.run(req(va + off, true, true));
        REQUIRE_FALSE(r.fault);
        CHECK(r.pa == pa + off);
        CHECK(r.page_size == v.size);
        CHECK(s.rig.walk.reads() == unsigned(v.level - v.start + 1));
    }
}

// D8.3: a block where the granule has none is a reserved encoding: 4K level 0, 16K
// level 1, 64K level 1 without a 52-bit output, and 0b01 at level 3. An invalid
// descriptor (bit 0 clear) is a Translation fault at its level.
TEST_CASE("SMMUv3 VMSA: Stage 1 reserved and invalid descriptors are Translation faults",
          "[smmuv3][vmsa][s1][fault]") {
    struct V { Tg tg; int start; int level; uint64_t desc_or; uint64_t desc_and; };
    const V vs[] = {
        {Tg::k4K, 0, 0, 0, ~uint64_t(0)},
        {Tg::k16K, 0, 1, 0, ~uint64_t(0)},
        {Tg::k64K, 1, 1, 0, ~uint64_t(0)},
        {Tg::k4K, 0, 3, 0, ~uint64_t(2)},  // page encoded as 0b01
        {Tg::k4K, 0, 2, 0, ~uint64_t(1)},  // valid bit clear
    };
    for (const V& v : vs) {
        S1 s(v.tg, 16, v.start);
        const uint64_t va = 0x1234'0000'0000;
        const uint64_t leaf =
            (vmsatest::s1_leaf(v.tg, v.level, 0, {}) | v.desc_or) & v.desc_and;
        s.map(va, v.level, leaf);
        INFO("tg " << int(v.tg) << " level " << v.level);
        auto r = s.run(req(va));
        CHECK(event_of(r) == ev::F_TRANSLATION);
        CHECK(s.rig.fault().level == v.level);
        CHECK_FALSE(s.rig.fault().s2);
    }
}

// D8.2 "Input address size": an address at or above 2^(64 - T0SZ) is outside TTB0's
// range: Translation fault without a walk. IHI0070 5.4 EPD0=1: a Translation fault,
// no walk.
TEST_CASE("SMMUv3 VMSA: Stage 1 input range and EPD0", "[smmuv3][vmsa][s1][fault]") {
    S1 s(Tg::k4K, 25, 1);
    s.page(B(39) - 4096, 0x4000'0000);
    CHECK_FALSE(s.run(req(B(39) - 1)).fault);
    auto r = s.run(req(B(39)));
    CHECK(event_of(r) == ev::F_TRANSLATION);
    CHECK(s.rig.walk.reads() == 0);
    CHECK(s.rig.fault().cls == FaultClass::IN);
    CHECK(s.rig.fault().input == B(39));
    s.cfg.epd0 = true;
    s.rig.walk.configure(&s.cfg, nullptr);
    r = s.run(req(B(39) - 1));
    CHECK(event_of(r) == ev::F_TRANSLATION);
    CHECK(s.rig.walk.reads() == 0);
}

// IHI0070 5.4 IPS / 3.4: next-table and output addresses with bits at or above the
// effective IPS are stage 1 Address size faults, at the level of the descriptor.
TEST_CASE("SMMUv3 VMSA: Stage 1 Address size faults against IPS", "[smmuv3][vmsa][s1][fault]") {
    SECTION("page output beyond a 40-bit IPS") {
        S1 s(Tg::k4K, 16, 0, 2);  // IPS 0b010: 40 bits
        s.page(0x1000, B(40) - 4096);
        s.page(0x2000, B(40));
        CHECK_FALSE(s.run(req(0x1000)).fault);
        auto r = s.run(req(0x2000));
        CHECK(event_of(r) == ev::F_ADDR_SIZE);
        CHECK(s.rig.fault().level == 3);
        CHECK_FALSE(s.rig.fault().s2);
    }
    SECTION("next-level table beyond the IPS") {
        S1 s(Tg::k4K, 16, 0, 2);
        s.page(0x1000, 0x8000);
        const uint64_t l1 = s.tb.entry_address(s.root, 0, 48, 0x1000, 1);
        s.tb.poke(l1, vmsatest::table_desc(Tg::k4K, B(41)));
        auto r = s.run(req(0x1000));
        CHECK(event_of(r) == ev::F_ADDR_SIZE);
        CHECK(s.rig.fault().level == 1);
    }
    SECTION("64K: OA[51:48] in descriptor bits 15:12") {
        for (unsigned ips : {5u, 6u}) {  // 48 bits, 52 bits
            S1 s(Tg::k64K, 16, 1, ips);
            s.page(0x10000, B(48) + 0x30000);
            auto r = s.run(req(0x10004));
            if (ips == 6) {
                REQUIRE_FALSE(r.fault);
                CHECK(r.pa == B(48) + 0x30004);
            } else {
                CHECK(event_of(r) == ev::F_ADDR_SIZE);
                CHECK(s.rig.fault().level == 3);
            }
        }
    }
}

// D8.4 "Data access permissions", AP[2:1] for the EL1&0 regime: 00 EL1 RW / EL0 none,
// 01 RW / RW, 10 RO / none, 11 RO / RO. SMMU privileged requests are EL1, others EL0.
TEST_CASE("SMMUv3 VMSA: Stage 1 AP[2:1] with privileged and unprivileged requests",
          "[smmuv3][vmsa][s1][perm]") {
    struct V { unsigned ap; bool priv_r, priv_w, user_r, user_w; };
    const V vs[] = {
        {0, true, true, false, false}, {1, true, true, true, true},
        {2, true, false, false, false}, {3, true, false, true, false},
    };
    for (const V& v : vs) {
        S1 s(Tg::k4K, 25, 1);
        vmsatest::S1Leaf a;
        a.ap = v.ap;
        s.page(0x7000, 0x9000, a);
        INFO("AP " << v.ap);
        for (bool priv : {true, false}) {
            for (bool write : {false, true}) {
                const bool allowed = priv ? (write ? v.priv_w : v.priv_r)
                                          : (write ? v.user_w : v.user_r);
                auto r = s.run(req(0x7000, write, priv));
                INFO("priv " << priv << " write " << write);
                CHECK(event_of(r) == (allowed ? 0u : ev::F_PERMISSION));
                if (allowed) CHECK(r.write == (priv ? v.priv_w : v.user_w));
            }
        }
    }
}

// D8.4 "Instruction execution permissions": UXN governs unprivileged, PXN privileged
// execution; a location writable at EL0 (AP 01) is never privileged-executable
// (IHI0070 5.4 UWXN note).
TEST_CASE("SMMUv3 VMSA: Stage 1 execute-never", "[smmuv3][vmsa][s1][perm]") {
    struct V { unsigned ap; bool uxn, pxn, priv, allowed; };
    const V vs[] = {
        {3, false, false, false, true}, {3, true, false, false, false},
        {3, true, false, true, true},   {3, false, true, true, false},
        {3, false, true, false, true},  {1, false, false, true, false},
        {1, false, false, false, true}, {2, false, false, true, true},
    };
    for (const V& v : vs) {
        S1 s(Tg::k4K, 25, 1);
        vmsatest::S1Leaf a;
        a.ap = v.ap;
        a.uxn = v.uxn;
        a.pxn = v.pxn;
        s.page(0x7000, 0x9000, a);
        INFO("AP " << v.ap << " UXN " << v.uxn << " PXN " << v.pxn << " priv " << v.priv);
        auto r = s.run(req(0x7000, false, v.priv, true));
        CHECK(event_of(r) == (v.allowed ? 0u : ev::F_PERMISSION));
    }
}

// D8.4 "Hierarchical control of data access permissions": APTable[1] removes write,
// APTable[0] removes EL0 access, UXNTable / PXNTable add execute-never, for every
// level below. IHI0070 5.4 HAD0=1 makes them IGNORED.
TEST_CASE("SMMUv3 VMSA: Stage 1 hierarchical APTable / XNTable", "[smmuv3][vmsa][s1][perm]") {
    vmsatest::S1Leaf rw_both;
    rw_both.ap = 1;
    SECTION("APTable[1]: no write") {
        S1 s(Tg::k4K, 25, 1);
        s.page(0x7000, 0x9000, rw_both, 3, {2, false, false});
        auto r = s.run(req(0x7000, false, true));
        REQUIRE_FALSE(r.fault);
        CHECK_FALSE(r.write);
        CHECK(event_of(s.run(req(0x7000, true, true))) == ev::F_PERMISSION);
        s.cfg.had0 = true;
        s.rig.walk.configure(&s.cfg, nullptr);
        CHECK_FALSE(s.run(req(0x7000, true, true)).fault);
    }
    SECTION("APTable[0]: no unprivileged access") {
        S1 s(Tg::k4K, 25, 1);
        s.page(0x7000, 0x9000, rw_both, 3, {1, false, false});
        CHECK(event_of(s.run(req(0x7000, false, false))) == ev::F_PERMISSION);
        CHECK_FALSE(s.run(req(0x7000, true, true)).fault);
    }
    SECTION("UXNTable and PXNTable") {
        vmsatest::S1Leaf ro_both;
        ro_both.ap = 3;
        S1 s(Tg::k4K, 25, 1);
        s.page(0x7000, 0x9000, ro_both, 3, {0, true, false});
        s.page(B(30) + 0x7000, 0x9000, ro_both, 3, {0, false, true});
        CHECK(event_of(s.run(req(0x7000, false, false, true))) == ev::F_PERMISSION);
        CHECK_FALSE(s.run(req(0x7000, false, true, true)).fault);
        CHECK(event_of(s.run(req(B(30) + 0x7000, false, true, true))) == ev::F_PERMISSION);
        CHECK_FALSE(s.run(req(B(30) + 0x7000, false, false, true)).fault);
    }
}

// D8.5 "The Access flag"; IHI0070 5.4 AFFD and HA: AF=0 is an Access flag fault unless
// HA (hardware sets AF, a descriptor write) or AFFD=1 (AF considered 1, no write).
// The Access flag fault is reported before a Permission fault.
TEST_CASE("SMMUv3 VMSA: Stage 1 Access flag: fault, AFFD, HA", "[smmuv3][vmsa][s1][af]") {
    vmsatest::S1Leaf no_af;
    no_af.af = false;
    S1 s(Tg::k4K, 25, 1);
    const uint64_t leaf = s.page(0x7000, 0x9000, no_af);
    const uint64_t block = s.page(B(30), B(31), no_af, 2);
    const uint64_t before = s.tb.peek(leaf);

    auto r = s.run(req(0x7000));
    CHECK(event_of(r) == ev::F_ACCESS);
    CHECK(s.rig.fault().level == 3);
    CHECK(event_of(s.run(req(B(30)))) == ev::F_ACCESS);
    CHECK(s.rig.fault().level == 2);

    s.cfg.affd = true;
    s.rig.walk.configure(&s.cfg, nullptr);
    CHECK_FALSE(s.run(req(0x7000)).fault);
    CHECK(s.rig.walk.writes() == 0);
    CHECK(s.tb.peek(leaf) == before);

    s.cfg.affd = false;
    s.cfg.ha = true;
    s.rig.walk.configure(&s.cfg, nullptr);
    CHECK_FALSE(s.run(req(0x7000)).fault);
    CHECK(s.rig.walk.writes() == 1);
    CHECK(s.tb.peek(leaf) == (before | B(10)));
    CHECK_FALSE(s.run(req(B(30) + 5)).fault);
    CHECK((s.tb.peek(block) & B(10)) != 0);
    CHECK_FALSE(s.run(req(0x7000)).fault);
    CHECK(s.rig.walk.writes() == 0);  // already set
}

TEST_CASE("SMMUv3 VMSA: Stage 1 Access flag fault has priority over Permission fault",
          "[smmuv3][vmsa][s1][af]") {
    vmsatest::S1Leaf a;
    a.af = false;
    a.ap = 2;  // read-only
    S1 s(Tg::k4K, 25, 1);
    s.page(0x7000, 0x9000, a);
    CHECK(event_of(s.run(req(0x7000, true, true))) == ev::F_ACCESS);
}

// D8.5 "Hardware management of dirty state": DBM=1 with AP[2]=1 is writable-clean; with
// HA and HD (IHI0070 5.4: {HD,HA}=0b11; 0b10 behaves as 0b00) a write clears AP[2]
// through a descriptor write; otherwise a write is a Permission fault. A read of a
// writable-clean page does not make it dirty, and the result is not writable.
TEST_CASE("SMMUv3 VMSA: Stage 1 dirty state: DBM with and without HD", "[smmuv3][vmsa][s1][dirty]") {
    vmsatest::S1Leaf clean;
    clean.ap = 2;
    clean.dbm = true;
    struct V { bool ha, hd, write_ok; };
    for (const V v : {V{true, true, true}, V{false, true, false}, V{true, false, false},
                      V{false, false, false}}) {
        S1 s(Tg::k4K, 25, 1);
        const uint64_t leaf = s.page(0x7000, 0x9000, clean);
        s.cfg.ha = v.ha;
        s.cfg.hd = v.hd;
        s.rig.walk.configure(&s.cfg, nullptr);
        INFO("HA " << v.ha << " HD " << v.hd);
        auto r = s.run(req(0x7000, false, true));
        REQUIRE_FALSE(r.fault);
        CHECK_FALSE(r.write);
        CHECK(s.rig.walk.writes() == 0);
        r = s.run(req(0x7000, true, true));
        if (v.write_ok) {
            REQUIRE_FALSE(r.fault);
            CHECK(r.write);
            CHECK(s.rig.walk.writes() == 1);
            CHECK((s.tb.peek(leaf) & B(7)) == 0);
            CHECK(s.run(req(0x7000, true, true)).write);
            CHECK(s.rig.walk.writes() == 0);
        } else {
            CHECK(event_of(r) == ev::F_PERMISSION);
            CHECK((s.tb.peek(leaf) & B(7)) != 0);
        }
    }
}

TEST_CASE("SMMUv3 VMSA: Stage 1 dirty state: no DBM, and AF with dirty in one write",
          "[smmuv3][vmsa][s1][dirty]") {
    S1 s(Tg::k4K, 25, 1);
    s.cfg.ha = s.cfg.hd = true;
    s.rig.walk.configure(&s.cfg, nullptr);
    vmsatest::S1Leaf ro;
    ro.ap = 2;
    s.page(0x7000, 0x9000, ro);
    CHECK(event_of(s.run(req(0x7000, true, true))) == ev::F_PERMISSION);
    vmsatest::S1Leaf clean_old = ro;
    clean_old.dbm = true;
    clean_old.af = false;
    const uint64_t leaf = s.page(0x8000, 0xa000, clean_old);
    CHECK_FALSE(s.run(req(0x8000, true, true)).fault);
    CHECK(s.rig.walk.writes() == 1);
    CHECK((s.tb.peek(leaf) & B(10)) != 0);
    CHECK((s.tb.peek(leaf) & B(7)) == 0);
    // Unprivileged write to a writable-clean page with AP[1]=0: no access at all.
    vmsatest::S1Leaf el1_clean = ro;
    el1_clean.dbm = true;
    const uint64_t l2 = s.page(0x9000, 0xb000, el1_clean);
    CHECK(event_of(s.run(req(0x9000, true, false))) == ev::F_PERMISSION);
    CHECK((s.tb.peek(l2) & B(7)) != 0);
}

// IHI0070 7.3 F_WALK_EABT: a descriptor read the memory system aborts. The rig fails
// reads at or above its limit, and writes when told.
TEST_CASE("SMMUv3 VMSA: Stage 1 walk external abort", "[smmuv3][vmsa][s1][fault]") {
    S1 s(Tg::k4K, 16, 0);
    s.page(0x1000, 0x8000);
    const uint64_t l2 = s.tb.entry_address(s.root, 0, 48, 0x1000, 2);
    s.tb.poke(l2, vmsatest::table_desc(Tg::k4K, s.rig.limit + 0x3000));
    auto r = s.run(req(0x1000));
    CHECK(event_of(r) == ev::F_WALK_EABT);
    CHECK(s.rig.fault().fetch_pa == s.rig.limit + 0x3000 + 8);
    CHECK(s.rig.fault().level == 3);
    CHECK(s.rig.fault().cls == FaultClass::TT);
    CHECK_FALSE(s.rig.fault().s2);

    // A failed hardware update (IHI0070 5.4 IR0) aborts too.
    S1 t(Tg::k4K, 25, 1);
    vmsatest::S1Leaf no_af;
    no_af.af = false;
    t.page(0x7000, 0x9000, no_af);
    t.cfg.ha = true;
    t.rig.walk.configure(&t.cfg, nullptr);
    t.rig.fail_writes = true;
    CHECK(event_of(t.run(req(0x7000))) == ev::F_WALK_EABT);
}

// IHI0070 5.4 T0SZ (16..39, to 48 / 47 with IDR3.STT), TG0 0b11 reserved, TTB0 within
// the effective IPS: otherwise the CD is ILLEGAL (C_BAD_CD).
TEST_CASE("SMMUv3 VMSA: Stage 1 configuration checks", "[smmuv3][vmsa][s1][config]") {
    using smmuv3::ConfigError;
    smmuv3::Granule g;
    CHECK_FALSE(smmuv3::decode_tg0(3, g));
    CHECK(smmuv3::decode_ps(0) == 32);
    CHECK(smmuv3::decode_ps(4) == 44);
    CHECK(smmuv3::decode_ps(6) == 52);
    auto c = s1cfg(Tg::k4K, 16, 0x1000);
    CHECK(smmuv3::check(c) == ConfigError::None);
    c.t0sz = 15;
    CHECK(smmuv3::check(c) == ConfigError::TxszRange);
    c.t0sz = 39;
    CHECK(smmuv3::check(c) == ConfigError::None);
    c.t0sz = 40;
    CHECK(smmuv3::check(c) == ConfigError::TxszRange);
    CHECK(smmuv3::check(c, true) == ConfigError::None);
    c.t0sz = 48;
    CHECK(smmuv3::check(c, true) == ConfigError::None);
    c.tg0 = granule(Tg::k64K);
    CHECK(smmuv3::check(c, true) == ConfigError::TxszRange);
    c = s1cfg(Tg::k4K, 16, B(40), 2);
    CHECK(smmuv3::check(c) == ConfigError::TtbRange);
    c.epd0 = true;
    CHECK(smmuv3::check(c) == ConfigError::None);
}

// IHI0070 5.4 TTB0: bits below the starting table's alignment are treated as zero.
TEST_CASE("SMMUv3 VMSA: Stage 1 TTB0 low bits are treated as zero", "[smmuv3][vmsa][s1]") {
    S1 s(Tg::k4K, 16, 0);
    s.page(0x5000, 0x9000);
    s.cfg.ttb0 = s.root | 0xff0;  // a 4 KiB level 0 table: bits 11:4 ignored
    s.rig.walk.configure(&s.cfg, nullptr);
    auto r = s.run(req(0x5000));
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 0x9000);
}
