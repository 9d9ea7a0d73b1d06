#include "models/amdvi/event.h"

namespace amdvi {
namespace {

// Which fields an event code carries.
struct Layout {
    bool device, pasid, flags;
    unsigned type_bits;  // 0, 2 (58:57) or 3 (59:57)
};

Layout layout(uint8_t code) {
    switch (code) {
        case event::ILLEGAL_DEV_TABLE_ENTRY: return {true, true, true, 0};
        case event::IO_PAGE_FAULT: return {true, true, true, 0};
        case event::DEV_TAB_HARDWARE_ERROR: return {true, false, true, 2};
        case event::PAGE_TAB_HARDWARE_ERROR: return {true, true, true, 2};
        case event::COMMAND_HARDWARE_ERROR: return {false, false, false, 2};
        case event::IOTLB_INV_TIMEOUT: return {true, false, false, 0};
        case event::INVALID_DEVICE_REQUEST: return {true, true, true, 3};
        default: return {false, false, false, 0};  // ILLEGAL_COMMAND_ERROR: address only
    }
}

// PASID[19:16] in bits 19:16, PASID[15:0] in bits 47:32.
uint64_t place_pasid(uint32_t p) { return uint64_t((p >> 16) & 0xf) << 16 | uint64_t(p & 0xffff) << 32; }

uint64_t flags(const Event& e) {
    uint64_t f = uint64_t(e.gn) << 48 | uint64_t(e.i) << 51 | uint64_t(e.rw) << 53 | uint64_t(e.tr) << 56;
    if (e.code == event::INVALID_DEVICE_REQUEST) return f | uint64_t(e.us) << 49;
    return f | uint64_t(e.nx) << 49 | uint64_t(e.us) << 50 | uint64_t(e.pr) << 52 | uint64_t(e.pe) << 54 |
           uint64_t(e.rz) << 55;
}

}  // namespace

std::array<uint64_t, 2> encode_event(const Event& e) {
    const Layout l = layout(e.code);
    uint64_t q0 = uint64_t(e.code & 0xf) << 60;
    if (l.device) q0 |= e.device_id;
    if (l.pasid) {
        // ILLEGAL_DEV_TABLE_ENTRY and INVALID_DEVICE_REQUEST name the PASID; the
        // others the DomainID unless the request was a guest (GN) one.
        const bool by_pasid = e.gn || e.code == event::ILLEGAL_DEV_TABLE_ENTRY ||
                              e.code == event::INVALID_DEVICE_REQUEST;
        if (by_pasid) q0 |= place_pasid(e.pasid);
        else q0 |= uint64_t(e.domain_id) << 32;
    }
    if (l.flags) q0 |= flags(e);
    if (l.type_bits == 2) q0 |= uint64_t(e.type & 3) << 57;
    if (l.type_bits == 3) q0 |= uint64_t(e.type & 7) << 57;
    return {q0, e.address};
}

const char* event_name(uint32_t code) {
    switch (code) {
        case event::ILLEGAL_DEV_TABLE_ENTRY: return "ILLEGAL_DEV_TABLE_ENTRY";
        case event::IO_PAGE_FAULT: return "IO_PAGE_FAULT";
        case event::DEV_TAB_HARDWARE_ERROR: return "DEV_TAB_HARDWARE_ERROR";
        case event::PAGE_TAB_HARDWARE_ERROR: return "PAGE_TAB_HARDWARE_ERROR";
        case event::ILLEGAL_COMMAND_ERROR: return "ILLEGAL_COMMAND_ERROR";
        case event::COMMAND_HARDWARE_ERROR: return "COMMAND_HARDWARE_ERROR";
        case event::IOTLB_INV_TIMEOUT: return "IOTLB_INV_TIMEOUT";
        case event::INVALID_DEVICE_REQUEST: return "INVALID_DEVICE_REQUEST";
        default: return "UNKNOWN";
    }
}

}  // namespace amdvi
