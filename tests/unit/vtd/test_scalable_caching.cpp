// Scalable-mode caching: the context-cache, the PASID-cache and the PASID-tagged IOTLB
// keep translating what they hold until software invalidates it, and each
// invalidation granularity removes what it names and nothing else. Tables come from
// the spec-derived test encoder (tests/support/vtd_tables).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "models/vtd/scalable_walker.h"
#include "models/iommu/host_memory.h"
#include "tests/support/vtd_tables.h"
#include "tests/support/requests.h"

using namespace vtdtest;
using vtd::InvType;
using vtd::Invalidation;

namespace {

constexpr uint16_t kSid = 0x0008;

// Requester 0x0008 in scalable mode: PASID 0 (RID_PASID) and PASID 5 translate
// second-level through their own tables in domain 1, PASID 6 first-level in domain 2.
struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    vtd::Capabilities caps;
    TableBuilder tb{mem};
    std::unique_ptr<vtd::RemappingUnit> unit;
    uint64_t sl0 = 0, sl5 = 0, fl6 = 0;

    Rig() {
        caps.smts = caps.pasid = caps.flts = caps.slts = caps.ssads = true;
        sl0 = tb.new_table();
        sl5 = tb.new_table();
        fl6 = tb.new_table();
        ScalableContextSpec ctx;
        ctx.paside = true;
        tb.set_scalable_context(0, 0x08, ctx);
        pasid_entry(0, sl0, 1);
        pasid_entry(5, sl5, 1);
        PasidSpec fl;
        fl.pgtt = Pgtt::kFirstLevel;
        fl.flptptr = fl6;
        fl.did = 2;
        fl.sre = true;
        const uint64_t rtaddr = tb.set_pasid_entry(0, 0x08, 6, fl);
        tb.map_second_level(sl0, 4, 0x1000, 0x8000'1000);
        tb.map_second_level(sl0, 4, 0x2000, 0x8000'2000);
        tb.map_second_level(sl5, 4, 0x1000, 0x8500'1000);
        tb.map_first_level(fl6, 4, 0x1000, 0x8600'1000);  // user page
        unit = std::make_unique<vtd::RemappingUnit>(caps, vtd::UnitParams{}, host);
        unit->write(vtd::reg::RTADDR, rtaddr, 8);
        unit->write(vtd::reg::GCMD, vtd::gcmd::SRTP, 4);
        unit->write(vtd::reg::GCMD, vtd::gcmd::TE, 4);
    }
    uint64_t pasid_entry(uint32_t pasid, uint64_t sl, uint16_t did, bool ssade = false) {
        PasidSpec p;
        p.pgtt = Pgtt::kSecondLevel;
        p.slptptr = sl;
        p.did = did;
        p.ssade = ssade;
        return tb.set_pasid_entry(0, 0x08, pasid, p);
    }
    iommu::Result go(uint64_t iova, int pasid = -1, bool write = false, bool priv = false) {
        iommu::Request r = testutil::dma(kSid, iova, write);
        r.pasid_valid = pasid >= 0;
        r.pasid = pasid >= 0 ? uint32_t(pasid) : 0;
        r.priv = priv;
        return unit->translate(r);
    }
    uint64_t stat(const char* name) {
        nlohmann::json j;
        unit->sim::StatGroup::write(j, "u");
        return j.at(std::string("u.") + name).get<uint64_t>();
    }
    void inv(InvType type, unsigned g, uint16_t did, uint32_t pasid = 0, uint64_t addr = 0) {
        Invalidation i;
        i.type = type;
        i.granularity = g;
        i.did = did;
        i.pasid = pasid;
        i.addr = addr;
        unit->invalidate(i);
    }
    // Remaps a second-level 4 KiB page: software changes the table, not the caches.
    void remap(uint64_t sl, uint64_t iova, uint64_t pa) { tb.map_second_level(sl, 4, iova, pa); }
};

}  // namespace

TEST_CASE("Scalable caching: context, PASID entry and IOTLB spare the walk", "[vtd][scalable-cache]") {
    Rig r;
    REQUIRE(r.go(0x1000).pa == 0x8000'1000);
    CHECK(r.stat("walk_reads") == 1 + 2 + 1 + 3 + 4);  // root, context, dir, PASID entry, 4 levels
    REQUIRE(r.go(0x1008).pa == 0x8000'1008);             // IOTLB hit
    CHECK(r.stat("walk_reads") == 11);
    CHECK(r.stat("iotlb.hits") == 1);
    REQUIRE(r.go(0x2000).pa == 0x8000'2000);             // cached context and PASID entry
    CHECK(r.stat("walk_reads") == 11 + 4);
    CHECK(r.stat("pasid_cache.hits") == 2);  // the hit above looked it up too
    REQUIRE(r.go(0x1000, 5).pa == 0x8500'1000);          // another PASID: its own entry
    CHECK(r.stat("walk_reads") == 15 + 1 + 3 + 4);
}

TEST_CASE("Scalable caching: PASID-based IOTLB invalidation, page and PASID granularity",
          "[vtd][scalable-cache]") {
    Rig r;
    r.go(0x1000);
    r.go(0x2000);
    r.go(0x1000, 5);
    r.remap(r.sl0, 0x1000, 0x9000'1000);
    r.remap(r.sl0, 0x2000, 0x9000'2000);
    r.remap(r.sl5, 0x1000, 0x9500'1000);
    CHECK(r.go(0x1000).pa == 0x8000'1000);  // stale until invalidated
    r.inv(InvType::PasidIotlb, 3, 1, 5, 0x1000);  // PASID 5's page 0x1000 only
    CHECK(r.go(0x1000).pa == 0x8000'1000);
    CHECK(r.go(0x1000, 5).pa == 0x9500'1000);
    r.inv(InvType::PasidIotlb, 3, 1, 0, 0x1000);  // RID_PASID's page 0x1000
    CHECK(r.go(0x1000).pa == 0x9000'1000);
    CHECK(r.go(0x2000).pa == 0x8000'2000);
    r.inv(InvType::PasidIotlb, 2, 2, 0);  // another domain: nothing
    CHECK(r.go(0x2000).pa == 0x8000'2000);
    r.inv(InvType::PasidIotlb, 2, 1, 0);  // every page of (domain 1, PASID 0)
    CHECK(r.go(0x2000).pa == 0x9000'2000);
}

TEST_CASE("Scalable caching: a domain-selective IOTLB invalidation covers every PASID",
          "[vtd][scalable-cache]") {
    Rig r;
    r.go(0x1000);
    r.go(0x1000, 5);
    r.remap(r.sl0, 0x1000, 0x9000'1000);
    r.remap(r.sl5, 0x1000, 0x9500'1000);
    r.inv(InvType::Iotlb, 2, 1);
    CHECK(r.go(0x1000).pa == 0x9000'1000);
    CHECK(r.go(0x1000, 5).pa == 0x9500'1000);
}

TEST_CASE("Scalable caching: a stale PASID entry translates until the PASID-cache is invalidated",
          "[vtd][scalable-cache]") {
    Rig r;
    r.go(0x1000, 5);
    // Software points PASID 5 at PASID 0's tables, then flushes the IOTLB only.
    r.pasid_entry(5, r.sl0, 1);
    r.inv(InvType::Iotlb, 1, 0);
    CHECK(r.go(0x1000, 5).pa == 0x8500'1000);  // walked from the cached PASID entry
    r.inv(InvType::PasidCache, 1, 1, 6);       // PASID-selective, another PASID
    r.inv(InvType::Iotlb, 1, 0);
    CHECK(r.go(0x1000, 5).pa == 0x8500'1000);
    r.inv(InvType::PasidCache, 0, 2);          // domain-selective, another domain
    r.inv(InvType::Iotlb, 1, 0);
    CHECK(r.go(0x1000, 5).pa == 0x8500'1000);
    r.inv(InvType::PasidCache, 1, 1, 5);       // PASID 5 in domain 1
    r.inv(InvType::Iotlb, 1, 0);
    CHECK(r.go(0x1000, 5).pa == 0x8000'1000);
    // Cleared entry: not present once the cache lets go of it (domain-selective).
    r.mem.write_u64(r.tb.pasid_entry_addr(0, 0x08, 5), 0);
    r.inv(InvType::Iotlb, 1, 0);
    CHECK(r.go(0x1000, 5).pa == 0x8000'1000);
    r.inv(InvType::PasidCache, 0, 1);
    CHECK(r.go(0x1000, 5).reason == vtd::sm_fault::SPT_NOT_PRESENT);
    // Global.
    r.go(0x1000);
    r.mem.write_u64(r.tb.pasid_entry_addr(0, 0x08, 0), 0);
    r.inv(InvType::Iotlb, 1, 0);
    CHECK_FALSE(r.go(0x1000).fault);
    r.inv(InvType::PasidCache, 3, 0);
    CHECK(r.go(0x1000).reason == vtd::sm_fault::SPT_NOT_PRESENT);
}

TEST_CASE("Scalable caching: a stale context entry translates until the context-cache is invalidated",
          "[vtd][scalable-cache]") {
    Rig r;
    r.go(0x1000);
    r.mem.write_u64(r.tb.context_entry_addr(Ttm::kScalable, 0, 0x08), 0);  // P=0
    r.inv(InvType::PasidCache, 3, 0);
    r.inv(InvType::Iotlb, 1, 0);
    CHECK_FALSE(r.go(0x1000).fault);
    Invalidation cc;
    cc.type = InvType::ContextCache;
    cc.granularity = 2;  // domain-selective: scalable context entries have no domain
    cc.did = 7;
    r.unit->invalidate(cc);
    CHECK(r.go(0x1000).reason == vtd::sm_fault::SCT_NOT_PRESENT);
}

TEST_CASE("Scalable caching: a hit needs the attributes the walk was made for", "[vtd][scalable-cache]") {
    Rig r;
    CHECK_FALSE(r.go(0x1000, 6).fault);  // user read of a user page
    const uint64_t walks = r.stat("walks");
    CHECK_FALSE(r.go(0x1000, 6).fault);  // hit
    CHECK(r.stat("walks") == walks);
    CHECK_FALSE(r.go(0x1000, 6, false, true).fault);  // supervisor: walks again (SRE=1)
    CHECK(r.stat("walks") == walks + 1);
    CHECK_FALSE(r.go(0x1000, 6, true).fault);  // a write: the read's entry does not serve it
    CHECK(r.stat("walks") == walks + 2);
}

TEST_CASE("Scalable caching: under SSADE a write after a read walks to set D", "[vtd][scalable-cache]") {
    Rig r;
    r.pasid_entry(0, r.sl0, 1, true);
    r.go(0x1000);
    const uint64_t walks = r.stat("walks");
    CHECK_FALSE(r.go(0x1000, -1, true).fault);
    CHECK(r.stat("walks") == walks + 1);
    CHECK(r.stat("walk_writes") == 4 + 1);  // A in four entries, then D in the leaf
    CHECK_FALSE(r.go(0x1000, -1, true).fault);  // now a hit
    CHECK(r.stat("walks") == walks + 1);
}
