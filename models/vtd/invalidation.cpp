#include "models/vtd/invalidation.h"

#include <cstdio>

#include "models/vtd/capabilities.h"

namespace vtd {
namespace {
uint64_t f(uint64_t v, unsigned lo, unsigned bits) { return (v >> lo) & ((uint64_t(1) << bits) - 1); }
uint64_t mask(unsigned hi, unsigned lo) { return (~uint64_t(0) >> (63 - hi)) & ~((uint64_t(1) << lo) - 1); }

// Device-TLB invalidate (6.5.2.5; Linux QI_DEV_IOTLB_*): qword 0 PFSID 15:12 and 63:52,
// MIP 20:16, SID 47:32, reserved 8:4, 31:21, 51:48; qword 1 S 0, reserved 11:1, ADDR
// 63:12. PASID-based (6.5.2.6; QI_DEV_EIOTLB_*): MIP 8:4, PFSID as above, SID 31:16,
// PASID 51:32; qword 1 G 0, reserved 10:1, S 11, ADDR 63:12.
bool decode_device_tlb(uint64_t lo, uint64_t hi, Invalidation& inv) {
    inv.pfsid = uint16_t(f(lo, 12, 4) | (f(lo, 52, 12) << 4));
    inv.addr = hi & ~uint64_t(0xfff);
    if (inv.type == InvType::DeviceTlb) {
        inv.mip = unsigned(f(lo, 16, 5));
        inv.sid = uint16_t(f(lo, 32, 16));
        inv.size = hi & 1;
        return !(lo & (mask(8, 4) | mask(31, 21) | mask(51, 48))) && !(hi & mask(11, 1));
    }
    inv.mip = unsigned(f(lo, 4, 5));
    inv.sid = uint16_t(f(lo, 16, 16));
    inv.pasid = uint32_t(f(lo, 32, 20));
    inv.global = hi & 1;
    inv.size = (hi >> 11) & 1;
    return !(hi & mask(10, 1));
}

// Page group response (6.5.2.7; Linux QI_PGRP_*, QEMU VTD_INV_DESC_PGRESP_*): qword 0
// P 4, PDP 5 (private data, not modelled), response code 15:12, RID 31:16, PASID
// 51:32, reserved 8:6, 63:52; qword 1 PRGI 11:3, reserved 1:0, 63:12 (bit 2, LPIG in
// older specifications, is ignored).
bool decode_page_group_response(uint64_t lo, uint64_t hi, Invalidation& inv) {
    inv.pasid_present = (lo >> 4) & 1;
    inv.response_code = unsigned(f(lo, 12, 4));
    inv.sid = uint16_t(f(lo, 16, 16));
    inv.pasid = uint32_t(f(lo, 32, 20));
    inv.prg_index = uint16_t(f(hi, 3, 9));
    return !(lo & (mask(8, 6) | mask(63, 52))) && !(hi & (mask(1, 0) | mask(63, 12)));
}

}  // namespace

// Field positions: spec 6.5.2.1-6.5.2.9 (Linux QI_* macros, QEMU VTD_INV_DESC_*).
std::optional<Invalidation> decode_descriptor(uint64_t lo, uint64_t hi, const Capabilities& caps) {
    const unsigned type = unsigned(f(lo, 0, 4));
    if (type == 0 || type > 9 || f(lo, 9, 3)) return std::nullopt;  // type bits 11:9 too
    Invalidation inv;
    inv.type = InvType(type);
    inv.granularity = unsigned(f(lo, 4, 2));
    inv.did = uint16_t(f(lo, 16, 16));
    switch (inv.type) {
        case InvType::ContextCache:
            inv.sid = uint16_t(f(lo, 32, 16));
            inv.function_mask = unsigned(f(lo, 48, 2));
            if (inv.granularity == 0) return std::nullopt;
            break;
        case InvType::Iotlb:
            inv.address_mask = unsigned(f(hi, 0, 6));
            inv.addr = hi & ~uint64_t(0xfff);
            if (inv.granularity == 0) return std::nullopt;
            break;
        case InvType::PasidIotlb:
            inv.pasid = uint32_t(f(lo, 32, 20));
            inv.address_mask = unsigned(f(hi, 0, 6));
            inv.addr = hi & ~uint64_t(0xfff);
            if (inv.granularity < 2) return std::nullopt;
            break;
        case InvType::PasidCache:
            inv.pasid = uint32_t(f(lo, 32, 20));
            if (inv.granularity == 2) return std::nullopt;
            break;
        case InvType::Wait:
            inv.interrupt = f(lo, 4, 1);
            inv.status_write = f(lo, 5, 1);
            inv.status_data = uint32_t(f(lo, 32, 32));
            inv.status_addr = hi & ~uint64_t(3);
            break;
        case InvType::DeviceTlb:
        case InvType::PasidDeviceTlb:
            if (!caps.dt || !decode_device_tlb(lo, hi, inv)) return std::nullopt;
            inv.did = 0;
            break;
        case InvType::PageGroupResponse:
            if (!caps.prs || !decode_page_group_response(lo, hi, inv)) return std::nullopt;
            inv.did = 0;
            break;
        default:
            break;
    }
    return inv;
}

iommu::AtsInvalidation ats_invalidation(const Invalidation& inv) {
    iommu::AtsInvalidation a;
    a.sid = inv.sid;
    a.pasid_valid = inv.type == InvType::PasidDeviceTlb;
    a.pasid = a.pasid_valid ? inv.pasid : 0;
    a.global = a.pasid_valid && inv.global;
    a.addr = inv.addr;
    a.size = 4096;
    if (!inv.size) return a;
    unsigned k = 12;
    while (k < 64 && ((inv.addr >> k) & 1)) ++k;
    if (k >= 63) {  // every address bit set (2^64 bytes): the whole space
        a.addr = 0;
        a.size = 0;
        return a;
    }
    a.size = uint64_t(1) << (k + 1);
    a.addr = inv.addr & ~(a.size - 1);
    return a;
}

const char* type_name(InvType t) {
    switch (t) {
        case InvType::ContextCache: return "context-cache";
        case InvType::Iotlb: return "iotlb";
        case InvType::DeviceTlb: return "device-tlb";
        case InvType::InterruptEntryCache: return "interrupt-entry-cache";
        case InvType::Wait: return "wait";
        case InvType::PasidIotlb: return "pasid-iotlb";
        case InvType::PasidCache: return "pasid-cache";
        case InvType::PasidDeviceTlb: return "pasid-device-tlb";
        case InvType::PageGroupResponse: return "page-group-response";
        default: return "other";
    }
}

// The granularity's name for the descriptor type (spec 6.5.2: context-cache and IOTLB
// G field, PASID-based IOTLB and PASID-cache Granularity); a reserved value stays a number.
static std::string granularity_name(const Invalidation& inv) {
    static const char* const context[] = {nullptr, "global", "domain", "device"};
    static const char* const iotlb[] = {nullptr, "global", "domain", "page"};
    static const char* const pasid_iotlb[] = {nullptr, nullptr, "pasid", "page"};
    static const char* const pasid_cache[] = {"domain", "pasid", nullptr, "global"};
    static const char* const iec[] = {"global", "index"};
    const char* const* names = inv.type == InvType::ContextCache ? context
                               : inv.type == InvType::Iotlb      ? iotlb
                               : inv.type == InvType::PasidIotlb ? pasid_iotlb
                               : inv.type == InvType::PasidCache ? pasid_cache
                                                                 : nullptr;
    if (inv.type == InvType::InterruptEntryCache && inv.granularity < 2) names = iec;
    const char* name = names && inv.granularity < 4 ? names[inv.granularity] : nullptr;
    return name ? std::string("\"") + name + "\"" : std::to_string(inv.granularity);
}

std::string describe(const Invalidation& inv) {
    if (inv.type == InvType::DeviceTlb || inv.type == InvType::PasidDeviceTlb ||
        inv.type == InvType::PageGroupResponse)
        return "\"sid\":" + std::to_string(inv.sid) + ",\"pasid\":" + std::to_string(inv.pasid) +
               ",\"addr\":" + std::to_string(inv.addr) + ",\"code\":" + std::to_string(inv.response_code);
    if (inv.type == InvType::Wait)  // spec 6.5.2.8: no granularity; what it signals
        return "\"if\":" + std::to_string(inv.interrupt) + ",\"sw\":" + std::to_string(inv.status_write) +
               ",\"status_data\":" + std::to_string(inv.status_data);
    std::string s = "\"granularity\":" + granularity_name(inv) + ",\"did\":" + std::to_string(inv.did);
    if (inv.type == InvType::PasidIotlb || inv.type == InvType::PasidCache) s += ",\"pasid\":" + std::to_string(inv.pasid);
    if ((inv.type == InvType::Iotlb || inv.type == InvType::PasidIotlb) && inv.granularity == 3) {
        char page[64];
        std::snprintf(page, sizeof page, ",\"addr\":\"0x%llx\",\"am\":%u", static_cast<unsigned long long>(inv.addr),
                      inv.address_mask);
        s += page;
    }
    return s;
}

}  // namespace vtd
