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
