// The command buffer wired into AmdviUnit (48882 §2.4), through MMIO with commands in
// memory from the test encoder: what each command does to the caches (a cached
// translation survives an unrelated invalidation, not a matching one), the devices,
// STATUS; wrap; an illegal command stopping the buffer; restart; command cycles.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "models/amdvi/arch.h"
#include "models/sim/config.h"
#include "models/sim/params.h"
#include "tests/unit/amdvi/cmd_rig.h"

using namespace amdvi_rig;
namespace st = amdvi::status;
namespace ct = amdvi::ctrl;

namespace {

constexpr uint64_t kStore = 0x60000;  // COMPLETION_WAIT semaphores
enc::Cmd store(uint64_t data, uint64_t at = kStore) { return enc::completion_wait(true, false, false, at, data); }
enc::Cmd pages(uint16_t domain, uint64_t addr, bool s, bool pde, bool gn = false, uint32_t pasid = 0) {
    return enc::invalidate_iommu_pages(domain, pasid, addr, s, pde, gn);
}
void check_ats(const iommu::AtsInvalidation& i, uint16_t sid, bool pasid_valid, uint32_t pasid, uint64_t addr,
               uint64_t size) {
    CHECK(i.sid == sid);
    CHECK(i.pasid_valid == pasid_valid);
    CHECK(i.pasid == pasid);
    CHECK(i.addr == addr);
    CHECK(i.size == size);
}
// Bits 51:12 of a directory entry: the next table.
uint64_t next_table(uint64_t pde) { return pde & 0x000f'ffff'ffff'f000ull; }

}  // namespace

TEST_CASE("amdvi commands: INVALIDATE_DEVTAB_ENTRY drops its device's cached DTE only", "[amdvi]") {
    CmdRig r;
    const uint64_t root = r.translated_device(1, 3, 1);
    r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000));
    DteFields f;
    f.mode = 3;
    f.root = root;
    f.domain = 2;
    r.put_dte(2, f);
    r.start();
    CHECK_FALSE(r.access(1, 0x1000).fault);
    CHECK_FALSE(r.access(2, 0x1000).fault);
    DteFields blocked;
    blocked.tv = false;
    r.put_dte(1, blocked);
    r.put_dte(2, blocked);
    r.submit({enc::invalidate_devtab_entry(2)});
    CHECK_FALSE(r.access(1, 0x1000).fault);  // still the cached entry
    CHECK(r.access(2, 0x1000).fault);
    r.submit({enc::invalidate_devtab_entry(1)});
    CHECK(r.access(1, 0x1000).fault);
    CHECK(r.stat("commands") == 2);
}

TEST_CASE("amdvi commands: INVALIDATE_IOMMU_PAGES drops the domain's pages overlapping the range", "[amdvi]") {
    CmdRig r;
    const uint64_t root = r.translated_device(1, 3, 1);
    const uint64_t a = r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000));
    const uint64_t b = r.tables.map(root, {3, 2, 1}, 0x200000, amdvitest::pte(0x9000));
    const uint64_t root2 = r.translated_device(2, 3, 2);
    const uint64_t c = r.tables.map(root2, {3, 2, 1}, 0x1000, amdvitest::pte(0xa000));
    r.start();
    CHECK(r.access(1, 0x1000).pa == 0x8000);
    CHECK(r.access(1, 0x200000).pa == 0x9000);
    CHECK(r.access(2, 0x1000).pa == 0xa000);
    r.mem.write_u64(a, amdvitest::pte(0x18000));
    r.mem.write_u64(b, amdvitest::pte(0x19000));
    r.mem.write_u64(c, amdvitest::pte(0x1a000));

    r.submit({pages(1, 0x5000, false, true)});  // another page of the domain
    CHECK(r.access(1, 0x1000).pa == 0x8000);
    r.submit({pages(1, 0x1000, false, true)});
    CHECK(r.access(1, 0x1000).pa == 0x18000);
    CHECK(r.access(1, 0x200000).pa == 0x9000);
    CHECK(r.access(2, 0x1000).pa == 0xa000);  // another domain, same address
    // GN=1 names guest translations of a PASID; the host ones stay.
    r.submit({pages(1, 0x200000, false, true, true, 7)});
    CHECK(r.access(1, 0x200000).pa == 0x9000);
    // S=1: address bits 19:12 set, bit 20 clear: the 2 MiB at 0x200000.
    r.submit({pages(1, 0x2ff000, true, true)});
    CHECK(r.access(1, 0x200000).pa == 0x19000);
    CHECK(r.access(2, 0x1000).pa == 0xa000);
    // S=1 with every bit but 63 set: the whole address space (Linux's all-pages form).
    r.submit({pages(2, 0x7fff'ffff'ffff'f000ull, true, true)});
    CHECK(r.access(2, 0x1000).pa == 0x1a000);
}

// PDE=0 leaves the cached directory entries, so a walk still goes through a directory
// entry software has changed; PDE=1 of the same domain drops it, of another does not.
TEST_CASE("amdvi commands: INVALIDATE_IOMMU_PAGES with PDE=1 drops directory entries, PDE=0 keeps them",
          "[amdvi]") {
    CmdRig r;
    const uint64_t root = r.translated_device(1, 3, 1);
    r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000));
    r.start();
    CHECK(r.access(1, 0x1000).pa == 0x8000);
    // A new level-1 table under the same level-2 entry.
    const uint64_t l2 = next_table(r.mem.read_u64(amdvitest::HostTables::slot(root, 3, 0x1000)));
    const uint64_t l1 = r.tables.new_table();
    r.mem.write_u64(amdvitest::HostTables::slot(l1, 1, 0x1000), amdvitest::pte(0x28000));
    r.mem.write_u64(amdvitest::HostTables::slot(l1, 1, 0x3000), amdvitest::pte(0x2a000));
    r.mem.write_u64(amdvitest::HostTables::slot(l2, 2, 0x1000), amdvitest::pde(l1, 1));

    r.submit({pages(2, 0x1000, false, true), pages(1, 0x1000, false, false)});
    CHECK(r.access(1, 0x1000).pa == 0x8000);  // walked from the cached level-2 entry
    CHECK(r.access(1, 0x3000).fault);
    r.submit({pages(1, 0x1000, false, true)});
    CHECK(r.access(1, 0x1000).pa == 0x28000);
    CHECK(r.access(1, 0x3000).pa == 0x2a000);
}

