// Commands (IHI 0070 chapter 4 "Commands"): 16 bytes, two little-endian doublewords,
// the opcode in bits 7:0. decode_command turns one into a struct, or nullopt for a
// command the SMMU rejects with CERROR_ILL (§4.1.1 opcode table; §7.1 "Command queue
// errors"): an opcode that is reserved or not for the Non-secure queue, a reserved
// encoding of a field, or a non-zero bit outside the command's fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace smmuv3 {

enum class Opcode : uint8_t {
    PREFETCH_CONFIG = 0x01,
    PREFETCH_ADDR = 0x02,
    CFGI_STE = 0x03,
    CFGI_STE_RANGE = 0x04,  // CFGI_ALL is CFGI_STE_RANGE with Range == 31
    CFGI_CD = 0x05,
    CFGI_CD_ALL = 0x06,
    TLBI_NH_ALL = 0x10,
    TLBI_NH_ASID = 0x11,
    TLBI_NH_VA = 0x12,
    TLBI_NH_VAA = 0x13,
    TLBI_EL2_ALL = 0x20,
    TLBI_EL2_ASID = 0x21,
    TLBI_EL2_VA = 0x22,
    TLBI_EL2_VAA = 0x23,
    TLBI_S12_VMALL = 0x28,
    TLBI_S2_IPA = 0x2a,
    TLBI_NSNH_ALL = 0x30,
    ATC_INV = 0x40,
    PRI_RESP = 0x41,
    RESUME = 0x44,
    STALL_TERM = 0x45,
    SYNC = 0x46,
};

// CMD_SYNC.CS (chapter 4, CMD_SYNC): completion signal.
namespace sync_cs {
constexpr unsigned NONE = 0, IRQ = 1, SEV = 2;  // 3 reserved: CERROR_ILL
}
// CMD_PRI_RESP.Resp (§4.5.2): the PCIe PRG response code.
namespace pri_resp {
constexpr unsigned RESPONSE_FAILURE = 0, INVALID_REQUEST = 1, SUCCESS = 2;  // 3 reserved: CERROR_ILL
}

struct Command {
    Opcode op = Opcode::SYNC;
    bool ssv = false;         // dword 0, 11
    uint32_t ssid = 0;        // 31:12
    uint32_t sid = 0;         // 63:32
    // CFGI
    bool leaf = false;        // dword 1, 0 (CFGI_STE, CFGI_CD, TLBI VA/IPA)
    unsigned range = 0;       // dword 1, 4:0: 2^(Range+1) StreamIDs from SID aligned down
    // TLBI
    uint16_t vmid = 0;        // 47:32
    uint16_t asid = 0;        // 63:48
    unsigned num = 0;         // 16:12: range invalidation, (NUM + 1) * 2^SCALE granules
    unsigned scale = 0;       // 24:20
    unsigned tg = 0;          // dword 1, 11:10: 0 not a range, 1 4K, 2 16K, 3 64K
    unsigned ttl = 0;         // dword 1, 9:8: level hint
    uint64_t addr = 0;        // dword 1, 63:12 (VA) or 51:12 (IPA); ATC_INV and PREFETCH_ADDR 63:12
    // ATC_INV, PREFETCH_ADDR
    bool global = false;      // ATC_INV dword 0, 9
    unsigned size = 0;        // ATC_INV dword 1, 5:0 (2^Size pages); PREFETCH_ADDR 4:0
    unsigned stride = 0;      // PREFETCH_ADDR dword 1, 9:5
    // PRI_RESP
    unsigned prg_index = 0;   // dword 1, 8:0
    unsigned resp = 0;        // dword 1, 13:12
    // RESUME
    bool ac = false;          // dword 0, 12: retry (1) or terminate (0)
    bool ab = false;          // dword 0, 13: terminate with abort (1) or RAZ/WI (0)
    uint16_t stag = 0;        // dword 1, 15:0
    // SYNC
    unsigned cs = 0;          // 13:12
    unsigned msh = 0;         // 23:22
    unsigned msiattr = 0;     // 27:24
    uint32_t msidata = 0;     // 63:32
    uint64_t msiaddr = 0;     // dword 1, 51:2

    bool cfgi_all() const { return op == Opcode::CFGI_STE_RANGE && range == 31; }
    // TLBI by address: the last input address covered from addr. One address, or with
    // TG != 0 (IDR3.RIL, §4.4.1 range invalidation) (NUM + 1) * 2^SCALE granules.
    uint64_t tlbi_last() const {
        if (!tg) return addr;
        const unsigned grain = tg == 1 ? 12 : tg == 2 ? 14 : 16;
        return addr + ((uint64_t(num) + 1) << (scale + grain)) - 1;
    }
};

std::optional<Command> decode_command(uint64_t lo, uint64_t hi);

// "CMD_TLBI_NH_VA" (CMD_CFGI_ALL for a CFGI_STE_RANGE of 31), or nullptr for an opcode
// not in the table.
const char* command_name(const Command& cmd);
const char* opcode_name(uint8_t opcode);
// For a timeline: the command's name and fields as JSON members without braces.
std::string describe(const Command& cmd);

}  // namespace smmuv3
