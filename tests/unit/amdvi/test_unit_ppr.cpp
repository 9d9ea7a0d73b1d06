// Page requests into AmdviUnit's PPR log (48882 "Peripheral Page Service Request"
// logging; PPR Log Base 0038h, PPR_HEAD/PPR_TAIL 2030h/2038h): logged only for a DTE
// with PPR=1 while PPREn and the log run, the entry as the test encoder writes it,
// PprInt and on_page_request_irq with PprIntEn, overflow and restart.
#include <catch2/catch.hpp>

#include "tests/unit/amdvi/cmd_rig.h"

using namespace amdvi_rig;
namespace st = amdvi::status;
namespace ct = amdvi::ctrl;

namespace {

iommu::PageRequest request(uint16_t sid, uint16_t prg = 0x1a5) {
    iommu::PageRequest pr;
    pr.sid = sid;
    pr.pasid_valid = true;
    pr.pasid = 0x12345;
    pr.read = true;
    pr.write = true;
    pr.last = true;
    pr.prg_index = prg;
    pr.addr = 0x7654'3000;
    return pr;
}

// A device whose DTE allows page requests (PPR=1).
void ppr_device(CmdRig& r, uint16_t devid, bool ppr = true) {
    DteFields f;
    f.ppr = ppr;
    r.translated_device(devid, 3, 1, f);
}

enc::Record ppr_entry_at(CmdRig& r, uint64_t offset) {
    enc::Record rec{};
    r.mem.read(kPprLog + offset, rec.data(), 16);
    return rec;
}

// Device 3 may send page requests; the log runs with PprIntEn; irqs counts interrupts.
struct PprRig : CmdRig {
    int irqs = 0;
    PprRig() {
        ppr_device(*this, 3);
        start(ct::PPR_INT_EN);
        unit->on_page_request_irq = [this] { ++irqs; };
    }
};

}  // namespace

TEST_CASE("amdvi ppr: a page request becomes a PPR log entry with PprInt and its interrupt", "[amdvi]") {
    PprRig r;
    CHECK(r.unit->page_request(request(3)));
    enc::PprFields f;
    f.devid = 3;
    f.pasid = 0x12345;
    f.tag = 0x1a5 | 1u << 9;  // PRG index, Last
    f.read = f.write = true;
    f.user = true;  // not privileged
    f.gn = true;
    f.addr = 0x7654'3000;
    CHECK(ppr_entry_at(r, 0) == enc::ppr_entry(f));
    CHECK(r.unit->read(reg::PPR_TAIL, 8) == 0x10);
    CHECK(r.status() & st::PPR_INT);
    CHECK(r.irqs == 1);
    r.unit->write(reg::STATUS, st::PPR_INT, 4);
    CHECK_FALSE(r.status() & st::PPR_INT);
    r.set_control(ct::PPR_INT_EN, false);
    CHECK(r.unit->page_request(request(3, 7)));
    CHECK(r.unit->read(reg::PPR_TAIL, 8) == 0x20);
    CHECK(r.status() & st::PPR_INT);
    CHECK(r.irqs == 1);
    CHECK(r.stat("page_requests") == 2);
}

// Refused requests are not logged; page_request() is false so the platform answers
// Response Failure.
TEST_CASE("amdvi ppr: no entry without DTE.PPR, PPREn, PPRLogEn or a valid DTE", "[amdvi]") {
    CmdRig r;
    ppr_device(r, 3);
    ppr_device(r, 4, false);
    DteFields pass;
    pass.v = false;
    pass.ppr = true;
    r.put_dte(5, pass);
    r.start();
    CHECK_FALSE(r.unit->page_request(request(4)));
    CHECK_FALSE(r.unit->page_request(request(5)));
    r.set_control(ct::PPR_EN, false);
    CHECK_FALSE(r.unit->page_request(request(3)));
    r.set_control(ct::PPR_EN, true);
    r.set_control(ct::PPR_LOG_EN, false);
    CHECK_FALSE(r.status() & st::PPR_LOG_RUN);
    CHECK_FALSE(r.unit->page_request(request(3)));
    CHECK(r.unit->read(reg::PPR_TAIL, 8) == 0);
    CHECK(r.stat("page_requests_refused") == 4);
    r.set_control(ct::PPR_LOG_EN, true);
    CHECK(r.status() & st::PPR_LOG_RUN);
    CHECK(r.unit->page_request(request(3)));
    CHECK(r.unit->read(reg::PPR_TAIL, 8) == 0x10);
}

// A full log (tail one entry behind the head) loses the request, sets PprOverflow and
// stops; software clears it and sets PPRLogEn again.
TEST_CASE("amdvi ppr: overflow stops the log until software clears it and restarts", "[amdvi]") {
    PprRig r;
    r.unit->write(reg::PPR_HEAD, 0x20, 4);
    CHECK(r.unit->page_request(request(3, 1)));
    CHECK_FALSE(r.unit->page_request(request(3, 2)));
    CHECK(r.status() & st::PPR_OVERFLOW);
    CHECK_FALSE(r.status() & st::PPR_LOG_RUN);
    CHECK(r.irqs == 2);  // the entry, then the overflow
    CHECK_FALSE(r.unit->page_request(request(3, 3)));
    CHECK(r.irqs == 2);
    r.unit->write(reg::PPR_HEAD, 0x10, 4);
    r.unit->write(reg::STATUS, st::PPR_OVERFLOW, 4);
    r.set_control(ct::PPR_LOG_EN, false);
    r.set_control(ct::PPR_LOG_EN, true);
    CHECK(r.unit->page_request(request(3, 4)));
    CHECK(r.unit->read(reg::PPR_TAIL, 8) == 0x20);
    CHECK((ppr_entry_at(r, 0x10)[1] & 0x1ff) == 4);  // PPR tag: the PRG index
}
