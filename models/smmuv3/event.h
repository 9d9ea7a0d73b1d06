// Event records (IHI 0070 §7.3 "Event records"): 32 bytes, four little-endian
// doublewords, written to the event queue. Every record starts with the event ID (7:0),
// SSV (11), SubstreamID (31:12) and StreamID (63:32); the rest depends on the event.
#pragma once

#include <array>
#include <cstdint>

namespace smmuv3 {

// Event IDs (§7.3, Table "Event records"; Linux EVT_ID_*).
namespace event {
constexpr uint8_t F_UUT = 0x01;               // unsupported upstream transaction
constexpr uint8_t C_BAD_STREAMID = 0x02;
constexpr uint8_t F_STE_FETCH = 0x03;
constexpr uint8_t C_BAD_STE = 0x04;
constexpr uint8_t F_BAD_ATS_TREQ = 0x05;
constexpr uint8_t F_STREAM_DISABLED = 0x06;
constexpr uint8_t F_TRANSL_FORBIDDEN = 0x07;
constexpr uint8_t C_BAD_SUBSTREAMID = 0x08;
constexpr uint8_t F_CD_FETCH = 0x09;
constexpr uint8_t C_BAD_CD = 0x0a;
constexpr uint8_t F_WALK_EABT = 0x0b;
constexpr uint8_t F_TRANSLATION = 0x10;
constexpr uint8_t F_ADDR_SIZE = 0x11;
constexpr uint8_t F_ACCESS = 0x12;
constexpr uint8_t F_PERMISSION = 0x13;
constexpr uint8_t F_TLB_CONFLICT = 0x20;
constexpr uint8_t F_CFG_CONFLICT = 0x21;
constexpr uint8_t E_PAGE_REQUEST = 0x24;
constexpr uint8_t F_VMS_FETCH = 0x25;
}  // namespace event

// CLASS (dword 1, 41:40): which access of the translation faulted.
namespace event_class {
constexpr unsigned CD = 0, TT = 1, IN = 2;  // CD fetch, translation table walk, input address
}

// The fields an event can carry; encode_event writes those the event's layout has.
struct Event {
    uint8_t id = 0;
    bool ssv = false;
    uint32_t ssid = 0;        // 20 bits
    uint32_t sid = 0;
    // Doubleword 1 (translation-related events)
    uint16_t stag = 0;        // 15:0, with Stall
    bool stall = false;       // 31
    bool pnu = false;         // 33: privileged
    bool ind = false;         // 34: instruction
    bool rnw = false;         // 35: read
    bool nsipa = false;       // 38
    bool s2 = false;          // 39: the fault is at stage 2
    unsigned cls = 0;         // 41:40
    bool ttrnw = false;       // 44: the walk access that faulted was a read
    uint64_t input_addr = 0;  // dword 2
    uint64_t ipa = 0;         // dword 3, bits 51:12 (stage-2 faults)
    uint64_t fetch_addr = 0;  // dword 3, bits 51:3 (STE, CD or walk fetch faults)
};

// The layout family of an event ID (§7.3): what it carries past dword 0.
enum class EventLayout {
    Config,       // dword 0 only: C_BAD_STREAMID, C_BAD_STE, C_BAD_SUBSTREAMID, C_BAD_CD,
                  // F_STREAM_DISABLED, F_CFG_CONFLICT
    Fetch,        // + fetch address: F_STE_FETCH, F_CD_FETCH, F_VMS_FETCH
    Access,       // + PnU/InD/RnW and input address: F_UUT, F_BAD_ATS_TREQ,
                  //   F_TRANSL_FORBIDDEN, E_PAGE_REQUEST
    Translation,  // + STAG/Stall, PnU/InD/RnW, NSIPA, S2, CLASS, TTRnW, input address,
                  //   IPA: F_TRANSLATION, F_ADDR_SIZE, F_ACCESS, F_PERMISSION,
                  //   F_TLB_CONFLICT
    WalkAbort,    // Translation's dword 1 and input address + fetch address: F_WALK_EABT
    Unknown,
};
EventLayout event_layout(uint8_t id);

std::array<uint64_t, 4> encode_event(const Event& e);

// "F_TRANSLATION", or "UNKNOWN" for an ID the table does not define.
const char* event_name(uint8_t id);

}  // namespace smmuv3
