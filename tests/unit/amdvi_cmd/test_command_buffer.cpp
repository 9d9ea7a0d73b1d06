// The AMD-Vi command buffer processor: each command reaches the unit with its fields,
// COMPLETION_WAIT stores and interrupts, the buffer wraps, an illegal command or a
// failed fetch logs its event and stops the buffer on the command, and the command
// clock counts what was fetched and executed.
#include <catch2/catch.hpp>

#include "tests/unit/amdvi_cmd/cmd_rig.h"

using namespace amdvi;
using amdvi_test::CmdRig;
namespace enc = amdvi_cmd_enc;

TEST_CASE("amdvi cmd: invalidations reach the unit in order with their fields", "[amdvi][cmdbuf]") {
    CmdRig r;
    r.put(enc::invalidate_devtab_entry(0x0810));
    r.put(enc::invalidate_interrupt_table(0x0811));
    r.put(enc::invalidate_iommu_pages(0x2a, 0, 0x12344000ull, true, true, false));
    r.put(enc::invalidate_iommu_all());
    const auto res = r.ring();
    CHECK(res.executed == 4);
    CHECK(res.stop == CommandBuffer::Stop::None);
    CHECK(r.unit.calls == std::vector<std::string>{"dte:2064", "irt:2065", "pages", "all"});
    REQUIRE(r.unit.pages.size() == 1);
    const auto& p = r.unit.pages[0];
    CHECK(p.domain == 0x2a);
    CHECK((p.first == 0x12344000ull && p.last == 0x12345fffull));  // S with address[12] = 0: 8 KiB
    CHECK((p.pde && !p.gn));
    CHECK(r.cmdbuf.head() == 4 * 16);
    CHECK(r.cmdbuf.running());
}

TEST_CASE("amdvi cmd: guest page invalidation carries the PASID, everything with the all-pages address",
          "[amdvi][cmdbuf]") {
    CmdRig r;
    r.put(enc::invalidate_iommu_pages(3, 0x1234, 0x7ffffffffffff000ull, true, false, true));
    r.ring();
    REQUIRE(r.unit.pages.size() == 1);
    CHECK((r.unit.pages[0].gn && r.unit.pages[0].pasid == 0x1234));
    CHECK((r.unit.pages[0].first == 0 && r.unit.pages[0].last == ~uint64_t(0)));
}

TEST_CASE("amdvi cmd: INVALIDATE_IOTLB_PAGES becomes an ATS Invalidate Request", "[amdvi][cmdbuf]") {
    CmdRig r;
    r.put(enc::invalidate_iotlb_pages(0x0200, 0x55, 8, 0x0200, 0x40001000ull, true, true));  // 16 KiB
    r.put(enc::invalidate_iotlb_pages(0x0201, 0, 8, 0x0201, 0x7ffffffffffff000ull, true, false));
    r.put(enc::invalidate_iotlb_pages(0x0202, 0, 8, 0x0202, 0x9000, false, false));
    r.ring();
    REQUIRE(r.unit.iotlb.size() == 3);
    const auto& a = r.unit.iotlb[0];
    CHECK(a.sid == 0x0200);
    CHECK((a.pasid_valid && a.pasid == 0x55 && !a.global));
    CHECK((a.addr == 0x40000000ull && a.size == 0x4000));
    CHECK((r.unit.iotlb[1].sid == 0x0201 && !r.unit.iotlb[1].pasid_valid && r.unit.iotlb[1].size == 0));
    CHECK((r.unit.iotlb[2].addr == 0x9000 && r.unit.iotlb[2].size == 0x1000));
}

TEST_CASE("amdvi cmd: COMPLETE_PPR_REQUEST becomes a PRG Response", "[amdvi][cmdbuf]") {
    CmdRig r;
    r.put(enc::complete_ppr_request(0x0300, 0x77, true, 0x1a5, 0x0));
    r.put(enc::complete_ppr_request(0x0301, 0, false, 0x002, 0x1));
    r.put(enc::complete_ppr_request(0x0302, 0, false, 0x003, 0xf));
    r.ring();
    REQUIRE(r.unit.responses.size() == 3);
    const auto& a = r.unit.responses[0];
    CHECK((a.sid == 0x0300 && a.pasid_valid && a.pasid == 0x77 && a.prg_index == 0x1a5));
    CHECK(a.code == iommu::PrgResponse::Success);
    CHECK((!r.unit.responses[1].pasid_valid && r.unit.responses[1].prg_index == 2));
    CHECK(r.unit.responses[1].code == iommu::PrgResponse::InvalidRequest);
    CHECK(r.unit.responses[2].code == iommu::PrgResponse::ResponseFailure);
}

TEST_CASE("amdvi cmd: COMPLETION_WAIT stores its data, then sets ComWaitInt", "[amdvi][cmdbuf]") {
    CmdRig r;
    r.put(enc::invalidate_devtab_entry(1));
    r.put(enc::completion_wait(true, true, false, 0x2008, 0x1122334455667788ull));
    r.put(enc::completion_wait(true, false, false, 0x3000, 42));
    r.ring();
    CHECK(r.store.read_u64(0x2008) == 0x1122334455667788ull);
    CHECK(r.store.read_u64(0x3000) == 42);
    CHECK(r.unit.calls == std::vector<std::string>{"dte:1", "comwait_int"});
    CHECK(r.cmdbuf.status_bits() == (CommandBuffer::kComWaitInt | CommandBuffer::kCmdBufRun));
    r.cmdbuf.clear_status(CommandBuffer::kCmdBufRun);  // not W1C: stays
    CHECK(r.cmdbuf.status_bits() & CommandBuffer::kComWaitInt);
    r.cmdbuf.clear_status(CommandBuffer::kComWaitInt);
    CHECK(r.cmdbuf.status_bits() == CommandBuffer::kCmdBufRun);
}

