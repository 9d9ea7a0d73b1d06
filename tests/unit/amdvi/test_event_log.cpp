// The event log (§2.5, §3.4.3): records at EVT_TAIL, wrap at the end of the buffer,
// overflow (STATUS.EventOverflow, logging stops, later events are lost until software
// re-enables EventLogEn), and EventLogInt with EventIntEn.
#include <catch2/catch.hpp>

#include "tests/unit/amdvi/rig.h"

using namespace amdvi_rig;
namespace st = amdvi::status;

namespace {

// Device 1's DTE has TV=0: every access logs one IO_PAGE_FAULT.
void blocked_device(Rig& r) {
    DteFields f;
    f.tv = false;
    r.put_dte(1, f);
}

}  // namespace

TEST_CASE("amdvi event log: the tail wraps at the end of the buffer", "[amdvi]") {
    Rig r;
    blocked_device(r);
    r.unit->write(reg::EVT_HEAD, 254 * 16, 8);
    r.unit->write(reg::EVT_TAIL, 254 * 16, 8);  // writable while logging is stopped
    r.evt_read = 254 * 16;
    r.enable();
    for (uint64_t i = 0; i < 3; ++i) r.access(1, 0x1000 * (i + 1));
    CHECK(r.evt_tail() == 16);
    const auto recs = r.events();
    REQUIRE(recs.size() == 3);
    CHECK(recs[0][1] == 0x1000);
    CHECK(recs[1][1] == 0x2000);
    CHECK(r.mem.read_u64(kEvtLog + 8) == 0x3000);  // the third at the start of the buffer
    CHECK(r.unit->read(reg::EVT_TAIL, 8) == 16);
}

TEST_CASE("amdvi event log: overflow stops logging until EventLogEn is set again", "[amdvi]") {
    Rig r;
    blocked_device(r);
    r.enable();
    for (unsigned i = 0; i < 255; ++i) r.access(1, 0x1000);
    CHECK(r.evt_tail() == 255 * 16);  // one short of the head: full
    CHECK((r.unit->read(reg::STATUS, 8) & st::EVENT_OVERFLOW) == 0);
    r.access(1, 0x1000);
    const uint64_t s = r.unit->read(reg::STATUS, 8);
    CHECK(s & st::EVENT_OVERFLOW);
    CHECK_FALSE(s & st::EVENT_LOG_RUN);
    r.unit->write(reg::EVT_HEAD, 128 * 16, 8);  // software consumed half
    r.access(1, 0x1000);
    CHECK(r.evt_tail() == 255 * 16);  // still stopped: lost
    CHECK(r.stat("events_lost") == 2);
    // Linux's restart: EventLogEn off, clear EventOverflow (W1C), EventLogEn on.
    r.unit->write(reg::CONTROL, amdvi::ctrl::IOMMU_EN, 8);
    r.unit->write(reg::STATUS, st::EVENT_OVERFLOW, 8);
    CHECK((r.unit->read(reg::STATUS, 8) & st::EVENT_OVERFLOW) == 0);
    r.unit->write(reg::CONTROL, amdvi::ctrl::IOMMU_EN | amdvi::ctrl::EVENT_LOG_EN, 8);
    CHECK(r.unit->read(reg::STATUS, 8) & st::EVENT_LOG_RUN);
    r.access(1, 0x1000);
    CHECK(r.evt_tail() == 0);
    CHECK(r.stat("events") == 256);
}

TEST_CASE("amdvi event log: EventLogInt and the event interrupt need EventIntEn", "[amdvi]") {
    Rig r;
    blocked_device(r);
    int irqs = 0;
    r.unit->on_event_irq = [&] { ++irqs; };
    r.enable();
    r.access(1, 0x1000);
    CHECK(irqs == 0);
    CHECK((r.unit->read(reg::STATUS, 8) & st::EVENT_LOG_INT) == 0);
    r.enable(amdvi::ctrl::EVENT_INT_EN);
    r.access(1, 0x1000);
    CHECK(irqs == 1);
    CHECK(r.unit->read(reg::STATUS, 8) & st::EVENT_LOG_INT);
    r.unit->write(reg::STATUS, st::EVENT_LOG_INT, 8);
    CHECK((r.unit->read(reg::STATUS, 8) & st::EVENT_LOG_INT) == 0);
}

TEST_CASE("amdvi event log: nothing is logged while EventLogEn is clear", "[amdvi]") {
    Rig r;
    blocked_device(r);
    r.unit->write(reg::DEV_TABLE_BASE, kDevTab | 1, 8);
    r.unit->write(reg::EVT_LOG_BASE, kEvtLog | kEventLen8, 8);
    r.unit->write(reg::CONTROL, amdvi::ctrl::IOMMU_EN, 8);
    CHECK(r.access(1, 0x1000).fault);
    CHECK(r.evt_tail() == 0);
    CHECK(r.stat("events_lost") == 1);
}
