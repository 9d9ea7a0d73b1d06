// An SMMUv3 unit over tables the test encoders (tests/support/smmuv3) build in a
// SparseMemory: a linear stream table at 0x10000 (256 STEs), a command queue of 16
// entries at 0x20000, an event queue of 8 entries at 0x30000, CDs from 0x40000, page
// tables from 0x100000. Installed memory ends at 4 GiB, so fetches above it abort.
#pragma once

#include <memory>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"
#include "models/smmuv3/straps.h"
#include "tests/support/requests.h"
#include "tests/support/smmuv3/smmu_structs.h"
#include "tests/support/smmuv3/vmsa_tables.h"

namespace smmu_rig {

namespace reg = smmuv3::reg;
using vmsatest::Tg;

constexpr uint64_t kStrtab = 0x10000, kCmdq = 0x20000, kEvtq = 0x30000, kCd = 0x40000;
constexpr uint64_t kMemSize = uint64_t(1) << 32;

struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, kMemSize};
    smmuv3::Caps caps = smmuv3::Straps::typical();
    smmuv3::UnitParams params;
    std::unique_ptr<smmuv3::SmmuUnit> owned;
    smmuv3::SmmuUnit* unit = nullptr;
    vmsatest::TableBuilder tables{mem, Tg::k4K, 0x100000};
    uint32_t cmd_prod = 0;

    Rig() { rebuild(); }
    void rebuild() {
        owned = std::make_unique<smmuv3::SmmuUnit>(caps, params, host);
        unit = owned.get();
    }
    void enable(uint32_t strtab_cfg = smmu_enc::strtab_base_cfg(0, 0, 8), uint64_t strtab = kStrtab) {
        unit->write(reg::STRTAB_BASE, strtab, 8);
        unit->write(reg::STRTAB_BASE_CFG, strtab_cfg, 4);
        unit->write(reg::CMDQ_BASE, kCmdq | 4, 8);
        unit->write(reg::EVENTQ_BASE, kEvtq | 3, 8);
        unit->write(reg::CR0, smmuv3::cr0::SMMUEN | smmuv3::cr0::CMDQEN | smmuv3::cr0::EVENTQEN, 4);
    }
    void put(uint64_t at, const std::array<uint64_t, 8>& e) {
        for (unsigned i = 0; i < 8; ++i) mem.write_u64(at + 8 * i, e[i]);
    }
    void put_ste(uint32_t sid, const smmu_enc::SteFields& f, uint64_t base = kStrtab) {
        put(base + uint64_t(sid) * 64, smmu_enc::ste(f));
    }
    // MAIR (Arm ARM D8.6 MAIR_ELx): Attr0 Normal Non-cacheable, Attr1 Normal
    // Write-Back RW-allocate, Attr2 Device-nGnRE, Attr3 Normal Write-Through.
    static constexpr uint64_t kMair = 0x44 | 0xff << 8 | 0x04 << 16 | uint64_t(0xbb) << 24;
    static constexpr unsigned kIdxNc = 0, kIdxWb = 1, kIdxDevice = 2, kIdxWt = 3;
    // Stage 1 through one CD at `cd_at`: T0SZ 25 (39-bit VA, 4K, walk from level 1).
    smmu_enc::CdFields cd_fields(uint64_t root, uint16_t asid = 1) {
        smmu_enc::CdFields c;
        c.t0sz = 25;
        c.ttb0 = root;
        c.asid = asid;
        c.mair = kMair;
        return c;
    }
    uint64_t s1_root() { return tables.new_root(1, 39); }
    // AP 0b01: read/write at EL0 too, since device requests are unprivileged (§5.2
    // PRIVCFG 0 uses the incoming attribute).
    static vmsatest::S1Leaf rw_all() {
        vmsatest::S1Leaf a;
        a.ap = 1;
        a.attr_indx = kIdxWb;
        return a;
    }
    void map_page(uint64_t root, uint64_t va, uint64_t pa, const vmsatest::S1Leaf& a = rw_all()) {
        tables.map(root, 1, 39, va, 3, vmsatest::s1_leaf(Tg::k4K, 3, pa, a));
    }
    smmu_enc::SteFields s1_ste(uint64_t cd_ptr, uint16_t vmid = 0) {
        smmu_enc::SteFields f;
        f.config = 0b101;
        f.s1_context_ptr = cd_ptr;
        f.s2vmid = vmid;
        return f;
    }
    // Stage 2 over `root`: 39-bit IPA, 4K, from level 1 (S2SL0 1), 48-bit S2PS.
    static void with_stage2(smmu_enc::SteFields& f, uint64_t root, uint16_t vmid) {
        f.s2t0sz = 25;
        f.s2sl0 = 1;
        f.s2ps = 5;
        f.s2ttb = root;
        f.s2vmid = vmid;
    }
    // Stage 2 tables of their own at 0x200000 (39-bit IPA, 4K, from level 1): IPA 0-1G
    // identity, 1G-2G to 0xc0000000, as 1 GiB blocks. Stage 1 tables and CDs are
    // reachable through them; stage 1 outputs in 1G-2G land at 3G.
    uint64_t s2_identity_low_gib() {
        vmsatest::TableBuilder s2t(mem, Tg::k4K, 0x200000);
        const uint64_t root = s2t.new_root(1, 39);
        s2t.map(root, 1, 39, 0, 1, vmsatest::s2_leaf(Tg::k4K, 1, 0));
        s2t.map(root, 1, 39, 0x40000000, 1, vmsatest::s2_leaf(Tg::k4K, 1, 0xc0000000));
        return root;
    }
    // Nested (Config 0b111): the CD at kCd over s1root, stage 2 over s2root; enables.
    void nested_stream(uint32_t sid, uint64_t s1root, uint64_t s2root, uint16_t vmid) {
        put(kCd, smmu_enc::cd(cd_fields(s1root)));
        auto f = s1_ste(kCd);
        f.config = 0b111;
        with_stage2(f, s2root, vmid);
        put_ste(sid, f);
        enable();
    }
    // sid 1: stage 1, CD at kCd, va 0x1000 -> 0x80001000 (read/write).
    uint64_t stage1_stream(uint32_t sid = 1) {
        const uint64_t root = s1_root();
        map_page(root, 0x1000, 0x80001000);
        put(kCd, smmu_enc::cd(cd_fields(root)));
        put_ste(sid, s1_ste(kCd));
        return root;
    }
    void command(const smmu_enc::Cmd& c) {
        mem.write_u64(kCmdq + (cmd_prod & 15) * 16, c[0]);
        mem.write_u64(kCmdq + (cmd_prod & 15) * 16 + 8, c[1]);
        cmd_prod = (cmd_prod + 1) & 31;
        unit->write(reg::CMDQ_PROD, cmd_prod, 4);
    }
    iommu::Result access(uint32_t sid, uint64_t iova, bool write = false) {
        return unit->translate(testutil::dma(uint16_t(sid), iova, write));
    }
    iommu::Result access_ssid(uint32_t sid, uint32_t ssid, uint64_t iova) {
        iommu::Request r = testutil::dma(uint16_t(sid), iova, false);
        r.pasid_valid = true;
        r.pasid = ssid;
        return unit->translate(r);
    }
    uint32_t evtq_prod() const { return uint32_t(unit->read(reg::EVENTQ_PROD, 4)); }
    // Record i of the event queue, dword n.
    uint64_t event(unsigned i, unsigned n) { return mem.read_u64(kEvtq + (i % 8) * 32 + 8 * n); }
    unsigned event_id(unsigned i) { return unsigned(event(i, 0) & 0xff); }
};

}  // namespace smmu_rig
