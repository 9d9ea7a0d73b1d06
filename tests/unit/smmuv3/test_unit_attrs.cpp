// SmmuUnit memory attributes (IHI 0070 chapter 13, Arm ARM D8.6): whether a translated
// access is coherent (snooped) follows the incoming attributes (PCIe No Snoop), the
// STE and GBPA overrides, stage 1 MAIR[AttrIndx] and SH, stage 2 MemAttr, and
// IDR0.COHACC. Each case asks twice: the walk and the TLB hit must agree.
#include <catch2/catch.hpp>

#include <vector>

#include "tests/unit/smmuv3/unit_rig.h"

using namespace smmu_rig;

namespace {

// Translates twice (a walk, then the TLB or a cached STE) and checks both agree.
bool snooped(Rig& r, uint32_t sid, uint64_t iova, bool no_snoop = false) {
    iommu::Request req = testutil::dma(uint16_t(sid), iova, false);
    req.no_snoop = no_snoop;
    const iommu::Result walked = r.unit->translate(req);
    REQUIRE_FALSE(walked.fault);
    const iommu::Result again = r.unit->translate(req);
    REQUIRE_FALSE(again.fault);
    CHECK(again.snoop == walked.snoop);
    return walked.snoop;
}

// sid 1 stage 1 over a leaf with `indx` and `sh`; the STE from `f` (Config forced).
void stage1_leaf(Rig& r, unsigned indx, unsigned sh, smmu_enc::SteFields f = {}) {
    const uint64_t root = r.s1_root();
    vmsatest::S1Leaf a = Rig::rw_all();
    a.attr_indx = indx;
    a.sh = sh;
    r.map_page(root, 0x1000, 0x80001000, a);
    r.put(kCd, smmu_enc::cd(r.cd_fields(root)));
    f.config = 0b101;
    f.s1_context_ptr = kCd;
    r.put_ste(1, f);
}

// sid 4 stage 2 only over a leaf with MemAttr `memattr`.
void stage2_leaf(Rig& r, unsigned memattr, smmu_enc::SteFields f = {}) {
    const uint64_t root = r.tables.new_root(1, 39);
    vmsatest::S2Leaf a;
    a.mem_attr = memattr;
    r.tables.map(root, 1, 39, 0x2000, 3, vmsatest::s2_leaf(Tg::k4K, 3, 0x90002000, a));
    f.config = 0b110;
    Rig::with_stage2(f, root, 7);
    r.put_ste(4, f);
}

}  // namespace

// D8.6 MAIR_ELx: Write-Back and Write-Through shareable Normal memory is cacheable and
// snooped; Normal Non-cacheable and Device are not; a non-shareable access is not
// coherent either.
TEST_CASE("smmuv3 attrs: stage 1 MAIR type and SH decide snooping", "[smmuv3]") {
    struct Case { unsigned indx, sh; bool snoop; };
    const Case cases[] = {{Rig::kIdxWb, 3, true},  {Rig::kIdxWb, 2, true},     {Rig::kIdxWt, 3, true},
                          {Rig::kIdxNc, 3, false}, {Rig::kIdxDevice, 3, false}, {Rig::kIdxWb, 0, false}};
    for (const Case& c : cases) {
        Rig r;
        stage1_leaf(r, c.indx, c.sh);
        r.enable();
        INFO("AttrIndx " << c.indx << " SH " << c.sh);
        CHECK(snooped(r, 1, 0x1010) == c.snoop);
    }
}

// §13 PCIe: No Snoop is incoming Non-cacheable, which stage 1 does not make cacheable;
// STE.MTCFG=1 with a Write-Back MemAttr replaces the incoming type, so the stage 1
// Write-Back output then stands.
TEST_CASE("smmuv3 attrs: No Snoop over stage 1, and STE.MTCFG replacing it", "[smmuv3]") {
    Rig r;
    stage1_leaf(r, Rig::kIdxWb, 3);
    r.enable();
    CHECK(snooped(r, 1, 0x1010));
    CHECK_FALSE(snooped(r, 1, 0x1020, true));
    Rig o;
    smmu_enc::SteFields f;
    f.mtcfg = true;
    f.memattr = 0xf;  // Normal iWB-oWB
    f.shcfg = 1;      // incoming shareability
    stage1_leaf(o, Rig::kIdxWb, 3, f);
    o.enable();
    CHECK(snooped(o, 1, 0x1010, true));
}

