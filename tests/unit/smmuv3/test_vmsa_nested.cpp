// Nested VMSAv8-64 walks (SMMUv3 STE.Config = 0b111, IHI0070 3.3 / 5.2; Arm ARM D8.2
// "Stage 2 translation of stage 1 table walks"): the stage 1 tables live in an IPA
// space that stage 2 maps, so every stage 1 table address (TTB0 included) and the
// stage 1 output are translated by stage 2. Faults report the stage and, for stage 2
// faults on a stage 1 table fetch, CLASS=TT with the table's IPA (IHI0070 7.3).
#include <catch2/catch.hpp>

#include "tests/unit/smmuv3/vmsa_rig.h"

using namespace vmsarig;
using vmsatest::TableBuilder;
using vmsatest::Tg;

namespace {

constexpr uint64_t kS2Pool = 0x10'0000;         // stage 2 tables (PA)
constexpr uint64_t kS1Pool = 0x4000'0000;       // stage 1 tables (IPA) ...
constexpr uint64_t kS1Backing = 0x1'0000'0000;  // ... stored at IPA + this (PA)
constexpr uint64_t kVa = 0x1234'5678'9000;
constexpr uint64_t kIpa = 0x8000'0000;          // stage 1 output
constexpr uint64_t kPa = 0x2'0000'0000;         // stage 2 output

// Stage 1: 4K, T0SZ 16 (4 levels from L0). Stage 2: 4K, S2T0SZ 24, S2SL0 1 (IA 40,
// levels 1-3, two concatenated start tables). Stage 2 maps the stage 1 table region
// with one 2 MiB block carrying `table_attrs`.
struct Nested {
    Rig rig;
    TableBuilder tb2{rig.mem, Tg::k4K, kS2Pool};
    TableBuilder tb1{rig.mem, Tg::k4K, kS1Pool, kS1Backing};
    uint64_t root2 = tb2.new_root(1, 40);
    uint64_t root1 = tb1.new_root(0, 48);
    smmuv3::Stage1Config c1 = s1cfg(Tg::k4K, 16, root1);
    smmuv3::Stage2Config c2 = s2cfg(Tg::k4K, 24, 1, root2);
    uint64_t table_block = 0;  // the stage 2 descriptor mapping the stage 1 tables

    explicit Nested(vmsatest::S2Leaf table_attrs = {}) {
        table_block = s2(kS1Pool, kS1Pool + kS1Backing, table_attrs, 2);
        configure();
    }
    void configure() { rig.walk.configure(&c1, &c2); }
    uint64_t s1(uint64_t va, uint64_t ipa, vmsatest::S1Leaf a = {}, int level = 3) {
        return tb1.map(root1, 0, 48, va, level, vmsatest::s1_leaf(Tg::k4K, level, ipa, a));
    }
    uint64_t s2(uint64_t ipa, uint64_t pa, vmsatest::S2Leaf a = {}, int level = 3) {
        return tb2.map(root2, 1, 40, ipa, level, vmsatest::s2_leaf(Tg::k4K, level, pa, a));
    }
    iommu::Result run(const iommu::Request& r) { return rig.run(r); }
    const smmuv3::Fault& fault() const { return rig.fault(); }
};

}  // namespace

// Each of the 4 stage 1 descriptor reads needs a stage 2 walk of its IPA first (2 reads:
// L1 table, L2 block), then the output IPA takes a 3-read stage 2 walk:
// 4 * (2 + 1) + 3 = 15 reads.
TEST_CASE("SMMUv3 VMSA: Nested: stage 1 table addresses and output translated by stage 2",
          "[smmuv3][vmsa][nested]") {
    Nested n;
    n.s1(kVa, kIpa);
    n.s2(kIpa, kPa);
    auto r = n.run(req(kVa + 0x10, true));
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == kPa + 0x10);
    CHECK(r.page_size == 4096);
    CHECK(r.read);
    CHECK(r.write);
    CHECK(n.rig.walk.reads() == 15);
}

// The leaf size of a nested translation is the smaller of the two stages' leaves.
TEST_CASE("SMMUv3 VMSA: Nested: page size is the smaller leaf", "[smmuv3][vmsa][nested]") {
    struct V { int l1, l2; uint64_t size; unsigned reads; };
    for (const V v : {V{2, 3, B(12), 3 * 3 + 3}, V{3, 2, B(12), 4 * 3 + 2},
                      V{2, 2, B(21), 3 * 3 + 2}, V{1, 2, B(21), 2 * 3 + 2}}) {
        Nested n;
        const uint64_t va = 5 * B(30), ipa = 2 * B(30);  // 1 GiB aligned
        n.s1(va, ipa, {}, v.l1);
        n.s2(ipa, kPa, {}, v.l2);
        INFO("stage 1 leaf level " << v.l1 << ", stage 2 leaf level " << v.l2);
        auto r = n.run(req(va + 0xff8));  // inside the first 4 KiB of both leaves
        REQUIRE_FALSE(r.fault);
        CHECK(r.pa == kPa + 0xff8);
        CHECK(r.page_size == v.size);
        CHECK(n.rig.walk.reads() == v.reads);
    }
}

