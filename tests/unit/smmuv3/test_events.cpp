// SMMUv3 event records (IHI 0070 §7.3) and PRI queue entries (chapter 8): the
// encoders' doublewords, read back here by hand from the record layouts.
#include <catch2/catch.hpp>

#include <string>

#include "models/smmuv3/event.h"
#include "models/smmuv3/page_request.h"

using namespace smmuv3;

namespace {
uint64_t field(uint64_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((uint64_t(1) << (hi - lo + 1)) - 1); }
}  // namespace

TEST_CASE("smmuv3: Event IDs and names are the architectural ones", "[smmuv3][event]") {
    const std::pair<uint8_t, const char*> ids[] = {
        {0x01, "F_UUT"},          {0x02, "C_BAD_STREAMID"},     {0x03, "F_STE_FETCH"},
        {0x04, "C_BAD_STE"},      {0x05, "F_BAD_ATS_TREQ"},     {0x06, "F_STREAM_DISABLED"},
        {0x07, "F_TRANSL_FORBIDDEN"}, {0x08, "C_BAD_SUBSTREAMID"}, {0x09, "F_CD_FETCH"},
        {0x0a, "C_BAD_CD"},       {0x0b, "F_WALK_EABT"},        {0x10, "F_TRANSLATION"},
        {0x11, "F_ADDR_SIZE"},    {0x12, "F_ACCESS"},           {0x13, "F_PERMISSION"},
        {0x20, "F_TLB_CONFLICT"}, {0x21, "F_CFG_CONFLICT"},     {0x24, "E_PAGE_REQUEST"},
    };
    for (const auto& [id, name] : ids) {
        CAPTURE(int(id));
        CHECK(std::string(event_name(id)) == name);
        CHECK(event_layout(id) != EventLayout::Unknown);
    }
    CHECK(event::F_TRANSLATION == 0x10);
    CHECK(event::C_BAD_STE == 0x04);
    CHECK(std::string(event_name(0x0c)) == "UNKNOWN");
    CHECK(event_layout(0x0c) == EventLayout::Unknown);
}

TEST_CASE("smmuv3: Every record starts with ID, SSV, SubstreamID and StreamID", "[smmuv3][event]") {
    Event e;
    e.id = event::C_BAD_CD;
    e.ssv = true;
    e.ssid = 0xfffff;
    e.sid = 0xdeadbeef;
    e.input_addr = 0x1234;  // not part of C_BAD_CD: not written
    const auto r = encode_event(e);
    CHECK(field(r[0], 7, 0) == 0x0a);
    CHECK(field(r[0], 11, 11) == 1);
    CHECK(field(r[0], 31, 12) == 0xfffff);
    CHECK(field(r[0], 63, 32) == 0xdeadbeef);
    CHECK(r[1] == 0);
    CHECK(r[2] == 0);
    CHECK(r[3] == 0);
    // Without SSV the SubstreamID field is zero.
    e.ssv = false;
    CHECK(field(encode_event(e)[0], 31, 12) == 0);
}

TEST_CASE("smmuv3: Translation faults carry the access, stage, class, input address and IPA", "[smmuv3][event]") {
    for (uint8_t id : {event::F_TRANSLATION, event::F_ADDR_SIZE, event::F_ACCESS, event::F_PERMISSION}) {
        CAPTURE(int(id));
        Event e;
        e.id = id;
        e.sid = 5;
        e.rnw = false;  // a write
        e.pnu = true;
        e.ind = true;
        e.s2 = true;
        e.nsipa = true;
        e.cls = event_class::TT;
        e.ttrnw = true;
        e.input_addr = 0xffff00001234abcdull;
        e.ipa = 0x000fedcba9876fffull;
        const auto r = encode_event(e);
        CHECK(field(r[0], 7, 0) == id);
        CHECK(field(r[1], 35, 35) == 0);  // RnW
        CHECK(field(r[1], 33, 33) == 1);  // PnU
        CHECK(field(r[1], 34, 34) == 1);  // InD
        CHECK(field(r[1], 38, 38) == 1);  // NSIPA
        CHECK(field(r[1], 39, 39) == 1);  // S2
        CHECK(field(r[1], 41, 40) == 1);  // CLASS TT
        CHECK(field(r[1], 44, 44) == 1);  // TTRnW
        CHECK(field(r[1], 31, 31) == 0);  // Stall
        CHECK(r[2] == 0xffff00001234abcdull);
        CHECK(r[3] == 0x000fedcba9876000ull);  // IPA 51:12
    }
    Event stalled;
    stalled.id = event::F_PERMISSION;
    stalled.stall = true;
    stalled.stag = 0x4321;
    stalled.rnw = true;
    const auto r = encode_event(stalled);
    CHECK(field(r[1], 31, 31) == 1);
    CHECK(field(r[1], 15, 0) == 0x4321);
    CHECK(field(r[1], 35, 35) == 1);
}

