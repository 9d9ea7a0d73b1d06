// The AMD-Vi driver reading the logs the unit writes: event records counted by event
// code, the PPR log drained and answered, overflows restarting the logs, the ring's
// wrap. Records are laid out here from the spec (event code dword 1 31:28; PPR entry
// DeviceID 15:0, PASID 31:16 and 45:42, tag 41:32, flags 59:48, type 63:60).
#include <catch2/catch.hpp>

#include "tests/unit/iommufd/amdvi_driver_rig.h"

using namespace amdvi_rig;

namespace {

constexpr uint32_t EventOverflow = 1, EventLogInt = 2, EventLogRun = 8;
constexpr uint32_t PPROverflow = 1 << 5, PPRInt = 1 << 6, PPRLogRun = 1 << 7;

// The unit's side: a 16-byte record at the log's tail, the tail moved, the interrupt
// status set.
void log_entry(Rig& r, uint32_t base_reg, uint32_t tail_reg, uint64_t lo, uint64_t hi, uint32_t status) {
    const uint64_t base = r.unit->regs[base_reg] & 0x000f'ffff'ffff'f000;
    const uint64_t tail = r.unit->regs[tail_reg];
    r.mem.write_u64(base + tail, lo);
    r.mem.write_u64(base + tail + 8, hi);
    r.unit->regs[tail_reg] = (tail + 16) % 0x2000;
    r.unit->regs[STATUS] |= status;
}
void event(Rig& r, unsigned code) {
    log_entry(r, EVT_LOG_BASE, EVT_TAIL, kDev | uint64_t(code) << 60, 0x1234'5000, EventLogInt);
}
uint64_t ppr(uint16_t devid, uint32_t pasid, unsigned tag, bool gn) {
    return devid | uint64_t(pasid & 0xffff) << 16 | uint64_t(tag) << 32 | uint64_t(pasid >> 16) << 42 |
           uint64_t(gn ? 0x100 : 0) << 48 | uint64_t(1) << 60;
}
// CONTROL as each write left it, from write `from` on.
std::vector<uint64_t> controls(const FakeAmdvi& u, size_t from) {
    std::vector<uint64_t> v;
    for (size_t i = from; i < u.writes.size(); ++i)
        if (u.writes[i].first == CONTROL) v.push_back(u.writes[i].second);
    return v;
}

}  // namespace

TEST_CASE("amdvi driver: service_events counts each record by event code, zeroes it, moves "
          "EVT_HEAD to EVT_TAIL and clears EventLogInt", "[iommufd][amdvi-driver]") {
    Rig r;
    event(r, 2);
    event(r, 2);
    event(r, 1);
    r.driver->service_events();
    CHECK(r.stat("events.0x2") == 2);
    CHECK(r.stat("events.0x1") == 1);
    CHECK(r.unit->regs[EVT_HEAD] == 0x30);
    CHECK_FALSE(r.unit->regs[STATUS] & EventLogInt);
    const uint64_t base = r.unit->regs[EVT_LOG_BASE] & 0x000f'ffff'ffff'f000;
    for (uint64_t off = 0; off < 0x30; off += 8) CHECK(r.mem.read_u64(base + off) == 0);
    const size_t writes = r.unit->writes.size();
    r.driver->service_events();  // nothing pending: STATUS read, nothing written
    CHECK(r.unit->writes.size() == writes);
    CHECK(r.stat("events.0x2") == 2);
}

TEST_CASE("amdvi driver: the event log is read across its wrap", "[iommufd][amdvi-driver]") {
    Rig r;
    r.unit->regs[EVT_HEAD] = r.unit->regs[EVT_TAIL] = 0x1ff0;
    event(r, 2);
    event(r, 8);
    REQUIRE(r.unit->regs[EVT_TAIL] == 0x10);
    r.driver->service_events();
    CHECK(r.stat("events.0x2") == 1);
    CHECK(r.stat("events.0x8") == 1);
    CHECK(r.unit->regs[EVT_HEAD] == 0x10);
}

TEST_CASE("amdvi driver: an event log overflow is counted and the stopped log restarted as "
          "amd_iommu_restart_log does, a running one left alone", "[iommufd][amdvi-driver]") {
    Rig r;
    const uint64_t enabled = r.unit->regs[CONTROL];
    SECTION("stopped") {
        r.unit->regs[STATUS] |= EventOverflow;
        const size_t from = r.unit->writes.size();
        r.driver->service_events();
        CHECK(r.stat("events.overflows") == 1);
        // EventLogEn off, EventIntEn off, then on again, EventLogEn last.
        const std::vector<uint64_t> c = controls(*r.unit, from);
        REQUIRE(c.size() == 4);
        CHECK_FALSE(c[0] & EventLogEn);
        CHECK_FALSE(c[1] & (EventLogEn | EventIntEn));
        CHECK((c[2] & (EventLogEn | EventIntEn)) == EventIntEn);
        CHECK(c[3] == enabled);
        CHECK_FALSE(r.unit->regs[STATUS] & EventOverflow);
    }
    SECTION("still running") {
        r.unit->regs[STATUS] |= EventOverflow | EventLogRun;
        const size_t from = r.unit->writes.size();
        r.driver->service_events();
        CHECK(r.stat("events.overflows") == 1);
        CHECK(controls(*r.unit, from).empty());
    }
}

TEST_CASE("amdvi driver: service_page_requests drains the PPR log and answers each request "
          "closing its group with COMPLETE_PPR_REQUEST, Response Failure", "[iommufd][amdvi-driver]") {
    Rig r;
    r.unit->cmds.clear();
    log_entry(r, PPR_LOG_BASE, PPR_TAIL, ppr(kDev, 0, 0x006, false), 0x7000, PPRInt);        // not last
    log_entry(r, PPR_LOG_BASE, PPR_TAIL, ppr(kDev, 0, 0x205, false), 0x8000, PPRInt);        // last, PRGI 5
    log_entry(r, PPR_LOG_BASE, PPR_TAIL, ppr(0x0210, 0x12345, 0x201, true), 0x9000, PPRInt);  // with a PASID
    r.driver->service_page_requests();
    CHECK(r.stat("ppr.requests") == 3);
    CHECK(r.stat("ppr.responses") == 2);
    CHECK(r.unit->regs[PPR_HEAD] == 0x30);
    CHECK_FALSE(r.unit->regs[STATUS] & PPRInt);
    const auto& cmds = r.unit->cmds;
    REQUIRE(cmds.size() == 2);  // no COMPLETION_WAIT of their own
    CHECK(cmds[0].op() == COMPLETE_PPR);
    CHECK(cmds[0].devid() == kDev);
    CHECK(cmds[0].ppr_tag() == 5);
    CHECK(cmds[0].ppr_status() == 0xf);
    CHECK_FALSE(cmds[0].gn());
    CHECK(cmds[0].ppr_pasid() == 0);
    CHECK(cmds[1].devid() == 0x0210);
    CHECK(cmds[1].ppr_tag() == 1);
    CHECK(cmds[1].gn());
    CHECK(cmds[1].ppr_pasid() == 0x12345);
    const uint64_t base = r.unit->regs[PPR_LOG_BASE] & 0x000f'ffff'ffff'f000;
    CHECK(r.mem.read_u64(base + 0x20) == 0);  // read entries are zeroed
}

TEST_CASE("amdvi driver: a PPR log overflow restarts the stopped log, and a unit without "
          "EFR.PPRSup has no PPR log to read", "[iommufd][amdvi-driver]") {
    Rig r;
    r.unit->regs[STATUS] |= PPROverflow;
    const size_t from = r.unit->writes.size();
    r.driver->service_page_requests();
    CHECK(r.stat("ppr.overflows") == 1);
    const std::vector<uint64_t> c = controls(*r.unit, from);
    REQUIRE(c.size() == 4);
    CHECK_FALSE(c[0] & PPRLogEn);
    CHECK(c[3] & PPRLogEn);
    CHECK(c[3] & PPRIntEn);
    r.unit->regs[STATUS] |= PPROverflow | PPRLogRun;
    const size_t running = r.unit->writes.size();
    r.driver->service_page_requests();
    CHECK(controls(*r.unit, running).empty());
    Rig bare(GTSup | IASup);
    REQUIRE(bare.probed == Errno::Ok);
    CHECK_FALSE(bare.unit->regs[CONTROL] & (PPREn | PPRLogEn));
    const uint64_t reads = bare.stat("mmio");
    bare.driver->service_page_requests();
    CHECK(bare.stat("mmio") == reads);
}
