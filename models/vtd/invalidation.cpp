#include "models/vtd/invalidation.h"

namespace vtd {
namespace {
uint64_t f(uint64_t v, unsigned lo, unsigned bits) { return (v >> lo) & ((uint64_t(1) << bits) - 1); }
}  // namespace

// Field positions: spec 6.5.2.1-6.5.2.9 (Linux QI_* macros, QEMU VTD_INV_DESC_*).
std::optional<Invalidation> decode_descriptor(uint64_t lo, uint64_t hi) {
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
        case InvType::PageGroupResponse:
            return std::nullopt;  // no page requests are modelled (ECAP.PRS = 0)
        default:
            break;
    }
    return inv;
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
        default: return "other";
    }
}

std::string describe(const Invalidation& inv) {
    return "\"granularity\":" + std::to_string(inv.granularity) + ",\"did\":" + std::to_string(inv.did);
}

}  // namespace vtd
