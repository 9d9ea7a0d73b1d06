// Event log entries (§2.5 "Event Logging", §2.5.2-2.5.10 the event formats; Linux
// EVENT_TYPE_* / EVENT_FLAG_*): 16 bytes, the event code in bits 63:60. Common layout:
//   bits 15:0    DeviceID                  (all but ILLEGAL_COMMAND / COMMAND_HARDWARE)
//   bits 19:16   PASID[19:16]              (with GN=1)
//   bits 47:32   DomainID, or PASID[15:0] with GN=1 (ILLEGAL_DEV_TABLE_ENTRY and
//                INVALID_DEVICE_REQUEST: PASID[15:0])
//   bits 56:48   flags GN 48, NX 49, US 50, I 51, PR 52, RW 53, PE 54, RZ 55, TR 56
//                (INVALID_DEVICE_REQUEST has US at 49)
//   bits 59:57   Type (hardware errors: 58:57 master abort 1 / target abort 2 / data
//                error 3; INVALID_DEVICE_REQUEST: 59:57)
//   bits 127:64  the address: the request's (1, 2, 8), the DTE's (3), the table
//                entry's (4), the command's (5, 6, 7).
#pragma once

#include <array>
#include <cstdint>

namespace amdvi {

namespace event {
constexpr uint8_t ILLEGAL_DEV_TABLE_ENTRY = 0x1;
constexpr uint8_t IO_PAGE_FAULT = 0x2;
constexpr uint8_t DEV_TAB_HARDWARE_ERROR = 0x3;
constexpr uint8_t PAGE_TAB_HARDWARE_ERROR = 0x4;
constexpr uint8_t ILLEGAL_COMMAND_ERROR = 0x5;
constexpr uint8_t COMMAND_HARDWARE_ERROR = 0x6;
constexpr uint8_t IOTLB_INV_TIMEOUT = 0x7;
constexpr uint8_t INVALID_DEVICE_REQUEST = 0x8;
}  // namespace event

// Hardware error Type (58:57).
namespace hw_error {
constexpr unsigned MASTER_ABORT = 1, TARGET_ABORT = 2, DATA_ERROR = 3;
}

// INVALID_DEVICE_REQUEST Type (59:57), as VirtualBox's DevIommuAmd reads §2.5.10:
// with TR=0, 1 a translated (pretranslated) request the DTE does not allow; with
// TR=1, 1 a Translation Request while the device's IOTLB is disabled. Type 0 with TR=0
// is what the model reports for a request it does not translate (a PASID on GV=1).
namespace invalid_request {
constexpr unsigned UNSUPPORTED = 0, TRANSLATED_NOT_ALLOWED = 1, TRANSLATION_DISABLED = 1;
}

struct Event {
    uint8_t code = 0;
    uint16_t device_id = 0;
    uint32_t pasid = 0;
    uint16_t domain_id = 0;
    bool gn = false, nx = false, us = false, i = false, pr = false, rw = false, pe = false, rz = false, tr = false;
    unsigned type = 0;
    uint64_t address = 0;
};

// The two little-endian qwords of the record.
std::array<uint64_t, 2> encode_event(const Event& e);

// "IO_PAGE_FAULT", or "UNKNOWN".
const char* event_name(uint32_t code);

}  // namespace amdvi