TEST_CASE("amdvi commands: INVALIDATE_IOMMU_ALL empties every cache", "[amdvi]") {
    CmdRig r;
    const uint64_t root = r.translated_device(1, 3, 1);
    const uint64_t a = r.tables.map(root, {3, 2, 1}, 0x1000, amdvitest::pte(0x8000));
    r.start();
    CHECK(r.access(1, 0x1000).pa == 0x8000);
    CHECK(r.stat("dte_reads") == 4);
    r.mem.write_u64(a, amdvitest::pte(0x18000));
    r.submit({enc::invalidate_interrupt_table(1)});  // nothing the translations use
    CHECK(r.access(1, 0x1000).pa == 0x8000);
    r.submit({enc::invalidate_iommu_all()});
    CHECK(r.access(1, 0x1000).pa == 0x18000);
    CHECK(r.stat("dte_reads") == 8);  // the DTE cache was emptied too
    CHECK(r.stat("walk_reads") == 6);  // and the PDE cache: a full walk again
}

TEST_CASE("amdvi commands: INVALIDATE_IOTLB_PAGES reaches the device, COMPLETE_PPR_REQUEST answers it",
          "[amdvi]") {
    CmdRig r;
    r.start();
    r.submit({enc::invalidate_iotlb_pages(5, 0x12345, 0, 0, 0x4000, false, true),
              enc::invalidate_iotlb_pages(6, 0, 0, 0, 0x5000, true, false),
              enc::complete_ppr_request(0x0810, 0x2345, true, 0x1a5, 0x0),
              enc::complete_ppr_request(0x0011, 0, false, 3, 0xf)});
    REQUIRE(r.devices.invalidations.size() == 2);
    check_ats(r.devices.invalidations[0], 5, true, 0x12345, 0x4000, 0x1000);
    check_ats(r.devices.invalidations[1], 6, false, 0, 0x4000, 0x4000);  // S=1, bit 12 set, bit 13 clear: 16 KiB
    REQUIRE(r.devices.responses.size() == 2);
    const auto& p0 = r.devices.responses[0];
    CHECK(p0.sid == 0x0810);
    CHECK(p0.pasid_valid);
    CHECK(p0.pasid == 0x2345);
    CHECK(p0.prg_index == 0x1a5);
    CHECK(p0.code == iommu::PrgResponse::Success);
    const auto& p1 = r.devices.responses[1];
    CHECK(p1.sid == 0x11);
    CHECK_FALSE(p1.pasid_valid);
    CHECK(p1.prg_index == 3);
    CHECK(p1.code == iommu::PrgResponse::ResponseFailure);
    // Without endpoints the commands still complete.
    r.unit->endpoints = nullptr;
    r.submit({enc::invalidate_iotlb_pages(5, 0, 0, 0, 0x4000, false, false), store(9)});
    CHECK(r.mem.read_u64(kStore) == 9);
}