TEST_CASE("smmuv3: Fetch faults carry the fetch address, access faults the input address", "[smmuv3][event]") {
    for (uint8_t id : {event::F_STE_FETCH, event::F_CD_FETCH}) {
        Event e;
        e.id = id;
        e.fetch_addr = 0x000f0000deadbee8ull;
        e.input_addr = 0x1000;
        const auto r = encode_event(e);
        CHECK(r[3] == 0x000f0000deadbee8ull);  // FetchAddr 51:3
        CHECK(r[2] == 0);
        CHECK(r[1] == 0);
    }
    Event walk;
    walk.id = event::F_WALK_EABT;
    walk.fetch_addr = 0x80000ff8;
    walk.input_addr = 0x4000;
    walk.s2 = true;
    walk.cls = event_class::CD;
    auto r = encode_event(walk);
    CHECK(r[2] == 0x4000);
    CHECK(r[3] == 0x80000ff8);
    CHECK(field(r[1], 39, 39) == 1);
    CHECK(field(r[1], 41, 40) == 0);

    for (uint8_t id : {event::F_UUT, event::F_TRANSL_FORBIDDEN, event::F_BAD_ATS_TREQ}) {
        Event e;
        e.id = id;
        e.rnw = true;
        e.input_addr = 0x9000;
        e.s2 = true;  // not in these layouts
        r = encode_event(e);
        CHECK(field(r[1], 35, 35) == 1);
        CHECK(field(r[1], 39, 39) == 0);
        CHECK(r[2] == 0x9000);
        CHECK(r[3] == 0);
    }
}

TEST_CASE("smmuv3: PRI queue entries carry StreamID, PASID, permissions, group and page", "[smmuv3][priq]") {
    PageRequest p;
    p.sid = 0x00c0ffee;
    p.ssv = true;
    p.ssid = 0xfffff;
    p.write = true;
    p.last = true;
    p.prg_index = 0x1a5;
    p.addr = 0xffff000012345fffull;
    const auto r = encode_page_request(p);
    CHECK(field(r[0], 31, 0) == 0x00c0ffee);
    CHECK(field(r[0], 51, 32) == 0xfffff);
    CHECK(field(r[0], 58, 58) == 0);  // priv
    CHECK(field(r[0], 59, 59) == 0);  // exec
    CHECK(field(r[0], 60, 60) == 0);  // read
    CHECK(field(r[0], 61, 61) == 1);  // write
    CHECK(field(r[0], 62, 62) == 1);  // last
    CHECK(field(r[0], 63, 63) == 1);  // SSID valid
    CHECK(field(r[1], 8, 0) == 0x1a5);
    CHECK(field(r[1], 63, 12) == 0xffff000012345ull);
    p.ssv = false;
    p.write = false;
    p.read = p.priv = p.exec = true;
    const auto q = encode_page_request(p);
    CHECK(field(q[0], 51, 32) == 0);
    CHECK(field(q[0], 58, 58) == 1);
    CHECK(field(q[0], 59, 59) == 1);
    CHECK(field(q[0], 60, 60) == 1);
    CHECK(field(q[0], 61, 61) == 0);
    CHECK(field(q[0], 63, 63) == 0);
}
