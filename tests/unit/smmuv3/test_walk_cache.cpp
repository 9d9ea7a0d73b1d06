// The walk caches (IHI 0070 §16.2; §4.4 for what each TLBI removes): a walk begins
// below the deepest cached table descriptor and makes only the reads under it. Read
// counts are worked out from the tables each case builds; the TLB is emptied between
// accesses (a new page, or a TLBI) so every access walks.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/sim/config.h"
#include "models/sim/params.h"
#include "models/smmuv3/arch.h"
#include "tests/unit/smmuv3/unit_rig.h"

using namespace smmu_rig;

namespace {

uint64_t stat(const Rig& r, const std::string& name) {
    nlohmann::json j;
    r.unit->sim::StatGroup::write(j, "u");
    return j.at("u." + name).get<uint64_t>();
}

// Walk reads one access makes (configuration reads are counted apart).
uint64_t reads_of(Rig& r, uint32_t sid, uint64_t va, uint64_t expect_pa) {
    const uint64_t before = stat(r, "walk_reads");
    const iommu::Result res = r.access(sid, va);
    INFO(r.unit->fault_text(res.reason));
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == expect_pa);
    return stat(r, "walk_reads") - before;
}

smmu_enc::TlbiRange at(uint64_t addr, bool leaf) {
    smmu_enc::TlbiRange t;
    t.addr = addr;
    t.leaf = leaf;
    return t;
}

// Stage 1 (levels 1..3, ASID 1, VMID 0): pages 0x1000..0x4000 of the first 2 MiB.
uint64_t four_pages(Rig& r) {
    const uint64_t root = r.stage1_stream(1);
    for (uint64_t p = 2; p <= 4; ++p) r.map_page(root, p << 12, 0x80000000 + (p << 12));
    r.enable();
    return root;
}

}  // namespace

TEST_CASE("smmuv3 walk cache: a second walk in the same 2 MiB reads only the leaf", "[smmuv3]") {
    Rig r;
    four_pages(r);
    CHECK(reads_of(r, 1, 0x1000, 0x80001000) == 3);  // levels 1, 2, 3
    CHECK(reads_of(r, 1, 0x2000, 0x80002000) == 1);  // the level 2 table descriptor was cached
    CHECK(stat(r, "walk_cache.s1l2.hits") == 1);
    CHECK(stat(r, "walk_cache.s1l2.misses") == 1);
    CHECK(stat(r, "walk_cache.s1l1.misses") == 1);  // probed once, on the first walk
    CHECK(stat(r, "walk_cache.s1l1.fills") == 1);
    CHECK(stat(r, "walk_cache.s2l1.lookups") == 0);  // no stage 2 on this stream
}

// §4.4 TLBI_NH_VA: Leaf=1 need only remove leaf entries, Leaf=0 removes the walk cache
// entries of the address too.
TEST_CASE("smmuv3 walk cache: TLBI_NH_VA Leaf=1 keeps it, Leaf=0 removes it", "[smmuv3]") {
    Rig r;
    four_pages(r);
    REQUIRE(reads_of(r, 1, 0x1000, 0x80001000) == 3);
    r.command(smmu_enc::tlbi_nh_va(0, 1, at(0x1000, true)));
    CHECK(reads_of(r, 1, 0x1000, 0x80001000) == 1);
    r.command(smmu_enc::tlbi_nh_va(0, 2, at(0x1000, false)));  // another ASID
    CHECK(reads_of(r, 1, 0x2000, 0x80002000) == 1);
    r.command(smmu_enc::tlbi_nh_va(0, 1, at(0x1000, false)));
    CHECK(reads_of(r, 1, 0x1000, 0x80001000) == 3);
    r.command(smmu_enc::tlbi_nh_vaa(0, at(0x1000, false)));  // every ASID of VMID 0
    CHECK(reads_of(r, 1, 0x3000, 0x80003000) == 3);
}

