// smmuv3::hardware(): the plug-in's parameters, straps, register names and enable
// sequence (the contract `iommu-sim walk` uses), and robustness of the unit against
// arbitrary tables and registers.
#include <catch2/catch.hpp>

#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/params.h"
#include "models/sim/rng.h"
#include "models/smmuv3/arch.h"
#include "tests/unit/smmuv3/unit_rig.h"

using namespace smmu_rig;

TEST_CASE("smmuv3 unit: the hardware plug-in reads [smmuv3], straps IDRs, finds registers, enables",
          "[smmuv3]") {
    const iommu::HardwareArch& arch = smmuv3::hardware();
    CHECK(std::string(arch.title) == "Arm SMMUv3");
    sim::ParamSchema schema;
    arch.declare(schema);
    CHECK(schema.has("smmuv3.s2p"));
    CHECK(schema.has("smmuv3.sidsize"));
    CHECK(schema.has("smmuv3.tlb.sets"));
    CHECK(schema.has("smmuv3.config_cache.ways"));

    sim::Config cfg;
    cfg.set("smmuv3.s2p", "false");
    cfg.set("smmuv3.oas", "2");
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    auto unit = arch.make(*arch.read(cfg, 1), host);
    const uint32_t idr0 = uint32_t(unit->read(reg::IDR0, 4));
    CHECK(smmuv3::idr0::S2P.get(idr0) == 0);
    CHECK(smmuv3::idr0::S1P.get(idr0) == 1);
    CHECK(smmuv3::idr0::TTF.get(idr0) == 2);
    CHECK(smmuv3::idr5::OAS.get(unit->read(reg::IDR5, 4)) == 2);
    CHECK(smmuv3::idr1::SIDSIZE.get(unit->read(reg::IDR1, 4)) == 16);

    CHECK(arch.find_register(*unit, "SMMU_STRTAB_BASE")->offset == 0x80);
    CHECK(arch.find_register(*unit, "SMMU_STRTAB_BASE")->size == 8);
    CHECK(arch.find_register(*unit, "SMMU_EVENTQ_PROD")->offset == 0x100a8);
    CHECK_FALSE(arch.find_register(*unit, "SMMU_CR3"));
    CHECK(arch.strap(*unit, "SMMU_IDR0", idr0 | 1));
    CHECK_FALSE(arch.strap(*unit, "SMMU_CR0", 1));
    CHECK(unit->read(reg::IDR0, 4) == (idr0 | 1));
    arch.enable(*unit);
    CHECK((unit->read(reg::CR0ACK, 4) & smmuv3::cr0::SMMUEN) != 0);

    cfg.set("smmuv3.ttf", "1");
    CHECK_THROWS_AS(arch.read(cfg, 1), sim::InputError);
}

