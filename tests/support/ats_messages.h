// Spec-derived encoders and decoders of the ATS/PRI commands, descriptors and queue
// entries, for the driver tests only: written from Arm IHI 0070 (4.5.1 CMD_ATC_INV,
// 4.7.1 CMD_PRI_RESP, 8.1 PRI queue entry), the VT-d specification (6.5.2.5 device-TLB
// invalidate descriptor, 6.5.2.10 page group response descriptor, 7.4.1 page request
// descriptor) and PCIe 10.3.1 (the S-bit size encoding), apart from the drivers and
// the hardware models.
#pragma once

#include <array>
#include <cstdint>

#include "models/iommu/ats.h"

namespace ats_msg {

inline uint64_t field(uint64_t v, unsigned lo, unsigned n) { return (v >> lo) & ((uint64_t(1) << n) - 1); }

// CMD_ATC_INV: opcode 0x40 in 7:0, Global 9, SSV 11, SubstreamID 31:12, StreamID 63:32;
// Size 5:0 and Address 63:12 in the second doubleword.
struct AtcInv {
    unsigned opcode = 0;
    uint32_t sid = 0, ssid = 0;
    bool ssv = false, global = false;
    unsigned size = 0;  // log2 of the 4 KiB pages covered
    uint64_t addr = 0;
};
inline AtcInv atc_inv(uint64_t lo, uint64_t hi) {
    return {unsigned(field(lo, 0, 8)), uint32_t(field(lo, 32, 32)), uint32_t(field(lo, 12, 20)),
            bool(field(lo, 11, 1)), bool(field(lo, 9, 1)), unsigned(field(hi, 0, 6)), hi & ~uint64_t(0xfff)};
}

// CMD_PRI_RESP: opcode 0x41, SSV 11, SubstreamID 31:12, StreamID 63:32; PRGIndex 8:0 and
// Resp 13:12 (0 Deny, 1 Fail, 2 Success) in the second doubleword.
struct PriResp {
    unsigned opcode = 0;
    uint32_t sid = 0, ssid = 0;
    bool ssv = false;
    unsigned grpid = 0, resp = 0;
};
inline PriResp pri_resp(uint64_t lo, uint64_t hi) {
    return {unsigned(field(lo, 0, 8)), uint32_t(field(lo, 32, 32)), uint32_t(field(lo, 12, 20)),
            bool(field(lo, 11, 1)), unsigned(field(hi, 0, 9)), unsigned(field(hi, 12, 2))};
}

// A PRI queue entry: StreamID 31:0, SubstreamID 51:32, Priv 58, Exec 59, Read 60,
// Write 61, Last 62, SSV 63; PRGIndex 8:0 and the page address 63:12 in the second.
inline std::array<uint64_t, 2> priq_entry(const iommu::PageRequest& r) {
    const uint64_t dw0 = uint64_t(r.sid) | uint64_t(r.pasid & 0xfffff) << 32 | uint64_t(r.priv) << 58 |
                         uint64_t(r.exec) << 59 | uint64_t(r.read) << 60 | uint64_t(r.write) << 61 |
                         uint64_t(r.last) << 62 | uint64_t(r.pasid_valid) << 63;
    return {dw0, (r.addr & ~uint64_t(0xfff)) | (r.prg_index & 0x1ff)};
}

// PCIe's S-bit encoding: S=0 one 4 KiB page; S=1 2^(k+1) bytes where k (>= 12) is the
// lowest clear address bit. An address with every bit from 12 to 62 set is the whole
// 64-bit space (size 0 here).
struct Range {
    uint64_t base = 0, size = 0;
};
inline Range s_range(uint64_t addr, bool s) {
    addr &= ~uint64_t(0xfff);
    if (!s) return {addr, 4096};
    unsigned k = 12;
    while (k < 63 && ((addr >> k) & 1)) ++k;
    if (k == 63) return {0, 0};
    const uint64_t size = uint64_t(1) << (k + 1);
    return {addr & ~(size - 1), size};
}

// Device-TLB invalidate descriptor: type 3 in 3:0, PFSID 3:0 in 15:12, MIP 20:16, SID
// 47:32, PFSID 15:4 in 63:52; S 0 and ADDR 63:12 in the upper qword.
struct DevTlbInv {
    unsigned type = 0, mip = 0;
    uint16_t sid = 0, pfsid = 0;
    bool s = false;
    Range range;
};
inline DevTlbInv dev_tlb_inv(uint64_t lo, uint64_t hi) {
    return {unsigned(field(lo, 0, 4)), unsigned(field(lo, 16, 5)), uint16_t(field(lo, 32, 16)),
            uint16_t(field(lo, 12, 4) | field(lo, 52, 12) << 4), bool(hi & 1), s_range(hi, hi & 1)};
}

// Page group response descriptor: type 9 in 3:0, PASID present 4, response code 15:12,
// requester ID 31:16, PASID 51:32; PRG index 11:3 in the upper qword.
struct PageGroupResp {
    unsigned type = 0, code = 0;
    bool pasid_present = false;
    uint16_t rid = 0;
    uint32_t pasid = 0;
    unsigned prg_index = 0;
};
inline PageGroupResp page_group_resp(uint64_t lo, uint64_t hi) {
    return {unsigned(field(lo, 0, 4)), unsigned(field(lo, 12, 4)), bool(field(lo, 4, 1)),
            uint16_t(field(lo, 16, 16)), uint32_t(field(lo, 32, 20)), unsigned(field(hi, 3, 9))};
}

// Page request descriptor (32 bytes): type 1 in 7:0, PASID present 8, RID 31:16, PASID
// 51:32, execute 52, privileged 53; read 0, write 1, LPIG 2, PRG index 11:3, address
// 63:12 in the second qword.
inline std::array<uint64_t, 4> page_request_desc(const iommu::PageRequest& r) {
    const uint64_t q0 = 1 | uint64_t(r.pasid_valid) << 8 | uint64_t(r.sid) << 16 | uint64_t(r.pasid & 0xfffff) << 32 |
                        uint64_t(r.exec) << 52 | uint64_t(r.priv) << 53;
    const uint64_t q1 = uint64_t(r.read) | uint64_t(r.write) << 1 | uint64_t(r.last) << 2 |
                        uint64_t(r.prg_index & 0x1ff) << 3 | (r.addr & ~uint64_t(0xfff));
    return {q0, q1, 0, 0};
}

}  // namespace ats_msg