TEST_CASE("amdvi cmd: the buffer wraps from its last entry to its first", "[amdvi][cmdbuf]") {
    CmdRig r;
    r.cmdbuf.set_head(254 * 16);
    r.tail = 254 * 16;
    r.put(enc::invalidate_devtab_entry(1));
    r.put(enc::invalidate_devtab_entry(2));
    const uint64_t wrapped = r.put(enc::invalidate_devtab_entry(3));
    CHECK(wrapped == CmdRig::kBase);
    CHECK(r.ring().executed == 3);
    CHECK(r.unit.calls == std::vector<std::string>{"dte:1", "dte:2", "dte:3"});
    CHECK(r.cmdbuf.head() == 16);
}

TEST_CASE("amdvi cmd: an illegal command logs ILLEGAL_COMMAND_ERROR and stops on it", "[amdvi][cmdbuf]") {
    const auto [name, bad] = GENERATE(table<const char*, enc::Cmd>({
        {"reserved bit", enc::with_bit(enc::invalidate_devtab_entry(5), 0, 20)},
        {"opcode 0", enc::raw_opcode(0)},
        {"opcode 15", enc::raw_opcode(15)},
    }));
    INFO(name);
    CmdRig r;
    r.put(enc::invalidate_devtab_entry(1));
    const uint64_t at = r.put(bad);
    r.put(enc::invalidate_devtab_entry(2));
    const auto res = r.ring();
    CHECK(res.executed == 1);
    CHECK(res.stop == CommandBuffer::Stop::IllegalCommand);
    CHECK(r.unit.calls == std::vector<std::string>{"dte:1"});
    REQUIRE(r.unit.events.size() == 1);
    CHECK(r.unit.events[0] == enc::illegal_command_error(at));
    CHECK(r.cmdbuf.head() == at - CmdRig::kBase);
    CHECK_FALSE(r.cmdbuf.running());
    CHECK_FALSE(r.cmdbuf.status_bits() & CommandBuffer::kCmdBufRun);
    // Stopped: another doorbell does nothing, until software fixes the command and restarts.
    CHECK(r.ring().executed == 0);
    r.store.write(at, enc::invalidate_devtab_entry(9).data(), 16);
    r.cmdbuf.start();
    CHECK(r.ring().executed == 2);
    CHECK(r.unit.calls == std::vector<std::string>{"dte:1", "dte:9", "dte:2"});
}

TEST_CASE("amdvi cmd: a command the features do not allow is illegal", "[amdvi][cmdbuf]") {
    CmdRig r;
    r.cmdbuf.set_features({});
    const uint64_t at = r.put(enc::invalidate_iommu_all());
    CHECK(r.ring().stop == CommandBuffer::Stop::IllegalCommand);
    REQUIRE(r.unit.events.size() == 1);
    CHECK(r.unit.events[0] == enc::illegal_command_error(at));
    CHECK(r.unit.calls.empty());
}

TEST_CASE("amdvi cmd: a failed fetch logs COMMAND_HARDWARE_ERROR and stops", "[amdvi][cmdbuf]") {
    CmdRig r;
    const uint64_t base = CmdRig::kMemSize;  // the buffer lies past installed memory
    r.cmdbuf.configure(base, 8);
    r.cmdbuf.set_head(0);
    const auto res = r.cmdbuf.process(5 * 16);
    CHECK(res.stop == CommandBuffer::Stop::HardwareError);
    CHECK(res.executed == 0);
    REQUIRE(r.unit.events.size() == 1);
    CHECK(r.unit.events[0] == enc::command_hardware_error(enc::kMasterAbort, base));
    CHECK_FALSE(r.cmdbuf.running());
}

TEST_CASE("amdvi cmd: a COMPLETION_WAIT store that fails is a hardware error on its address", "[amdvi][cmdbuf]") {
    CmdRig r;
    const uint64_t at = r.put(enc::completion_wait(true, true, false, CmdRig::kMemSize, 1));
    CHECK(r.ring().stop == CommandBuffer::Stop::HardwareError);
    REQUIRE(r.unit.events.size() == 1);
    CHECK(r.unit.events[0] == enc::command_hardware_error(enc::kMasterAbort, CmdRig::kMemSize));
    CHECK(r.cmdbuf.head() == at - CmdRig::kBase);
    CHECK(r.unit.calls.empty());  // no interrupt for a wait that did not complete
}

TEST_CASE("amdvi cmd: nothing runs while the buffer is stopped", "[amdvi][cmdbuf]") {
    CmdRig r;
    r.cmdbuf.stop();
    r.put(enc::invalidate_iommu_all());
    CHECK(r.ring().executed == 0);
    CHECK(r.unit.calls.empty());
    CHECK(r.cmdbuf.head() == 0);
}

TEST_CASE("amdvi cmd: the command clock counts fetches and each command's kind", "[amdvi][cmdbuf]") {
    CmdRig r;
    const iommu::CommandCost& c = r.cost;
    r.put(enc::invalidate_devtab_entry(1));                                      // Config
    r.put(enc::invalidate_iommu_pages(1, 0, 0x1000, false, false, false));      // Tlb
    r.put(enc::invalidate_iotlb_pages(1, 0, 0, 1, 0x1000, false, false));       // AtcInv
    r.put(enc::completion_wait(false, false, false, 0, 0));                     // Sync
    r.put(enc::complete_ppr_request(1, 0, false, 0, 0));                        // Other
    r.ring();
    CHECK(r.clock.cycles() == 5 * c.fetch_cycles + c.config_cycles + c.tlb_cycles + c.atc_inv_cycles +
                                  c.sync_cycles + c.other_cycles);
}