// §5.2 STE bypass: the incoming attributes, after MTCFG/MemAttr and SHCFG.
TEST_CASE("smmuv3 attrs: STE bypass follows the STE overrides", "[smmuv3]") {
    Rig r;
    smmu_enc::SteFields f;
    f.config = 0b100;
    f.shcfg = 1;
    r.put_ste(2, f);  // incoming
    f.mtcfg = true;
    f.memattr = 0x5;  // Normal iNC-oNC
    r.put_ste(3, f);
    f.memattr = 0xf;  // Normal iWB-oWB
    r.put_ste(5, f);
    f.mtcfg = false;
    f.shcfg = 0;      // Non-shareable
    r.put_ste(6, f);
    f.shcfg = 3;      // Inner Shareable
    r.put_ste(7, f);
    r.enable();
    CHECK(snooped(r, 2, 0x5000));
    CHECK_FALSE(snooped(r, 2, 0x5000, true));
    CHECK_FALSE(snooped(r, 3, 0x5000));
    CHECK(snooped(r, 5, 0x5000, true));
    CHECK_FALSE(snooped(r, 6, 0x5000));
    CHECK(snooped(r, 7, 0x5000));
}

// §6.3 IDR1.ATTR_TYPES_OVR = 0: STE.MTCFG/MemAttr/SHCFG are ignored (RES0).
TEST_CASE("smmuv3 attrs: without ATTR_TYPES_OVR the STE overrides do nothing", "[smmuv3]") {
    Rig r;
    r.caps.attr_types_ovr = false;
    r.rebuild();
    smmu_enc::SteFields f;
    f.config = 0b100;
    f.mtcfg = true;
    f.memattr = 0x5;
    f.shcfg = 0;
    r.put_ste(3, f);
    r.enable();
    CHECK(snooped(r, 3, 0x5000));
    CHECK_FALSE(snooped(r, 3, 0x5000, true));
}

// D8.6 combining: stage 2 alone combines its MemAttr with the incoming attributes —
// the weaker type wins, so No Snoop stays Non-cacheable over a Write-Back stage 2.
TEST_CASE("smmuv3 attrs: stage 2 MemAttr combines with the incoming attributes", "[smmuv3]") {
    struct Case { unsigned memattr; bool no_snoop, mtcfg, snoop; };
    const Case cases[] = {{0xf, false, false, true}, {0xf, true, false, false}, {0x5, false, false, false},
                          {0x1, false, false, false}, {0xd, false, false, false}, {0xf, true, true, true},
                          {0xa, false, false, true}};
    for (const Case& c : cases) {
        Rig r;
        smmu_enc::SteFields f;
        f.mtcfg = c.mtcfg;
        f.memattr = 0xf;
        f.shcfg = 1;
        stage2_leaf(r, c.memattr, f);
        r.enable();
        INFO("MemAttr " << c.memattr << " No Snoop " << c.no_snoop << " MTCFG " << c.mtcfg);
        CHECK(snooped(r, 4, 0x2010, c.no_snoop) == c.snoop);
    }
}

// Nested (Config 0b111): stage 1's output combined with stage 2's; either stage's
// Non-cacheable makes the access Non-cacheable.
TEST_CASE("smmuv3 attrs: nested stage 1 and stage 2 attributes combine", "[smmuv3]") {
    struct Case { unsigned indx, memattr; bool snoop; };
    const Case cases[] = {{Rig::kIdxWb, 0xf, true}, {Rig::kIdxWb, 0x5, false}, {Rig::kIdxNc, 0xf, false},
                          {Rig::kIdxWb, 0x0, false}};
    for (const Case& c : cases) {
        Rig r;
        vmsatest::TableBuilder s2t(r.mem, Tg::k4K, 0x200000);
        const uint64_t s2root = s2t.new_root(1, 39);
        vmsatest::S2Leaf table_attr;  // the tables and CD: Write-Back
        vmsatest::S2Leaf data_attr;
        data_attr.mem_attr = c.memattr;
        s2t.map(s2root, 1, 39, 0, 1, vmsatest::s2_leaf(Tg::k4K, 1, 0, table_attr));
        s2t.map(s2root, 1, 39, 0x40000000, 1, vmsatest::s2_leaf(Tg::k4K, 1, 0xc0000000, data_attr));
        const uint64_t s1root = r.s1_root();
        vmsatest::S1Leaf a = Rig::rw_all();
        a.attr_indx = c.indx;
        r.map_page(s1root, 0x1000, 0x40005000, a);
        r.put(kCd, smmu_enc::cd(r.cd_fields(s1root)));
        auto f = r.s1_ste(kCd);
        f.config = 0b111;
        Rig::with_stage2(f, s2root, 3);
        r.put_ste(6, f);
        r.enable();
        INFO("AttrIndx " << c.indx << " MemAttr " << c.memattr);
        CHECK(snooped(r, 6, 0x1008) == c.snoop);
    }
}

// §6.3 SMMU_GBPA: with SMMUEN = 0, GBPA.MTCFG/MemAttr/SHCFG override the incoming
// attributes as the STE's do.
TEST_CASE("smmuv3 attrs: SMMUEN=0 follows GBPA's attributes", "[smmuv3]") {
    namespace gbpa = smmuv3::gbpa;
    Rig r;
    CHECK(r.unit->read(reg::GBPA, 4) == 0x1000);  // reset: SHCFG 0b01, use incoming
    CHECK(snooped(r, 5, 0x1234));
    CHECK_FALSE(snooped(r, 5, 0x1234, true));
    const uint32_t shcfg_incoming = 1u << 12;
    r.unit->write(reg::GBPA, gbpa::UPDATE | gbpa::MTCFG.put(1) | gbpa::MEMATTR.put(0x5) | shcfg_incoming, 4);
    CHECK_FALSE(snooped(r, 5, 0x1234));
    r.unit->write(reg::GBPA, gbpa::UPDATE | gbpa::MTCFG.put(1) | gbpa::MEMATTR.put(0xf) | shcfg_incoming, 4);
    CHECK(snooped(r, 5, 0x1234, true));
}