TEST_CASE("SMMUv3 VMSA: Nested: which stage faulted, and on what", "[smmuv3][vmsa][nested][fault]") {
    SECTION("stage 2 Translation fault on the TTB0 fetch: CLASS=TT, the table's IPA") {
        Nested n;
        n.c1.ttb0 = 0x6000'0000;  // stage 2 maps no L2 entry for it
        n.configure();
        auto r = n.run(req(kVa));
        CHECK(event_of(r) == ev::F_TRANSLATION);
        CHECK(n.fault().s2);
        CHECK(n.fault().cls == FaultClass::TT);
        CHECK(n.fault().during_s1_walk());
        CHECK(n.fault().ipa == 0x6000'0000 + 8 * ((kVa >> 39) & 511));
        CHECK(n.fault().level == 2);
        CHECK(n.fault().input == kVa);
    }
    SECTION("stage 2 Translation fault on the output: CLASS=IN, the output IPA") {
        Nested n;
        n.s1(kVa, 0x9000'0000);
        auto r = n.run(req(kVa + 4));
        CHECK(event_of(r) == ev::F_TRANSLATION);
        CHECK(n.fault().s2);
        CHECK(n.fault().cls == FaultClass::IN);
        CHECK_FALSE(n.fault().during_s1_walk());
        CHECK(n.fault().ipa == 0x9000'0004);
    }
    SECTION("stage 1 Translation fault") {
        Nested n;
        auto r = n.run(req(kVa));
        CHECK(event_of(r) == ev::F_TRANSLATION);
        CHECK_FALSE(n.fault().s2);
        CHECK(n.fault().level == 0);  // the root table is empty
    }
}

// Permissions combine: each stage can deny, and the result grants what both grant.
TEST_CASE("SMMUv3 VMSA: Nested: permissions of both stages", "[smmuv3][vmsa][nested][perm]") {
    Nested n;
    vmsatest::S2Leaf s2_ro;
    s2_ro.s2ap = 1;
    vmsatest::S1Leaf s1_ro;
    s1_ro.ap = 2;
    n.s1(kVa, kIpa);
    n.s2(kIpa, kPa, s2_ro);
    n.s1(kVa + 0x1000, kIpa + 0x1000, s1_ro);
    n.s2(kIpa + 0x1000, kPa + 0x1000);
    auto r = n.run(req(kVa));
    REQUIRE_FALSE(r.fault);
    CHECK_FALSE(r.write);
    r = n.run(req(kVa, true));
    CHECK(event_of(r) == ev::F_PERMISSION);
    CHECK(n.fault().s2);
    CHECK(n.fault().cls == FaultClass::IN);
    r = n.run(req(kVa + 0x1000));
    REQUIRE_FALSE(r.fault);
    CHECK_FALSE(r.write);
    r = n.run(req(kVa + 0x1000, true));
    CHECK(event_of(r) == ev::F_PERMISSION);
    CHECK_FALSE(n.fault().s2);
}

// A stage 1 table fetch is a read at stage 2 (D8.4): S2AP without read faults it; with
// STE.S2PTW=1 a fetch from stage 2 Device memory (MemAttr[3:2]=0b00) is a stage 2
// Permission fault (IHI0070 5.2 S2PTW); an AF=0 stage 2 block is an Access flag fault.
TEST_CASE("SMMUv3 VMSA: Nested: stage 2 checks on stage 1 table fetches", "[smmuv3][vmsa][nested][perm]") {
    SECTION("no read permission") {
        vmsatest::S2Leaf none;
        none.s2ap = 0;
        Nested n(none);
        n.s1(kVa, kIpa);
        n.s2(kIpa, kPa);
        CHECK(event_of(n.run(req(kVa))) == ev::F_PERMISSION);
        CHECK(n.fault().during_s1_walk());
        CHECK(n.fault().ipa == n.root1 + 8 * ((kVa >> 39) & 511));
    }
    SECTION("S2PTW and Device memory") {
        vmsatest::S2Leaf device;
        device.mem_attr = 0;  // Device-nGnRnE
        Nested n(device);
        n.s1(kVa, kIpa);
        n.s2(kIpa, kPa);
        CHECK_FALSE(n.run(req(kVa)).fault);
        n.c2.ptw = true;
        n.configure();
        CHECK(event_of(n.run(req(kVa))) == ev::F_PERMISSION);
        CHECK(n.fault().during_s1_walk());
    }
    SECTION("stage 2 Access flag on the table page") {
        vmsatest::S2Leaf no_af;
        no_af.af = false;
        Nested n(no_af);
        n.s1(kVa, kIpa);
        n.s2(kIpa, kPa);
        CHECK(event_of(n.run(req(kVa))) == ev::F_ACCESS);
        CHECK(n.fault().during_s1_walk());
        n.c2.ha = true;
        n.configure();
        CHECK_FALSE(n.run(req(kVa)).fault);
        CHECK((n.tb2.peek(n.table_block) & B(10)) != 0);
    }
}

// A stage 1 Access flag update writes the stage 1 descriptor at its PA; stage 2 must
// allow writing that page, else a stage 2 Permission fault on the stage 1 walk.
TEST_CASE("SMMUv3 VMSA: Nested: stage 1 hardware update through stage 2", "[smmuv3][vmsa][nested][af]") {
    vmsatest::S1Leaf no_af;
    no_af.af = false;
    for (unsigned table_s2ap : {3u, 1u}) {
        vmsatest::S2Leaf t;
        t.s2ap = table_s2ap;
        Nested n(t);
        const uint64_t leaf = n.s1(kVa, kIpa, no_af);
        n.s2(kIpa, kPa);
        n.c1.ha = true;
        n.configure();
        INFO("table page S2AP " << table_s2ap);
        auto r = n.run(req(kVa));
        if (table_s2ap == 3) {
            REQUIRE_FALSE(r.fault);
            CHECK(n.rig.walk.writes() == 1);
            CHECK((n.tb1.peek(leaf) & B(10)) != 0);  // written at IPA + backing
        } else {
            CHECK(event_of(r) == ev::F_PERMISSION);
            CHECK(n.fault().during_s1_walk());
            CHECK(n.fault().ipa == leaf);
            CHECK((n.tb1.peek(leaf) & B(10)) == 0);
        }
    }
}

// IHI0070 7.3 F_WALK_EABT: the stage 1 descriptor's PA (from stage 2) aborts.
TEST_CASE("SMMUv3 VMSA: Nested: walk external abort on a stage 1 fetch", "[smmuv3][vmsa][nested][fault]") {
    Nested n;
    n.s1(kVa, kIpa);
    n.tb2.poke(n.table_block,
               vmsatest::s2_leaf(Tg::k4K, 2, n.rig.limit + B(21), {}));  // unbacked PA
    auto r = n.run(req(kVa));
    CHECK(event_of(r) == ev::F_WALK_EABT);
    CHECK_FALSE(n.fault().s2);
    CHECK(n.fault().cls == FaultClass::TT);
    CHECK(n.fault().fetch_pa == n.rig.limit + B(21) + 8 * ((kVa >> 39) & 511));
}

// The two stages choose their granules independently (CD.TG0, STE.S2TG): a 16 KiB
// stage 1 (T0SZ 17: levels 1-3) over a 64 KiB stage 2 (S2T0SZ 24, S2SL0 1: levels 2-3,
// 2048 start entries). Stage 2 maps the stage 1 tables with a 512 MiB level 2 block
// (one read per table fetch), the output with a 64 KiB page: 3 * (1 + 1) + 2 = 8
// reads, and the leaf is the 16 KiB stage 1 page.
TEST_CASE("SMMUv3 VMSA: Nested: 16K stage 1 over 64K stage 2", "[smmuv3][vmsa][nested]") {
    Rig rig;
    TableBuilder tb2{rig.mem, Tg::k64K, kS2Pool};
    TableBuilder tb1{rig.mem, Tg::k16K, kS1Pool, kS1Backing};
    const uint64_t root2 = tb2.new_root(2, 40);
    const uint64_t root1 = tb1.new_root(1, 47);
    auto c1 = s1cfg(Tg::k16K, 17, root1);
    auto c2 = s2cfg(Tg::k64K, 24, 1, root2);
    REQUIRE(smmuv3::check(c1) == smmuv3::ConfigError::None);
    REQUIRE(smmuv3::check(c2, 48) == smmuv3::ConfigError::None);
    tb2.map(root2, 2, 40, kS1Pool, 2, vmsatest::s2_leaf(Tg::k64K, 2, kS1Pool + kS1Backing));
    const uint64_t va = 0x7abc'de00'0000 + 3 * B(14);
    tb1.map(root1, 1, 47, va, 3, vmsatest::s1_leaf(Tg::k16K, 3, kIpa + B(14)));
    tb2.map(root2, 2, 40, kIpa, 3, vmsatest::s2_leaf(Tg::k64K, 3, kPa));
    rig.walk.configure(&c1, &c2);
    auto r = rig.run(req(va + 0x3ff8, true));
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == kPa + B(14) + 0x3ff8);
    CHECK(r.page_size == B(14));
    CHECK(rig.walk.reads() == 8);
}
