#include "models/smmuv3/event.h"

#include "models/smmuv3/bits.h"

namespace smmuv3 {

EventLayout event_layout(uint8_t id) {
    switch (id) {
        case event::C_BAD_STREAMID:
        case event::C_BAD_STE:
        case event::C_BAD_SUBSTREAMID:
        case event::C_BAD_CD:
        case event::F_STREAM_DISABLED:
        case event::F_CFG_CONFLICT:
            return EventLayout::Config;
        case event::F_STE_FETCH:
        case event::F_CD_FETCH:
        case event::F_VMS_FETCH:
            return EventLayout::Fetch;
        case event::F_UUT:
        case event::F_BAD_ATS_TREQ:
        case event::F_TRANSL_FORBIDDEN:
        case event::E_PAGE_REQUEST:
            return EventLayout::Access;
        case event::F_TRANSLATION:
        case event::F_ADDR_SIZE:
        case event::F_ACCESS:
        case event::F_PERMISSION:
        case event::F_TLB_CONFLICT:
            return EventLayout::Translation;
        case event::F_WALK_EABT:
            return EventLayout::WalkAbort;
        default:
            return EventLayout::Unknown;
    }
}

// §7.3: dword 0 is common; dword 1 carries the access (PnU 33, InD 34, RnW 35) and, for
// translation faults, STAG 15:0, Stall 31, NSIPA 38, S2 39, CLASS 41:40, TTRnW 44;
// dword 2 the input address; dword 3 the IPA (51:12) or the fetch address (51:3).
std::array<uint64_t, 4> encode_event(const Event& e) {
    std::array<uint64_t, 4> r{};
    r[0] = place(e.id, 7, 0) | place(e.ssv, 11, 11) | place(e.ssv ? e.ssid : 0, 31, 12) | place(e.sid, 63, 32);
    const EventLayout layout = event_layout(e.id);
    const uint64_t access = place(e.pnu, 33, 33) | place(e.ind, 34, 34) | place(e.rnw, 35, 35);
    const uint64_t walk = place(e.stall ? e.stag : 0, 15, 0) | place(e.stall, 31, 31) | access | place(e.nsipa, 38, 38) |
                          place(e.s2, 39, 39) | place(e.cls, 41, 40) | place(e.ttrnw, 44, 44);
    switch (layout) {
        case EventLayout::Config:
        case EventLayout::Unknown:
            break;
        case EventLayout::Fetch:
            r[3] = place(e.fetch_addr >> 3, 51, 3);
            break;
        case EventLayout::Access:
            r[1] = access;
            r[2] = e.input_addr;
            break;
        case EventLayout::Translation:
            r[1] = walk;
            r[2] = e.input_addr;
            r[3] = place(e.ipa >> 12, 51, 12);
            break;
        case EventLayout::WalkAbort:
            r[1] = walk;
            r[2] = e.input_addr;
            r[3] = place(e.fetch_addr >> 3, 51, 3);
            break;
    }
    return r;
}

const char* event_name(uint8_t id) {
    switch (id) {
        case event::F_UUT: return "F_UUT";
        case event::C_BAD_STREAMID: return "C_BAD_STREAMID";
        case event::F_STE_FETCH: return "F_STE_FETCH";
        case event::C_BAD_STE: return "C_BAD_STE";
        case event::F_BAD_ATS_TREQ: return "F_BAD_ATS_TREQ";
        case event::F_STREAM_DISABLED: return "F_STREAM_DISABLED";
        case event::F_TRANSL_FORBIDDEN: return "F_TRANSL_FORBIDDEN";
        case event::C_BAD_SUBSTREAMID: return "C_BAD_SUBSTREAMID";
        case event::F_CD_FETCH: return "F_CD_FETCH";
        case event::C_BAD_CD: return "C_BAD_CD";
        case event::F_WALK_EABT: return "F_WALK_EABT";
        case event::F_TRANSLATION: return "F_TRANSLATION";
        case event::F_ADDR_SIZE: return "F_ADDR_SIZE";
        case event::F_ACCESS: return "F_ACCESS";
        case event::F_PERMISSION: return "F_PERMISSION";
        case event::F_TLB_CONFLICT: return "F_TLB_CONFLICT";
        case event::F_CFG_CONFLICT: return "F_CFG_CONFLICT";
        case event::E_PAGE_REQUEST: return "E_PAGE_REQUEST";
        case event::F_VMS_FETCH: return "F_VMS_FETCH";
        default: return "UNKNOWN";
    }
}

}  // namespace smmuv3