// IDR0.COHACC = 0: the SMMU's accesses are not coherent, Write-Back ones included.
TEST_CASE("smmuv3 attrs: COHACC=0 never snoops", "[smmuv3]") {
    Rig r;
    r.caps.cohacc = false;
    r.rebuild();
    stage1_leaf(r, Rig::kIdxWb, 3);
    smmu_enc::SteFields f;
    f.config = 0b100;
    f.shcfg = 1;
    r.put_ste(2, f);
    r.enable();
    CHECK_FALSE(snooped(r, 1, 0x1010));
    CHECK_FALSE(snooped(r, 2, 0x5000));
}

namespace {

// The snoop decision of every access of one walk of sid 1, iova 0x1000, as the timing
// shell asks it (Translator::walk_snoops), by what is read: STE, CD, table.
struct Fetches {
    std::vector<bool> ste, cd, table;
};
Fetches walk_fetches(Rig& r) {
    Fetches f;
    r.unit->reserve_walks(1);
    iommu::Walk& w = r.unit->begin_walk(0, testutil::dma(1, 0x1000, false));
    while (!w.done()) {
        const uint64_t at = w.read_address();
        (at >= kStrtab && at < kCmdq ? f.ste : at >= kCd && at < kCd + 64 ? f.cd : f.table)
            .push_back(r.unit->walk_snoops(w));
        w.supply(r.mem.read_u64(at), true);
    }
    REQUIRE_FALSE(r.unit->end_walk(0).fault);
    return f;
}

// Stage 1 stream whose STE reads follow `cr1`, CD reads STE.S1C* = (ir, or, sh) and
// table reads CD.IRGN0/ORGN0/SH0 = (tir, tor, tsh).
void stream_with_fetch_attrs(Rig& r, uint32_t cr1, unsigned cir, unsigned csh, unsigned tir, unsigned tsh) {
    const uint64_t root = r.s1_root();
    r.map_page(root, 0x1000, 0x80001000);
    smmu_enc::CdFields c = r.cd_fields(root);
    c.irgn0 = c.orgn0 = tir;
    c.sh0 = tsh;
    r.put(kCd, smmu_enc::cd(c));
    smmu_enc::SteFields f = r.s1_ste(kCd);
    f.s1cir = f.s1cor = cir;
    f.s1csh = csh;
    r.put_ste(1, f);
    r.unit->write(reg::CR1, cr1, 4);
    r.enable();
}

bool all(const std::vector<bool>& v, bool want) {
    for (bool b : v)
        if (b != want) return false;
    return !v.empty();
}

}  // namespace

// §13 with §6.3 CR1, §5.2 S1CIR/S1COR/S1CSH, §5.4 IRGN0/ORGN0/SH0: each structure's
// fetch attributes decide whether its reads snoop (Write-Back shareable with COHACC).
TEST_CASE("smmuv3 attrs: each walk read snoops as its structure's attributes say", "[smmuv3]") {
    const uint32_t cr1_table_wb_ish = 1u << 6 | 1u << 8 | 3u << 10;  // TABLE_IC, TABLE_OC, TABLE_SH
    {
        Rig r;  // STE reads Non-cacheable (CR1 0), CD reads Write-Back ISH, tables NC
        stream_with_fetch_attrs(r, 0, 1, 3, 0, 2);
        const Fetches f = walk_fetches(r);
        CHECK(f.ste.size() == 8);
        CHECK(f.cd.size() == 8);
        CHECK(f.table.size() == 3);
        CHECK(all(f.ste, false));
        CHECK(all(f.cd, true));
        CHECK(all(f.table, false));
    }
    {
        Rig r;  // STE reads Write-Back ISH, CD reads Non-shareable, tables Write-Back ISH
        stream_with_fetch_attrs(r, cr1_table_wb_ish, 1, 0, 1, 3);
        const Fetches f = walk_fetches(r);
        CHECK(all(f.ste, true));
        CHECK(all(f.cd, false));
        CHECK(all(f.table, true));
    }
    {
        Rig r;  // COHACC = 0: nothing snoops
        r.caps.cohacc = false;
        r.rebuild();
        stream_with_fetch_attrs(r, cr1_table_wb_ish, 1, 3, 1, 3);
        const Fetches f = walk_fetches(r);
        CHECK(all(f.ste, false));
        CHECK(all(f.cd, false));
        CHECK(all(f.table, false));
    }
}
