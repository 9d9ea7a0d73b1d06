// The VT-d hardware model against tables written by the independent, spec-derived
// encoder in tests/support/vtd_tables (never shared with the decoder).
#include <catch2/catch.hpp>

#include "models/memory/sparse_memory.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "models/iommu/host_memory.h"
#include "tests/support/vtd_tables.h"
#include "tests/support/requests.h"

using namespace vtdtest;
namespace fault = vtd::fault;

namespace {

constexpr uint64_t kLimit = 0x2000'0000;  // installed memory: reads above it fail

struct Fixture {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, kLimit};
    vtd::Capabilities caps;
    TableBuilder tb{mem};
    std::unique_ptr<vtd::RemappingUnit> unit;
    Fixture() {
        caps.sagaw = 0xe;  // 3, 4 and 5 levels
        caps.mgaw = 57;
    }
    // Builds the unit from caps and runs the enable sequence with this RTADDR value.
    void enable(uint64_t rtaddr) {
        unit = std::make_unique<vtd::RemappingUnit>(caps, vtd::UnitParams{}, host);
        unit->write(vtd::reg::RTADDR, rtaddr, 8);
        unit->write(vtd::reg::GCMD, vtd::gcmd::SRTP, 4);
        unit->write(vtd::reg::GCMD, vtd::gcmd::TE, 4);
    }
    iommu::Result go(uint16_t sid, uint64_t iova, bool write, bool no_snoop = false,
                     int pasid = -1, bool priv = false) {
        iommu::Request r = testutil::dma(sid, iova, write);
        r.no_snoop = no_snoop;
        r.pasid_valid = pasid >= 0;
        r.pasid = pasid >= 0 ? uint32_t(pasid) : 0;
        r.priv = priv;
        return unit->translate(r);
    }
    // A legacy device 00:01.0 (sid 0x0008) with a fresh table of `levels` levels.
    uint64_t legacy_device(int levels, TranslationType tt = TranslationType::kUntranslated) {
        ContextSpec c;
        c.slptptr = tb.new_table();
        c.aw = aw_for_levels(levels);
        c.did = 3;
        c.tt = tt;
        enable(tb.set_legacy_context(0, 0x08, c));
        return c.slptptr;
    }
};

uint32_t reason(const iommu::Result& r) { return r.fault ? r.reason : 0; }

}  // namespace

TEST_CASE("Legacy mode: 3-, 4- and 5-level tables with 4 KiB, 2 MiB and 1 GiB leaves",
          "[vtd][vectors]") {
    for (int levels : {3, 4, 5}) {
        for (PageSize size : {PageSize::k4K, PageSize::k2M, PageSize::k1G}) {
            Fixture f;
            const uint64_t root = f.legacy_device(levels);
            const uint64_t iova = 0x40000000ull * 3, pa = 0x1'4000'0000ull;
            f.tb.map_second_level(root, levels, iova, pa, size);
            f.enable(encode_rtaddr(f.tb.legacy_root(), Ttm::kLegacy));
            INFO("levels " << levels << " page " << uint64_t(size));
            const uint64_t off = uint64_t(size) - 8;  // the last qword of the page
            auto r = f.go(0x0008, iova + off, true);
            REQUIRE_FALSE(r.fault);
            CHECK(r.pa == pa + off);
            CHECK(r.page_size == uint64_t(size));
            CHECK(r.read);
            CHECK(r.write);
        }
    }
}