// A table changed under a cached descriptor: the walk cache keeps the old table until
// a Leaf=0 invalidation of the address; then the walk sees the new one.
TEST_CASE("smmuv3 walk cache: a changed table is seen after a Leaf=0 invalidation", "[smmuv3]") {
    Rig r;
    const uint64_t root = four_pages(r);
    REQUIRE(reads_of(r, 1, 0x1000, 0x80001000) == 3);
    // New level 2 and 3 tables mapping 0x1000 elsewhere, hung under the old level 1 entry.
    const uint64_t other = r.s1_root();
    r.map_page(other, 0x1000, 0x83001000);
    const uint64_t l1 = r.tables.entry_address(root, 1, 39, 0x1000, 1);
    r.mem.write_u64(l1, r.mem.read_u64(r.tables.entry_address(other, 1, 39, 0x1000, 1)));
    r.command(smmu_enc::tlbi_nh_va(0, 1, at(0x1000, true)));
    CHECK(reads_of(r, 1, 0x1000, 0x80001000) == 1);  // the cached level 2 table: stale
    r.command(smmu_enc::tlbi_nh_va(0, 1, at(0x1000, false)));
    CHECK(reads_of(r, 1, 0x1000, 0x83001000) == 3);
}

// §4.4: NH_ASID and NH_ALL remove what they cover; CFGI_* and TLBI_EL2_* do not touch
// walk caches.
TEST_CASE("smmuv3 walk cache: which commands remove stage 1 entries", "[smmuv3]") {
    Rig r;
    r.caps.hyp = true;
    r.rebuild();
    four_pages(r);
    REQUIRE(reads_of(r, 1, 0x1000, 0x80001000) == 3);
    r.command(smmu_enc::cfgi_all());
    r.command(smmu_enc::tlbi_el2_all());
    r.command(smmu_enc::tlbi_nh_asid(0, 2));
    r.command(smmu_enc::tlbi_nh_all(1));  // another VMID
    CHECK(reads_of(r, 1, 0x2000, 0x80002000) == 1);
    r.command(smmu_enc::tlbi_nh_asid(0, 1));
    CHECK(reads_of(r, 1, 0x3000, 0x80003000) == 3);
    r.command(smmu_enc::tlbi_nh_all(0));
    CHECK(reads_of(r, 1, 0x4000, 0x80004000) == 3);
    CHECK(stat(r, "command_errors") == 0);
}

// §4.4.1 range invalidation (IDR3.RIL): (NUM + 1) * 2^SCALE granules from the address
// remove every walk-cache entry whose span they meet, and only those.
TEST_CASE("smmuv3 walk cache: a range TLBI removes the entries whose span it meets", "[smmuv3]") {
    Rig r;
    four_pages(r);
    REQUIRE(reads_of(r, 1, 0x1000, 0x80001000) == 3);
    smmu_enc::TlbiRange t = at(0x200000, false);  // one 4K granule just past the first 2 MiB
    t.tg = 1;
    r.command(smmu_enc::tlbi_nh_va(0, 1, t));
    // The level 1 entry (first GiB) went, the level 2 entry (first 2 MiB) serves.
    CHECK(reads_of(r, 1, 0x2000, 0x80002000) == 1);
    t.addr = 0x1f0000;  // 32 granules: 0x1f0000..0x20ffff meets the first 2 MiB
    t.num = 31;
    r.command(smmu_enc::tlbi_nh_va(0, 1, t));
    CHECK(reads_of(r, 1, 0x3000, 0x80003000) == 3);
    CHECK(stat(r, "walk_cache.s1l1.invalidations") == 1);
    CHECK(stat(r, "walk_cache.s1l2.invalidations") == 1);
}

namespace {

// Nested, VMID 3: stage 2 maps IPA 0..2 MiB (the CD and the stage 1 tables) with a
// level 2 block, and stage 1 maps VA page p (1..5) to IPA 0x40004000 + p pages,
// which stage 2 maps with level 3 pages to 0xc0004000 + p pages.
void nested(Rig& r) {
    vmsatest::TableBuilder s2t(r.mem, Tg::k4K, 0x200000);
    const uint64_t s2root = s2t.new_root(1, 39);
    s2t.map(s2root, 1, 39, 0, 2, vmsatest::s2_leaf(Tg::k4K, 2, 0));
    const uint64_t s1root = r.s1_root();
    for (uint64_t p = 1; p <= 5; ++p) {
        r.map_page(s1root, p << 12, 0x40004000 + (p << 12));
        s2t.map(s2root, 1, 39, 0x40004000 + (p << 12), 3, vmsatest::s2_leaf(Tg::k4K, 3, 0xc0004000 + (p << 12)));
    }
    r.nested_stream(6, s1root, s2root, 3);
}

uint64_t nested_pa(uint64_t page) { return 0xc0004000 + (page << 12); }

}  // namespace