// §6.3: CR0 and IRQ_CTRL are acknowledged in CR0ACK and IRQ_CTRLACK; GERRORN and
// the PRI queue registers read back as written; the IDRs ignore writes.
TEST_CASE("smmuv3 unit: registers acknowledge and read back", "[smmuv3]") {
    Rig r;
    const uint64_t idr0 = r.unit->read(reg::IDR0, 4);
    r.unit->write(reg::IDR0, 0, 4);
    CHECK(r.unit->read(reg::IDR0, 4) == idr0);
    r.unit->write(reg::CR0, smmuv3::cr0::EVENTQEN | smmuv3::cr0::CMDQEN, 4);
    CHECK(r.unit->read(reg::CR0ACK, 4) == (smmuv3::cr0::EVENTQEN | smmuv3::cr0::CMDQEN));
    r.unit->write(reg::IRQ_CTRL, 5, 4);
    CHECK(r.unit->read(reg::IRQ_CTRLACK, 4) == 5);
    r.unit->write(reg::PRIQ_BASE, 0x1234560 | 4, 8);
    r.unit->write(reg::PRIQ_CONS, 3, 4);
    CHECK(r.unit->read(reg::PRIQ_BASE, 8) == (0x1234560 | 4));
    CHECK(r.unit->read(reg::PRIQ_CONS, 4) == 3);
    r.unit->write(reg::STRTAB_BASE, 0xabcd000, 4);  // 32-bit halves of a 64-bit register
    r.unit->write(reg::STRTAB_BASE + 4, 0x12, 4);
    CHECK(r.unit->read(reg::STRTAB_BASE, 8) == 0x12'0abcd000);
}

// §7.2: an event record write that aborts toggles GERROR.EVENTQ_ABT_ERR.
TEST_CASE("smmuv3 unit: an aborted event write raises EVENTQ_ABT_ERR", "[smmuv3]") {
    Rig r;
    r.enable();
    r.unit->write(reg::EVENTQ_BASE, kMemSize | 3, 8);
    r.unit->write(reg::CR2, smmuv3::cr2::RECINVSID, 4);
    CHECK(r.access(999, 0).reason == smmuv3::event::C_BAD_STREAMID);
    CHECK((r.unit->read(reg::GERROR, 4) ^ r.unit->read(reg::GERRORN, 4)) == smmuv3::gerror::EVENTQ_ABT_ERR);
}

// §6.3 IDR0.ASID16 = 0: ASID bits 15:8 are ignored, so ASID 0x101 is ASID 1.
TEST_CASE("smmuv3 unit: with 8-bit ASIDs a TLBI ignores ASID bits 15:8", "[smmuv3]") {
    Rig r;
    r.caps.asid16 = false;
    r.rebuild();
    const uint64_t root = r.stage1_stream(1);
    r.enable();
    REQUIRE(r.access(1, 0x1000).pa == 0x80001000);
    r.map_page(root, 0x1000, 0x86001000);
    r.command(smmu_enc::tlbi_nh_asid(0, 0x101));
    CHECK(r.access(1, 0x1000).pa == 0x86001000);
}

// §5.2 PRIVCFG 0: the request's own privilege; an EL1-only page (AP 0b00) refuses an
// unprivileged read and grants a privileged one (Arm ARM D8.4 AP[2:1]).
TEST_CASE("smmuv3 unit: stage 1 permissions follow the request's privilege", "[smmuv3]") {
    Rig r;
    const uint64_t root = r.s1_root();
    r.map_page(root, 0x3000, 0x85003000, vmsatest::S1Leaf{});
    r.put(kCd, smmu_enc::cd(r.cd_fields(root)));
    r.put_ste(1, r.s1_ste(kCd));
    r.enable();
    CHECK(r.access(1, 0x3000).reason == smmuv3::event::F_PERMISSION);
    iommu::Request q = testutil::dma(1, 0x3000, false);
    q.priv = true;
    CHECK(r.unit->translate(q).pa == 0x85003000);
    CHECK(r.access(1, 0x3000).fault);  // the privileged TLB entry does not serve EL0
}

// Arbitrary tables, queues and registers: every request gets an answer, every MMIO
// access returns, whatever software wrote.
TEST_CASE("smmuv3 unit: random tables and registers, always an answer", "[smmuv3]") {
    sim::Rng rng(11, "smmuv3.robust");
    for (int round = 0; round < 20; ++round) {
        Rig r;
        for (int i = 0; i < 256; ++i) r.mem.write_u64(rng.next_u64() & 0x7fff8, rng.next_u64());
        for (int i = 0; i < 64; ++i) r.mem.write_u64(0x10000 + (rng.next_u64() & 0x3ff8), rng.next_u64() | 1);
        r.enable(uint32_t(rng.next_u64() & 0x307ff));
        for (int i = 0; i < 16; ++i) r.unit->write(uint32_t(rng.next_u64() & 0xf8), rng.next_u64(), 8);
        r.unit->write(reg::CR0, 0xf, 4);
        for (int i = 0; i < 64; ++i) {
            iommu::Request q = testutil::dma(uint16_t(rng.next_u64() & 0x7f), rng.next_u64() & 0xffffffff, rng.next_u64() & 1);
            q.pasid_valid = rng.next_u64() & 1;
            q.pasid = uint32_t(rng.next_u64() & 0xff);
            (void)r.unit->translate(q);
        }
        r.command(smmu_enc::cfgi_all());
        r.command({rng.next_u64(), rng.next_u64()});
    }
    SUCCEED();
}
