// The SMMUv3 driver's stage-2 domains, CD tables and event queue against the fake
// register file (smmuv3_driver_rig.h): STEs, CDs and tables decoded and walked by the
// hardware model's own code.
#include <catch2/catch.hpp>

#include "models/smmuv3/event.h"
#include "tests/unit/iommufd/smmuv3_driver_rig.h"

using namespace smmu_driver_rig;
using ::smmuv3::Opcode;

namespace {

const drv::SmmuDomain& smmu(const std::unique_ptr<Domain>& d) { return dynamic_cast<const drv::SmmuDomain&>(*d); }

Idrs without(const ::smmuv3::Field& f) {
    Idrs i;
    i.idr0 &= ~uint32_t(f.mask());
    return i;
}

// A unit with IDR1.SSIDSIZE `ssidsize` (and IDR0.CD2L if `cd2l`) whose devices
// report `pasid_bits`, and a stage-1 domain attached to kSid.
struct PasidRig {
    std::unique_ptr<Rig> r;
    std::unique_ptr<Domain> d;
    PasidRig(unsigned ssidsize, uint32_t pasid_bits, bool cd2l = true) {
        Idrs i;
        i.idr1 |= uint32_t(::smmuv3::idr1::SSIDSIZE.put(ssidsize));
        if (!cd2l) i.idr0 &= ~uint32_t(::smmuv3::idr0::CD2L.mask());
        drv::DriverParams p;
        p.pasid_bits = pasid_bits;
        r = std::make_unique<Rig>(i, p);
        REQUIRE(r->driver->alloc_domain(0, d) == Errno::Ok);
        r->unit->cmds.clear();
        REQUIRE(r->driver->attach(*d, kSid) == Errno::Ok);
    }
};

}  // namespace