// Nested from cold: the CD's stage 2 walk (2 reads: level 1 table, level 2 block)
// caches the level 1 entry over IPA 0..1 GiB, so each of the 3 stage 1 table IPAs
// takes 1 stage 2 read before its stage 1 read, and the output's stage 2 walk takes
// 3: 2 + 6 + 3 = 11 (19 - 8 without walk caches). Warm: the stage 1 level 2 entry
// gives the level 3 table's IPA, whose stage 2 walk starts under the cached level 1
// entry (1 read), the stage 1 leaf (1), the output's stage 2 walk under the cached
// level 2 entry (1): 3.
TEST_CASE("smmuv3 walk cache: stage 2 caches serve nested walks", "[smmuv3]") {
    Rig r;
    nested(r);
    REQUIRE(reads_of(r, 6, 0x1000, nested_pa(1)) == 11);
    CHECK(reads_of(r, 6, 0x2000, nested_pa(2)) == 3);
    CHECK(stat(r, "walk_cache.s2l1.hits") == 4);  // 3 stage 1 tables cold, 1 warm
    CHECK(stat(r, "walk_cache.s2l2.hits") == 1);
}

// §4.4 TLBI_S2_IPA removes stage 2 entries of the IPA (Leaf=0), not stage 1 entries
// (they hold IPAs); TLBI_S12_VMALL removes both stages of the VMID.
TEST_CASE("smmuv3 walk cache: TLBI_S2_IPA and TLBI_S12_VMALL", "[smmuv3]") {
    Rig r;
    nested(r);
    REQUIRE(reads_of(r, 6, 0x1000, nested_pa(1)) == 11);
    r.command(smmu_enc::tlbi_s2_ipa(3, at(0x40006000, true)));
    CHECK(reads_of(r, 6, 0x2000, nested_pa(2)) == 3);
    r.command(smmu_enc::tlbi_s2_ipa(3, at(0x40006000, false)));
    // Stage 1 still starts at level 3 (1 + 1 reads); the output walks from level 1 (3).
    CHECK(reads_of(r, 6, 0x3000, nested_pa(3)) == 5);
    r.command(smmu_enc::tlbi_s12_vmall(2));  // another VMID
    CHECK(reads_of(r, 6, 0x4000, nested_pa(4)) == 3);
    r.command(smmu_enc::tlbi_s12_vmall(3));
    // As from cold but for the CD (cached): 2 + 1 stage 2 reads ahead of the stage 1
    // level 1 read, 1 + 1 twice, the output 3: 10.
    CHECK(reads_of(r, 6, 0x5000, nested_pa(5)) == 10);
}

// The plug-in reads one geometry per stage and level, defaulting to gem5's shapes
// (87 sets of 4 ways at stage 1 level 2: not a power of two).
TEST_CASE("smmuv3 walk cache: [smmuv3.walk_cache.*] sections and their defaults", "[smmuv3]") {
    const iommu::HardwareArch& arch = smmuv3::hardware();
    sim::ParamSchema schema;
    arch.declare(schema);
    CHECK(schema.has("smmuv3.walk_cache.s1l2.sets"));
    CHECK(schema.has("smmuv3.walk_cache.s2l0.ways"));
    CHECK_FALSE(schema.has("smmuv3.walk_cache.s1l3.sets"));
    sim::Config cfg;
    cfg.set("smmuv3.walk_cache.s2l2.sets", "5");
    const auto c = arch.read(cfg, 1);
    const auto& u = static_cast<const smmuv3::UnitConfig&>(*c).unit;
    CHECK(u.walk_cache.s1[2].sets == 87);
    CHECK(u.walk_cache.s1[1].sets == 7);
    CHECK(u.walk_cache.s2[2].sets == 5);
    CHECK(u.walk_cache.s2[2].ways == 4);
    CHECK(u.tlb.sets == 512);  // the declared default, not CacheGeometry's
}