TEST_CASE("Legacy fault reasons 1-7 and 0xA-0xC", "[vtd][vectors]") {
    Fixture f;
    const uint64_t root = f.legacy_device(4);
    SlLeaf ro;
    ro.w = false;
    f.tb.map_second_level(root, 4, 0x1000, 0x8000'0000, PageSize::k4K, ro);
    SlLeaf wo;
    wo.r = false;
    f.tb.map_second_level(root, 4, 0x2000, 0x8000'1000, PageSize::k4K, wo);
    SlLeaf bad;
    bad.extra = uint64_t(1) << 50;  // an address bit above HAW (46)
    f.tb.map_second_level(root, 4, 0x3000, 0x8000'2000, PageSize::k4K, bad);
    f.tb.map_second_level(root, 4, 0x4000, 0x8000'3000);
    ContextSpec c3;  // devfn 0x10: 5-level, which SAGAW will not offer below
    c3.slptptr = f.tb.new_table();
    c3.aw = aw_for_levels(5);
    f.tb.set_legacy_context(0, 0x10, c3);
    ContextSpec c7;  // devfn 0x18: second-level table above installed memory
    c7.slptptr = 0x4000'0000;
    f.tb.set_legacy_context(0, 0x18, c7);
    ContextSpec c11;  // devfn 0x20: a reserved bit in the context entry (high qword bit 7)
    c11.slptptr = root;
    f.tb.set_legacy_context(0, 0x20, c11);
    const uint64_t ctx20 = f.tb.context_entry_addr(Ttm::kLegacy, 0, 0x20);
    f.mem.write_u64(ctx20 + 8, f.mem.read_u64(ctx20 + 8) | 0x80);
    f.tb.set_legacy_context(2, 0x08, c11);  // bus 2: a reserved bit in the root entry
    const uint64_t root2 = f.tb.root_entry_addr(Ttm::kLegacy, 2);
    f.mem.write_u64(root2, f.mem.read_u64(root2) | 0x20);
    f.tb.set_legacy_context(3, 0x08, c11);  // bus 3: context table above memory
    f.mem.write_u64(f.tb.root_entry_addr(Ttm::kLegacy, 3), 0x4000'0000 | 1);
    f.caps.sagaw = 0x6;  // 3 and 4 levels only
    f.enable(encode_rtaddr(f.tb.legacy_root(), Ttm::kLegacy));

    CHECK(reason(f.go(0x0108, 0x1000, false)) == fault::ROOT_NOT_PRESENT);       // bus 1
    CHECK(reason(f.go(0x0028, 0x1000, false)) == fault::CONTEXT_NOT_PRESENT);    // devfn 0x28
    CHECK(reason(f.go(0x0010, 0x1000, false)) == fault::CONTEXT_INVALID);        // AW
    CHECK(reason(f.go(0x0008, uint64_t(1) << 48, false)) == fault::ADDRESS_BEYOND_AW);
    CHECK(reason(f.go(0x0008, 0x1000, true)) == fault::WRITE);
    CHECK(reason(f.go(0x0008, 0x2000, false)) == fault::READ);
    CHECK(reason(f.go(0x0018, 0x1000, false)) == fault::PAGING_ENTRY_ACCESS);
    CHECK(reason(f.go(0x0308, 0x1000, false)) == fault::CONTEXT_ACCESS);
    CHECK(reason(f.go(0x0208, 0x1000, false)) == fault::ROOT_RESERVED);
    CHECK(reason(f.go(0x0020, 0x1000, false)) == fault::CONTEXT_RESERVED);
    CHECK(reason(f.go(0x0008, 0x3000, false)) == fault::PAGING_ENTRY_RESERVED);
    CHECK(reason(f.go(0x0008, 0x4000, true)) == 0);
    // A root table above installed memory: reason 8.
    f.enable(encode_rtaddr(0x4000'0000, Ttm::kLegacy));
    CHECK(reason(f.go(0x0008, 0x1000, false)) == fault::ROOT_ACCESS);
}

TEST_CASE("Pass-through needs ECAP.PT, snoop control follows SNP and ECAP.SC",
          "[vtd][vectors]") {
    Fixture f;
    f.legacy_device(4, TranslationType::kPassThrough);
    auto r = f.go(0x0008, 0x1234'5678, true, true);
    REQUIRE_FALSE(r.fault);
    CHECK(r.pa == 0x1234'5678);
    CHECK_FALSE(r.snoop);  // pass-through keeps the request's No Snoop
    f.caps.pt = false;
    f.enable(encode_rtaddr(f.tb.legacy_root(), Ttm::kLegacy));
    CHECK(reason(f.go(0x0008, 0x1000, false)) == fault::CONTEXT_INVALID);

    Fixture s;
    const uint64_t root = s.legacy_device(4);
    SlLeaf snp;
    snp.snp = true;
    s.tb.map_second_level(root, 4, 0x1000, 0x8000'0000, PageSize::k4K, snp);
    s.tb.map_second_level(root, 4, 0x2000, 0x8000'1000);
    s.enable(encode_rtaddr(s.tb.legacy_root(), Ttm::kLegacy));
    CHECK(s.go(0x0008, 0x1000, false, false).snoop);        // fills the IOTLB...
    CHECK(s.go(0x0008, 0x1000, false, true).snoop);         // ...SNP still forces snooping
    CHECK_FALSE(s.go(0x0008, 0x2000, false, true).snoop);   // no SNP: No Snoop holds
    CHECK(s.go(0x0008, 0x2000, false, false).snoop);
    s.caps.sc = false;  // without snoop control SNP is a reserved bit
    s.enable(encode_rtaddr(s.tb.legacy_root(), Ttm::kLegacy));
    CHECK(reason(s.go(0x0008, 0x1000, false, true)) == fault::PAGING_ENTRY_RESERVED);
}

namespace {

void scalable_caps(vtd::Capabilities& c) {
    c.smts = c.pasid = c.flts = c.slts = c.nest = c.pt = true;
}

}  // namespace

TEST_CASE("Scalable mode: each PGTT, RID_PASID, and nesting", "[vtd][vectors]") {
    Fixture f;
    scalable_caps(f.caps);
    // Second-level only, for requests without a PASID (RID_PASID 0).
    const uint64_t sl = f.tb.new_table();
    f.tb.map_second_level(sl, 4, 0x1000, 0x9000'0000);
    ScalableContextSpec ctx;
    ctx.paside = true;
    ctx.pdts = 0;
    f.tb.set_scalable_context(0, 0x08, ctx);
    PasidSpec slp;
    slp.pgtt = Pgtt::kSecondLevel;
    slp.slptptr = sl;
    slp.did = 1;
    f.tb.set_pasid_entry(0, 0x08, 0, slp);
    // First-level only, PASID 5: a user page.
    const uint64_t fl = f.tb.new_table();
    f.tb.map_first_level(fl, 4, 0x7000'0000, 0x9100'0000, PageSize::k2M);
    PasidSpec flp;
    flp.pgtt = Pgtt::kFirstLevel;
    flp.flptptr = fl;
    flp.did = 2;
    f.tb.set_pasid_entry(0, 0x08, 5, flp);
    // Nested, PASID 6: first-level tables live at guest-physical = host-physical pages
    // (identity-mapped by the second level); the output GPA 0x5000'0000 maps to a
    // 4 KiB host page.
    const uint64_t nsl = f.tb.new_table(), nfl = f.tb.new_table();
    const WalkPath path = f.tb.map_first_level(nfl, 4, 0x1000'0000, 0x5000'0000, PageSize::k2M);
    for (uint64_t e : path.entries) {
        const uint64_t page = e & ~uint64_t(0xfff);
        f.tb.map_second_level(nsl, 4, page, page);
    }
    f.tb.map_second_level(nsl, 4, 0x5000'0000 + 0x3000, 0xa000'0000);
    PasidSpec np;
    np.pgtt = Pgtt::kNested;
    np.slptptr = nsl;
    np.flptptr = nfl;
    np.did = 3;
    f.tb.set_pasid_entry(0, 0x08, 6, np);
    PasidSpec pt;
    pt.pgtt = Pgtt::kPassThrough;
    pt.did = 4;
    f.tb.set_pasid_entry(0, 0x08, 7, pt);
    f.enable(encode_rtaddr(f.tb.scalable_root(), Ttm::kScalable));

    auto a = f.go(0x0008, 0x1234, false);
    REQUIRE_FALSE(a.fault);
    CHECK(a.pa == 0x9000'0234);
    CHECK(a.page_size == 4096);
    auto b = f.go(0x0008, 0x7012'3456, true, false, 5);
    REQUIRE_FALSE(b.fault);
    CHECK(b.pa == 0x9112'3456);
    CHECK(b.page_size == (2u << 20));
    auto n = f.go(0x0008, 0x1000'3abc, false, false, 6);
    REQUIRE_FALSE(n.fault);
    CHECK(n.pa == 0xa000'0abc);
    CHECK(n.page_size == 4096);  // the smaller of 2 MiB (first level) and 4 KiB (second)
    auto p = f.go(0x0008, 0xdead'b000, true, false, 7);
    REQUIRE_FALSE(p.fault);
    CHECK(p.pa == 0xdead'b000);
    CHECK(f.go(0x0008, 0x1000, false, false, 9).fault);  // no PASID entry 9
}

TEST_CASE("ATS requests: reason 0xD unless TT allows the device-TLB", "[vtd][vectors]") {
    Fixture f;
    f.caps.dt = true;
    const uint64_t root = f.legacy_device(4);  // TT=00: untranslated only
    f.tb.map_second_level(root, 4, 0x1000, 0x8000'0000);
    ContextSpec dev_tlb;  // devfn 0x10: TT=01, same tables
    dev_tlb.slptptr = root;
    dev_tlb.tt = TranslationType::kDeviceTlb;
    f.tb.set_legacy_context(0, 0x10, dev_tlb);
    f.enable(encode_rtaddr(f.tb.legacy_root(), Ttm::kLegacy));
    auto ats = [&](uint16_t sid, iommu::At at) {
        iommu::Request r;
        r.sid = sid;
        r.iova = 0x1234;
        r.read = true;
        r.at = at;
        return f.unit->translate(r);
    };
    CHECK(reason(ats(0x0008, iommu::At::TranslationRequest)) == fault::BLOCKED_BY_TT);
    CHECK(reason(ats(0x0008, iommu::At::Translated)) == fault::BLOCKED_BY_TT);
    auto tr = ats(0x0010, iommu::At::TranslationRequest);
    REQUIRE_FALSE(tr.fault);
    CHECK(tr.pa == 0x8000'0234);
    auto translated = ats(0x0010, iommu::At::Translated);  // already a physical address
    REQUIRE_FALSE(translated.fault);
    CHECK(translated.pa == 0x1234);
    CHECK(reason(ats(0x0010, iommu::At::Untranslated)) == 0);
}