TEST_CASE("smmuv3 driver: a NEST_PARENT domain is stage 2: its STE (Config S2, VMID, VTCR, "
          "S2AA64, S2PTW, S2R, S2TTB) passes the hardware's checks and walks exactly",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(kHwptNestParent, d) == Errno::Ok);
    const drv::SmmuDomain& sd = smmu(d);
    CHECK(sd.stage() == drv::SmmuDomain::Stage::S2);
    CHECK(sd.vmid() == 1);  // VMID 0 stays reserved
    r.unit->cmds.clear();
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    CHECK(r.unit->ops() == std::vector<Opcode>{Opcode::CFGI_STE, Opcode::SYNC, Opcode::CFGI_STE, Opcode::SYNC});
    const ::smmuv3::Ste s = r.ste(kSid);
    CHECK(s.v);
    CHECK(s.config == ::smmuv3::ste_config::S2_TRANS);
    CHECK(s.s2vmid == 1);
    CHECK(s.s2t0sz == 16);  // IAS = OAS = 48
    CHECK(s.s2sl0 == 2);    // 4K: start at level 0 (512 entries: no concatenation)
    CHECK(s.s2tg == 0);
    CHECK(s.s2ps == 5);
    CHECK(s.s2ir0 == 1);
    CHECK(s.s2or0 == 1);
    CHECK(s.s2sh0 == 3);
    CHECK(s.s2aa64);
    CHECK(s.s2ptw);
    CHECK(s.s2r);
    CHECK_FALSE(s.s2affd);
    CHECK(s.s2ttb == sd.root());
    CHECK(s.shcfg == 0);  // no IDR1.ATTR_TYPES_OVR: SHCFG is not used
    CHECK_FALSE(::smmuv3::check_ste(s, r.caps()));
    CHECK(d->aperture_end() == (uint64_t(1) << 48) - 1);
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 1u << 12, kRead) == Errno::Ok);
    REQUIRE(d->map(0x20'0000, 0x4020'0000, 1u << 21, kRead | kWrite) == Errno::Ok);
    REQUIRE(d->map(0x8000'0000, 0x1'4000'0000, 1u << 30, kWrite) == Errno::Ok);
    iommu::Result res = r.walk(0x10'0123, false);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x8000'0123);
    CHECK(res.page_size == 4096);
    CHECK(r.walk(0x10'0123, true).reason == ::smmuv3::event::F_PERMISSION);  // S2AP read only
    res = r.walk(0x21'2345, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x4021'2345);
    CHECK(res.page_size == (1u << 21));
    CHECK(r.walk(0xbfff'fff8, false).reason == ::smmuv3::event::F_PERMISSION);  // S2AP write only
    res = r.walk(0xbfff'fff8, true);
    REQUIRE_FALSE(res.fault);
    CHECK(res.pa == 0x1'7fff'fff8);
    CHECK(res.page_size == (1u << 30));
    CHECK(r.walk(0x40'0000, false).reason == ::smmuv3::event::F_TRANSLATION);
    // The leaf's attributes: MemAttr write-back (0xf), inner shareable, AF; no nG.
    const uint64_t l0 = sd.root() + 0;  // IPA 0x10'0000 sits under entry 0 of each level
    const uint64_t l1 = r.mem.read_u64(l0) & 0xffff'ffff'f000, l2 = r.mem.read_u64(l1) & 0xffff'ffff'f000;
    const uint64_t pte = r.mem.read_u64((r.mem.read_u64(l2) & 0xffff'ffff'f000) + 0x100 * 8);
    CHECK(((pte >> 2) & 0xf) == 0xf);
    CHECK(((pte >> 6) & 3) == 1);
    CHECK(((pte >> 8) & 3) == 3);
    CHECK((pte & (1u << 10)));
    CHECK_FALSE((pte & (1u << 11)));
}

TEST_CASE("smmuv3 driver: with IDR1.ATTR_TYPES_OVR the stage-2 STE keeps the incoming "
          "shareability (SHCFG 1), as Linux writes it", "[iommufd][smmuv3-driver]") {
    Idrs i;
    i.idr1 |= uint32_t(::smmuv3::idr1::ATTR_TYPES_OVR.put(1));
    Rig r(i);
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(kHwptNestParent, d) == Errno::Ok);
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    CHECK(r.ste(kSid).shcfg == 1);
    CHECK(r.ste(kSid).config == ::smmuv3::ste_config::S2_TRANS);
}

TEST_CASE("smmuv3 driver: stage-2 unmap issues TLBI_S2_IPA by VMID and CMD_SYNC (then "
          "TLBI_NH_ALL for a nesting parent), the flush TLBI_S12_VMALL",
          "[iommufd][smmuv3-driver]") {
    Rig r;
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(kHwptNestParent, d) == Errno::Ok);
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    const uint16_t vmid = smmu(d).vmid();
    for (uint64_t i = 0; i < 2; ++i) REQUIRE(d->map(0x10'0000 + i * 4096, 0x8000'0000 + i * 4096, 4096, kRead) == Errno::Ok);
    r.unit->cmds.clear();
    d->unmap(0x10'0000, 2 * 4096);
    REQUIRE(r.unit->ops() == std::vector<Opcode>{Opcode::TLBI_S2_IPA, Opcode::TLBI_S2_IPA, Opcode::SYNC,
                                                 Opcode::TLBI_NH_ALL, Opcode::SYNC});
    for (unsigned i = 0; i < 2; ++i) {
        CHECK(r.unit->cmds[i].vmid == vmid);
        CHECK(r.unit->cmds[i].addr == 0x10'0000 + i * 4096);
        CHECK(r.unit->cmds[i].leaf);
    }
    CHECK(r.unit->cmds[3].vmid == vmid);
    CHECK(r.walk(0x10'0000, false).fault);
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 4096, kRead) == Errno::Ok);
    r.unit->cmds.clear();
    d->unmap_deferred(0x10'0000, 4096);
    CHECK(r.unit->cmds.empty());
    d->flush_all();
    REQUIRE(r.unit->ops() == std::vector<Opcode>{Opcode::TLBI_S12_VMALL, Opcode::SYNC});
    CHECK(r.unit->cmds[0].vmid == vmid);
    // Freed, the domain flushes its VMID, which a new domain then reuses.
    r.driver->detach(kSid);
    r.unit->cmds.clear();
    d.reset();
    CHECK(r.unit->ops() == std::vector<Opcode>{Opcode::TLBI_S12_VMALL, Opcode::SYNC});
    REQUIRE(r.driver->alloc_domain(kHwptNestParent, d) == Errno::Ok);
    CHECK(smmu(d).vmid() == vmid);
}

TEST_CASE("smmuv3 driver: with IDR3.RIL a stage-2 run is one range TLBI_S2_IPA",
          "[iommufd][smmuv3-driver]") {
    Idrs i;
    i.idr3 = uint32_t(::smmuv3::idr3::RIL.put(1));
    Rig r(i);
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(kHwptNestParent, d) == Errno::Ok);
    for (uint64_t k = 0; k < 3; ++k) REQUIRE(d->map(0x10'0000 + k * 4096, 0x8000'0000 + k * 4096, 4096, kRead) == Errno::Ok);
    r.unit->cmds.clear();
    d->unmap(0x10'0000, 3 * 4096);
    REQUIRE(r.unit->ops() == std::vector<Opcode>{Opcode::TLBI_S2_IPA, Opcode::SYNC, Opcode::TLBI_NH_ALL, Opcode::SYNC});
    const auto& c = r.unit->cmds[0];
    CHECK(c.vmid == smmu(d).vmid());
    CHECK(c.tg == 1);
    CHECK(c.ttl == 3);
    CHECK(c.num == 2);
    CHECK(c.scale == 0);
    CHECK(r.unit->bad_commands == 0);
}

TEST_CASE("smmuv3 driver: a unit with stage 2 only gets stage-2 domains for every paging "
          "domain, and NEST_PARENT needs both stages", "[iommufd][smmuv3-driver]") {
    Rig s2only(without(::smmuv3::idr0::S1P));
    REQUIRE(s2only.probed == Errno::Ok);
    std::unique_ptr<Domain> d;
    REQUIRE(s2only.driver->alloc_domain(0, d) == Errno::Ok);
    CHECK(smmu(d).stage() == drv::SmmuDomain::Stage::S2);
    CHECK_FALSE(smmu(d).nest_parent());
    REQUIRE(s2only.driver->attach(*d, kSid) == Errno::Ok);
    CHECK(s2only.ste(kSid).config == ::smmuv3::ste_config::S2_TRANS);
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 4096, kRead | kWrite) == Errno::Ok);
    CHECK(s2only.walk(0x10'0008, true).pa == 0x8000'0008);
    s2only.unit->cmds.clear();
    d->unmap(0x10'0000, 4096);
    CHECK(s2only.unit->ops() == std::vector<Opcode>{Opcode::TLBI_S2_IPA, Opcode::SYNC});  // no nesting parent
    std::unique_ptr<Domain> np;
    CHECK(s2only.driver->alloc_domain(kHwptNestParent, np) == Errno::OpNotSupp);
    Rig s1only(without(::smmuv3::idr0::S2P));
    REQUIRE(s1only.probed == Errno::Ok);
    CHECK(s1only.driver->alloc_domain(kHwptNestParent, np) == Errno::OpNotSupp);
    REQUIRE(s1only.driver->alloc_domain(0, np) == Errno::Ok);
    CHECK(smmu(np).stage() == drv::SmmuDomain::Stage::S1);
    CHECK(s1only.driver->alloc_domain(kHwptNestParent | kHwptDirtyTracking, np) == Errno::OpNotSupp);
}

TEST_CASE("smmuv3 driver: 8-bit VMIDs without IDR0.VMID16: 255 stage-2 domains, then ENOSPC",
          "[iommufd][smmuv3-driver]") {
    Rig r(without(::smmuv3::idr0::VMID16));
    std::vector<std::unique_ptr<Domain>> ds(255);
    for (auto& d : ds) REQUIRE(r.driver->alloc_domain(kHwptNestParent, d) == Errno::Ok);
    CHECK(smmu(ds.back()).vmid() == 255);
    std::unique_ptr<Domain> more;
    CHECK(r.driver->alloc_domain(kHwptNestParent, more) == Errno::NoSpc);
    ds[6].reset();
    REQUIRE(r.driver->alloc_domain(kHwptNestParent, more) == Errno::Ok);
    CHECK(smmu(more).vmid() == 7);
}

TEST_CASE("smmuv3 driver: a 40-bit OAS gives stage 2 a 40-bit IPA from level 1 over two "
          "concatenated tables, as io-pgtable does, and it walks", "[iommufd][smmuv3-driver]") {
    Idrs i;
    i.idr5 = (i.idr5 & ~uint32_t(::smmuv3::idr5::OAS.mask())) | uint32_t(::smmuv3::idr5::OAS.put(2));
    Rig r(i);
    REQUIRE(r.probed == Errno::Ok);
    std::unique_ptr<Domain> d;
    REQUIRE(r.driver->alloc_domain(kHwptNestParent, d) == Errno::Ok);
    REQUIRE(r.driver->attach(*d, kSid) == Errno::Ok);
    CHECK(smmu(d).start_level() == 1);
    CHECK(d->aperture_end() == (uint64_t(1) << 40) - 1);
    const ::smmuv3::Ste s = r.ste(kSid);
    CHECK(s.s2t0sz == 24);
    CHECK(s.s2sl0 == 1);
    CHECK(s.s2ps == 2);
    CHECK_FALSE(::smmuv3::check_ste(s, r.caps()));
    CHECK(smmu(d).root() % 8192 == 0);  // two 4 KiB tables, aligned to their size
    const uint64_t high = (uint64_t(1) << 39) + 0x4000'0000;  // in the second table
    REQUIRE(d->map(high, 0x80'0000'0000 - (1u << 30), 1u << 30, kRead) == Errno::Ok);
    REQUIRE(d->map(0x1000, 0x2000, 4096, kRead) == Errno::Ok);
    CHECK(r.walk(high + 0x123, false).pa == 0x80'0000'0000 - (1u << 30) + 0x123);
    CHECK(r.walk(0x1010, false).pa == 0x2010);
    CHECK(d->map(uint64_t(1) << 40, 0x2000, 4096, kRead) == Errno::Fault);
}

TEST_CASE("smmuv3 driver: a device with more PASIDs than one leaf of 1024 CDs gets a two-level "
          "CD table (S1Fmt 64K leaves), the RID's CD at SSID 0", "[iommufd][smmuv3-driver]") {
    PasidRig pr(20, 20);
    Rig& r = *pr.r;
    const std::unique_ptr<Domain>& d = pr.d;
    const ::smmuv3::Ste s = r.ste(kSid);
    CHECK(s.config == ::smmuv3::ste_config::S1_TRANS);
    CHECK(s.s1fmt == ::smmuv3::s1fmt::TWO_LEVEL_64K);
    CHECK(s.s1cdmax == 20);
    CHECK(s.s1dss == ::smmuv3::s1dss::SSID0);
    CHECK_FALSE(::smmuv3::check_ste(s, r.caps()));
    // The L1 descriptor of SSID 0 was invalidated as a non-leaf before the CD went in.
    REQUIRE(r.unit->cmds.size() >= 2);
    CHECK(r.unit->cmds[0].op == Opcode::CFGI_CD);
    CHECK_FALSE(r.unit->cmds[0].leaf);
    CHECK(r.unit->cmds[0].sid == kSid);
    const auto l1 = ::smmuv3::decode_l1_cd(r.mem.read_u64(s.s1_context_ptr));
    CHECK(l1.v);
    CHECK(l1.l2ptr % 65536 == 0);
    CHECK(r.cd_addr(s) == l1.l2ptr);
    const ::smmuv3::Cd c = r.cd(s);
    CHECK(c.v);
    CHECK(c.asid == smmu(d).asid());
    CHECK_FALSE(::smmuv3::check_cd(c, r.caps()));
    REQUIRE(d->map(0x10'0000, 0x8000'0000, 4096, kRead) == Errno::Ok);
    CHECK(r.walk(0x10'0040, false).pa == 0x8000'0040);
    // 1024 L1 descriptors: the rest stay invalid.
    CHECK(r.mem.read_u64(s.s1_context_ptr + 8) == 0);
    CHECK(r.mem.read_u64(s.s1_context_ptr + 1023 * 8) == 0);
    // Another domain replaces the CD in place; the L1 descriptor is not rewritten.
    std::unique_ptr<Domain> d2;
    REQUIRE(r.driver->alloc_domain(0, d2) == Errno::Ok);
    r.unit->cmds.clear();
    REQUIRE(r.driver->attach(*d2, kSid) == Errno::Ok);
    for (const auto& cmd : r.unit->cmds)
        if (cmd.op == Opcode::CFGI_CD) CHECK(cmd.leaf);
    CHECK(r.cd(r.ste(kSid)).asid == smmu(d2).asid());
}

TEST_CASE("smmuv3 driver: CD tables are linear without IDR0.CD2L, or when 1024 CDs hold "
          "every PASID, and hold one CD without PASIDs", "[iommufd][smmuv3-driver]") {
    struct Case {
        bool cd2l;
        uint32_t pasid_bits;
        unsigned s1cdmax;
    };
    for (const Case& k : {Case{false, 12, 12}, Case{true, 10, 10}, Case{true, 0, 0}}) {
        INFO(k.pasid_bits);
        PasidRig pr(16, k.pasid_bits, k.cd2l);
        Rig& r = *pr.r;
        const ::smmuv3::Ste s = r.ste(kSid);
        CHECK(s.s1fmt == ::smmuv3::s1fmt::LINEAR);
        CHECK(s.s1cdmax == k.s1cdmax);
        CHECK_FALSE(::smmuv3::check_ste(s, r.caps()));
        CHECK(r.cd_addr(s) == s.s1_context_ptr);
        CHECK(r.cd(s).asid == smmu(pr.d).asid());
    }
    // The unit's SSIDSIZE caps the device's PASID width.
    PasidRig pr(5, 20);
    Rig& r = *pr.r;
    CHECK(r.ste(kSid).s1cdmax == 5);
    CHECK(r.ste(kSid).s1fmt == ::smmuv3::s1fmt::LINEAR);
}