TEST_CASE("amdvi commands: COMPLETION_WAIT stores, and with I=1 sets ComWaitInt (W1C)", "[amdvi]") {
    CmdRig r;
    r.start(ct::COM_WAIT_INT_EN);
    r.submit({store(0x1122'3344'5566'7788ull)});
    CHECK(r.mem.read_u64(kStore) == 0x1122'3344'5566'7788ull);
    CHECK_FALSE(r.status() & st::COM_WAIT_INT);
    r.submit({enc::completion_wait(false, true, false, 0, 0)});
    CHECK(r.status() & st::COM_WAIT_INT);
    CHECK(r.stat("comwait_interrupts") == 1);
    r.unit->write(reg::STATUS, st::COM_WAIT_INT, 4);
    CHECK_FALSE(r.status() & st::COM_WAIT_INT);
    CHECK(r.status() & st::CMD_BUF_RUN);
    r.set_control(ct::COM_WAIT_INT_EN, false);
    r.submit({enc::completion_wait(true, true, false, kStore, 5)});
    CHECK(r.status() & st::COM_WAIT_INT);
    CHECK(r.stat("comwait_interrupts") == 1);
    CHECK(r.mem.read_u64(kStore) == 5);
}

TEST_CASE("amdvi commands: the buffer wraps across many doorbells", "[amdvi]") {
    CmdRig r;
    r.start();
    uint64_t n = 0;
    for (int batch = 0; batch < 100; ++batch) {
        std::vector<enc::Cmd> cmds;
        for (int i = 0; i < 7; ++i) cmds.push_back(store(++n));
        r.submit(cmds);
        REQUIRE(r.cmd_head() == r.tail);
    }
    CHECK(r.mem.read_u64(kStore) == 700);
    // A full buffer's worth (255 entries) in one doorbell, across the end.
    std::vector<enc::Cmd> cmds;
    for (int i = 0; i < 255; ++i) cmds.push_back(store(++n));
    r.submit(cmds);
    CHECK(r.cmd_head() == r.tail);
    CHECK(r.mem.read_u64(kStore) == 955);
    CHECK(r.stat("commands") == 955);
}

// §2.4: an illegal command logs ILLEGAL_COMMAND_ERROR with its address, and the
// buffer stops with the head on it; CmdBufEn 0 then 1 restarts at the head.
TEST_CASE("amdvi commands: an illegal command stops the buffer, a CmdBufEn toggle restarts it", "[amdvi]") {
    CmdRig r;
    r.start(ct::EVENT_INT_EN);
    int irqs = 0;
    r.unit->on_event_irq = [&] { ++irqs; };
    r.put(store(1));
    const uint64_t bad = r.put(enc::raw_opcode(0));
    r.put(store(2));
    r.doorbell();
    CHECK(r.mem.read_u64(kStore) == 1);
    CHECK(r.cmd_head() == bad - kCmdBuf);
    CHECK_FALSE(r.status() & st::CMD_BUF_RUN);
    const auto recs = r.events();
    REQUIRE(recs.size() == 1);
    CHECK(recs[0] == CmdRig::qwords(enc::illegal_command_error(bad)));
    CHECK(irqs == 1);
    r.doorbell();  // stopped: nothing runs
    CHECK(r.mem.read_u64(kStore) == 1);

    const enc::Cmd fixed = store(3, kStore + 8);
    r.mem.write(bad, fixed.data(), 16);
    r.set_control(ct::CMD_BUF_EN, false);
    CHECK(r.cmd_head() == bad - kCmdBuf);
    r.set_control(ct::CMD_BUF_EN, true);
    CHECK(r.status() & st::CMD_BUF_RUN);
    CHECK(r.mem.read_u64(kStore + 8) == 3);
    CHECK(r.mem.read_u64(kStore) == 2);
    CHECK(r.cmd_head() == r.tail);
}

// Software may instead skip the command: CMD_HEAD is writable while the buffer is
// stopped. INVALIDATE_IOMMU_ALL without EFR.IASup is illegal.
TEST_CASE("amdvi commands: a command the EFR rules out is illegal, software moves CMD_HEAD past it", "[amdvi]") {
    CmdRig r;
    r.straps.efr.ia_sup = false;
    r.rebuild();
    r.start();
    const uint64_t bad = r.put(enc::invalidate_iommu_all());
    r.put(store(4));
    r.doorbell();
    CHECK_FALSE(r.status() & st::CMD_BUF_RUN);
    CHECK(r.events() == std::vector<std::array<uint64_t, 2>>{CmdRig::qwords(enc::illegal_command_error(bad))});
    r.set_control(ct::CMD_BUF_EN, false);
    r.unit->write(reg::CMD_HEAD, bad - kCmdBuf + 16, 4);
    r.set_control(ct::CMD_BUF_EN, true);
    CHECK(r.mem.read_u64(kStore) == 4);
    CHECK(r.cmd_head() == r.tail);
    // A store outside memory: COMMAND_HARDWARE_ERROR (master abort) with its address.
    const uint64_t outside = kMemSize + 0x40;
    r.submit({store(5, outside), store(6)});
    CHECK_FALSE(r.status() & st::CMD_BUF_RUN);
    CHECK(r.events() ==
          std::vector<std::array<uint64_t, 2>>{CmdRig::qwords(enc::command_hardware_error(enc::kMasterAbort, outside))});
    CHECK(r.mem.read_u64(kStore) == 4);
}

TEST_CASE("amdvi commands: CMD_TAIL runs nothing without CmdBufEn and IommuEn", "[amdvi]") {
    CmdRig r;
    r.unit->write(reg::CMD_BUF_BASE, kCmdBuf | kLen8, 8);
    r.unit->write(reg::CONTROL, ct::CMD_BUF_EN, 8);
    r.submit({store(1)});
    CHECK(r.mem.read_u64(kStore) == 0);
    CHECK(r.cmd_head() == 0);
    r.unit->write(reg::CONTROL, ct::CMD_BUF_EN | ct::IOMMU_EN, 8);  // starts, runs to the tail
    CHECK(r.mem.read_u64(kStore) == 1);
    r.unit->write(reg::CONTROL, ct::IOMMU_EN, 8);
    r.submit({store(2)});
    CHECK(r.mem.read_u64(kStore) == 1);
}

TEST_CASE("amdvi commands: command_cycles grows by fetch and execution costs ([amdvi.cmdbuf])", "[amdvi]") {
    CmdRig r;
    auto& c = r.params.cmdbuf;
    c.fetch_cycles = 3;
    c.sync_cycles = 5;
    c.tlb_cycles = 7;
    c.config_cycles = 13;
    c.atc_inv_cycles = 11;
    r.rebuild();
    r.start();
    CHECK(r.unit->command_cycles() == 0);
    r.submit({store(1), pages(1, 0x1000, false, true), enc::invalidate_devtab_entry(1),
              enc::invalidate_iotlb_pages(1, 0, 0, 0, 0x1000, false, false)});
    const uint64_t expected = 4 * 3 + 5 + 7 + 13 + 11;
    CHECK(r.unit->command_cycles() == expected);
    CHECK(r.stat("cmdbuf.busy_cycles") == expected);
    r.submit({store(2)});
    CHECK(r.unit->command_cycles() == expected + 3 + 5);

    const iommu::HardwareArch& arch = amdvi::hardware();
    sim::ParamSchema schema;
    arch.declare(schema);
    CHECK(schema.has("amdvi.cmdbuf.fetch_cycles"));
    sim::Config cfg;
    cfg.set("amdvi.cmdbuf.sync_cycles", "50");
    const auto uc = arch.read(cfg, 1);
    CHECK(static_cast<const amdvi::UnitConfig&>(*uc).unit.cmdbuf.sync_cycles == 50);
}

TEST_CASE("amdvi commands: every invalidation is told to on_invalidate with JSON arguments", "[amdvi]") {
    CmdRig r;
    r.start();
    std::vector<std::pair<std::string, nlohmann::json>> told;
    r.unit->on_invalidate = [&](const char* kind, const std::string& args) {
        told.emplace_back(kind, nlohmann::json::parse("{" + args + "}"));
    };
    r.submit({enc::invalidate_devtab_entry(7), pages(3, 0x5000, true, true), store(1),
              enc::invalidate_iotlb_pages(9, 0, 0, 0, 0x2000, false, false), enc::invalidate_interrupt_table(8),
              enc::complete_ppr_request(1, 0, false, 1, 0), enc::invalidate_iommu_all()});
    REQUIRE(told.size() == 5);
    CHECK(told[0].first == "INVALIDATE_DEVTAB_ENTRY");
    CHECK(told[0].second["devid"] == 7);
    CHECK(told[1].first == "INVALIDATE_IOMMU_PAGES");
    CHECK(told[1].second["domain"] == 3);
    CHECK(told[1].second["first"] == "0x4000");
    CHECK(told[1].second["last"] == "0x7fff");
    CHECK(told[1].second["pde"] == 1);
    CHECK(told[2].first == "INVALIDATE_IOTLB_PAGES");
    CHECK(told[2].second["sid"] == 9);
    CHECK(told[2].second["addr"] == "0x2000");
    CHECK(told[3].first == "INVALIDATE_INTERRUPT_TABLE");
    CHECK(told[3].second["devid"] == 8);
    CHECK(told[4].first == "INVALIDATE_IOMMU_ALL");
}
