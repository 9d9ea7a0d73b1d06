#include "models/smmuv3/command.h"

#include <cstdio>

#include "models/smmuv3/bits.h"

namespace smmuv3 {
namespace {

constexpr uint64_t mask(unsigned hi, unsigned lo) {
    return ((hi >= 63) ? ~uint64_t(0) : ((uint64_t(1) << (hi + 1)) - 1)) & ~((uint64_t(1) << lo) - 1);
}

// The bits each command defines (chapter 4, one figure per command); everything else
// is Reserved (RES0). Dword 0 always has the opcode.
constexpr uint64_t OP = mask(7, 0), SSV = mask(11, 11), SSID = mask(31, 12), SID = mask(63, 32);
constexpr uint64_t VMID = mask(47, 32), ASID = mask(63, 48), NUM = mask(16, 12), SCALE = mask(24, 20);
constexpr uint64_t LEAF = mask(0, 0), TTL = mask(9, 8), TG = mask(11, 10), VA = mask(63, 12), IPA = mask(51, 12);

struct Layout {
    uint64_t lo, hi;
};

std::optional<Layout> layout(uint8_t opcode) {
    switch (Opcode(opcode)) {
        case Opcode::PREFETCH_CONFIG: return Layout{OP | SSV | SSID | SID, 0};
        case Opcode::PREFETCH_ADDR: return Layout{OP | SSV | SSID | SID, mask(4, 0) | mask(9, 5) | VA};
        case Opcode::CFGI_STE: return Layout{OP | SID, LEAF};
        case Opcode::CFGI_STE_RANGE: return Layout{OP | SID, mask(4, 0)};
        case Opcode::CFGI_CD: return Layout{OP | SSID | SID, LEAF};
        case Opcode::CFGI_CD_ALL: return Layout{OP | SID, 0};
        case Opcode::TLBI_NH_ALL: return Layout{OP | VMID, 0};
        case Opcode::TLBI_NH_ASID: return Layout{OP | VMID | ASID, 0};
        case Opcode::TLBI_NH_VA: return Layout{OP | NUM | SCALE | VMID | ASID, LEAF | TTL | TG | VA};
        case Opcode::TLBI_NH_VAA: return Layout{OP | NUM | SCALE | VMID, LEAF | TTL | TG | VA};
        case Opcode::TLBI_EL2_ALL: return Layout{OP, 0};
        case Opcode::TLBI_EL2_ASID: return Layout{OP | ASID, 0};
        case Opcode::TLBI_EL2_VA: return Layout{OP | NUM | SCALE | ASID, LEAF | TTL | TG | VA};
        case Opcode::TLBI_EL2_VAA: return Layout{OP | NUM | SCALE, LEAF | TTL | TG | VA};
        case Opcode::TLBI_S12_VMALL: return Layout{OP | VMID, 0};
        case Opcode::TLBI_S2_IPA: return Layout{OP | NUM | SCALE | VMID, LEAF | TTL | TG | IPA};
        case Opcode::TLBI_NSNH_ALL: return Layout{OP, 0};
        case Opcode::ATC_INV: return Layout{OP | mask(9, 9) | SSV | SSID | SID, mask(5, 0) | VA};
        case Opcode::PRI_RESP: return Layout{OP | SSV | SSID | SID, mask(8, 0) | mask(13, 12)};
        case Opcode::RESUME: return Layout{OP | mask(13, 12) | SID, mask(15, 0)};
        case Opcode::STALL_TERM: return Layout{OP | SID, 0};
        case Opcode::SYNC: return Layout{OP | mask(13, 12) | mask(23, 22) | mask(27, 24) | mask(63, 32), mask(51, 2)};
    }
    return std::nullopt;  // reserved, Secure-only (TLBI_EL3_*, TLBI_S_*) or not modelled (v3.3+ CFGI_VMS_PIDM...)
}

}  // namespace

std::optional<Command> decode_command(uint64_t lo, uint64_t hi) {
    const uint8_t opcode = uint8_t(lo & 0xff);
    const auto fields = layout(opcode);
    if (!fields) return std::nullopt;
    // A Reserved bit set: the model takes the CERROR_ILL the spec permits for it.
    if ((lo & ~fields->lo) || (hi & ~fields->hi)) return std::nullopt;
    Command c;
    c.op = Opcode(opcode);
    const uint64_t l = lo & fields->lo, h = hi & fields->hi;  // fields this command has
    c.ssv = bits(l, 11, 11);
    switch (c.op) {
        case Opcode::TLBI_NH_ALL: case Opcode::TLBI_NH_ASID: case Opcode::TLBI_NH_VA: case Opcode::TLBI_NH_VAA:
        case Opcode::TLBI_EL2_ALL: case Opcode::TLBI_EL2_ASID: case Opcode::TLBI_EL2_VA: case Opcode::TLBI_EL2_VAA:
        case Opcode::TLBI_S12_VMALL: case Opcode::TLBI_S2_IPA: case Opcode::TLBI_NSNH_ALL:
            c.num = unsigned(bits(l, 16, 12));
            c.scale = unsigned(bits(l, 24, 20));
            c.vmid = uint16_t(bits(l, 47, 32));
            c.asid = uint16_t(bits(l, 63, 48));
            c.leaf = bits(h, 0, 0);
            c.ttl = unsigned(bits(h, 9, 8));
            c.tg = unsigned(bits(h, 11, 10));
            c.addr = h & VA;
            break;
        case Opcode::SYNC:
            c.cs = unsigned(bits(l, 13, 12));
            c.msh = unsigned(bits(l, 23, 22));
            c.msiattr = unsigned(bits(l, 27, 24));
            c.msidata = uint32_t(bits(l, 63, 32));
            c.msiaddr = h & mask(51, 2);
            if (c.cs == 3) return std::nullopt;  // CS 0b11 is reserved
            break;
        case Opcode::RESUME:
            c.ac = bits(l, 12, 12);
            c.ab = bits(l, 13, 13);
            c.sid = uint32_t(bits(l, 63, 32));
            c.stag = uint16_t(bits(h, 15, 0));
            break;
        default:
            c.ssid = uint32_t(bits(l, 31, 12));
            c.sid = uint32_t(bits(l, 63, 32));
            c.global = bits(l, 9, 9);
            c.leaf = bits(h, 0, 0);
            c.range = c.op == Opcode::CFGI_STE_RANGE ? unsigned(bits(h, 4, 0)) : 0;
            if (c.op == Opcode::ATC_INV) c.size = unsigned(bits(h, 5, 0));
            if (c.op == Opcode::PREFETCH_ADDR) {
                c.size = unsigned(bits(h, 4, 0));
                c.stride = unsigned(bits(h, 9, 5));
            }
            if (c.op == Opcode::ATC_INV || c.op == Opcode::PREFETCH_ADDR) c.addr = h & VA;
            if (c.op == Opcode::PRI_RESP) {
                c.prg_index = unsigned(bits(h, 8, 0));
                c.resp = unsigned(bits(h, 13, 12));
                if (c.resp == 3) return std::nullopt;  // Resp 0b11 is reserved
            }
            break;
    }
    return c;
}

const char* opcode_name(uint8_t opcode) {
    switch (opcode) {
        case 0x01: return "CMD_PREFETCH_CONFIG";
        case 0x02: return "CMD_PREFETCH_ADDR";
        case 0x03: return "CMD_CFGI_STE";
        case 0x04: return "CMD_CFGI_STE_RANGE";
        case 0x05: return "CMD_CFGI_CD";
        case 0x06: return "CMD_CFGI_CD_ALL";
        case 0x10: return "CMD_TLBI_NH_ALL";
        case 0x11: return "CMD_TLBI_NH_ASID";
        case 0x12: return "CMD_TLBI_NH_VA";
        case 0x13: return "CMD_TLBI_NH_VAA";
        case 0x20: return "CMD_TLBI_EL2_ALL";
        case 0x21: return "CMD_TLBI_EL2_ASID";
        case 0x22: return "CMD_TLBI_EL2_VA";
        case 0x23: return "CMD_TLBI_EL2_VAA";
        case 0x28: return "CMD_TLBI_S12_VMALL";
        case 0x2a: return "CMD_TLBI_S2_IPA";
        case 0x30: return "CMD_TLBI_NSNH_ALL";
        case 0x40: return "CMD_ATC_INV";
        case 0x41: return "CMD_PRI_RESP";
        case 0x44: return "CMD_RESUME";
        case 0x45: return "CMD_STALL_TERM";
        case 0x46: return "CMD_SYNC";
        default: return nullptr;
    }
}

const char* command_name(const Command& cmd) {
    return cmd.cfgi_all() ? "CMD_CFGI_ALL" : opcode_name(uint8_t(cmd.op));
}

std::string describe(const Command& c) {
    char buf[256];
    std::string s = std::string("\"cmd\":\"") + command_name(c) + "\"";
    auto add = [&](const char* fmt, auto... v) {
        std::snprintf(buf, sizeof buf, fmt, v...);
        s += buf;
    };
    switch (c.op) {
        case Opcode::CFGI_STE: add(",\"sid\":%u,\"leaf\":%d", c.sid, int(c.leaf)); break;
        case Opcode::CFGI_STE_RANGE: add(",\"sid\":%u,\"range\":%u", c.sid, c.range); break;
        case Opcode::CFGI_CD: add(",\"sid\":%u,\"ssid\":%u,\"leaf\":%d", c.sid, c.ssid, int(c.leaf)); break;
        case Opcode::CFGI_CD_ALL: case Opcode::STALL_TERM: add(",\"sid\":%u", c.sid); break;
        case Opcode::TLBI_NH_ALL: case Opcode::TLBI_S12_VMALL: add(",\"vmid\":%u", unsigned(c.vmid)); break;
        case Opcode::TLBI_NH_ASID: add(",\"vmid\":%u,\"asid\":%u", unsigned(c.vmid), unsigned(c.asid)); break;
        case Opcode::TLBI_EL2_ASID: add(",\"asid\":%u", unsigned(c.asid)); break;
        case Opcode::TLBI_NH_VA: case Opcode::TLBI_NH_VAA: case Opcode::TLBI_EL2_VA: case Opcode::TLBI_EL2_VAA:
        case Opcode::TLBI_S2_IPA:
            add(",\"vmid\":%u,\"asid\":%u,\"addr\":\"0x%llx\",\"leaf\":%d,\"tg\":%u,\"ttl\":%u,\"num\":%u,\"scale\":%u",
                unsigned(c.vmid), unsigned(c.asid), (unsigned long long)c.addr, int(c.leaf), c.tg, c.ttl, c.num,
                c.scale);
            break;
        case Opcode::ATC_INV:
            add(",\"sid\":%u,\"ssv\":%d,\"ssid\":%u,\"global\":%d,\"addr\":\"0x%llx\",\"size\":%u", c.sid, int(c.ssv),
                c.ssid, int(c.global), (unsigned long long)c.addr, c.size);
            break;
        case Opcode::PRI_RESP:
            add(",\"sid\":%u,\"ssv\":%d,\"ssid\":%u,\"prg_index\":%u,\"resp\":%u", c.sid, int(c.ssv), c.ssid,
                c.prg_index, c.resp);
            break;
        case Opcode::RESUME: add(",\"sid\":%u,\"stag\":%u,\"ac\":%d,\"ab\":%d", c.sid, unsigned(c.stag), int(c.ac), int(c.ab)); break;
        case Opcode::SYNC:
            add(",\"cs\":%u,\"msh\":%u,\"msiattr\":%u,\"msidata\":%u,\"msiaddr\":\"0x%llx\"", c.cs, c.msh, c.msiattr,
                c.msidata, (unsigned long long)c.msiaddr);
            break;
        case Opcode::PREFETCH_CONFIG: add(",\"sid\":%u,\"ssv\":%d,\"ssid\":%u", c.sid, int(c.ssv), c.ssid); break;
        case Opcode::PREFETCH_ADDR:
            add(",\"sid\":%u,\"ssv\":%d,\"ssid\":%u,\"addr\":\"0x%llx\",\"size\":%u,\"stride\":%u", c.sid, int(c.ssv),
                c.ssid, (unsigned long long)c.addr, c.size, c.stride);
            break;
        case Opcode::TLBI_EL2_ALL: case Opcode::TLBI_NSNH_ALL: break;
    }
    return s;
}

}  // namespace smmuv3
