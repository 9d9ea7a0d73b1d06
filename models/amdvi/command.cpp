#include "models/amdvi/command.h"

namespace amdvi {
namespace {

uint64_t bits(uint64_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((uint64_t(2) << (hi - lo)) - 1); }

constexpr uint64_t kOpcode = 0xf000000000000000ull;  // qword 0, 63:60 (dword 1, 31:28)
constexpr uint64_t kAddr63_12 = 0xfffffffffffff000ull;

// The bits each format defines, per qword (§2.4, each command's figure); any other bit
// set is a reserved field that is not zero.
struct Format {
    uint64_t qw0, qw1;
};
Format format(CommandOp op) {
    switch (op) {
        // S, I, F, store address 51:3; store data fills qword 1.
        case CommandOp::COMPLETION_WAIT: return {kOpcode | 0x000fffffffffffffull, ~uint64_t(0)};
        case CommandOp::INVALIDATE_DEVTAB_ENTRY:
        case CommandOp::INVALIDATE_INTERRUPT_TABLE: return {kOpcode | 0xffff, 0};
        // PASID 19:0, DomainID 47:32; S, PDE, GN, address 63:12.
        case CommandOp::INVALIDATE_IOMMU_PAGES: return {kOpcode | 0x0000ffff000fffffull, kAddr63_12 | 0x7};
        // Every qword-0 bit is a field (DeviceID, PASID pieces, MaxPend, QueueId); qword 1:
        // S 0, GN 2, Type 5:4, address 63:12.
        case CommandOp::INVALIDATE_IOTLB_PAGES: return {~uint64_t(0), kAddr63_12 | 0x35};
        // DeviceID 15:0, PFCount 31:24, PASID 51:32; S 0, GN 2, Inval 4, address 63:12.
        case CommandOp::PREFETCH_IOMMU_PAGES: return {kOpcode | 0x000fffffff00ffffull, kAddr63_12 | 0x15};
        // DeviceID 15:0, PASID 51:32; GN 2, Completion Tag 47:32.
        case CommandOp::COMPLETE_PPR_REQUEST: return {kOpcode | 0x000fffff0000ffffull, 0x0000ffff00000004ull};
        case CommandOp::INVALIDATE_IOMMU_ALL: return {kOpcode, 0};
    }
    return {0, 0};
}

bool known(unsigned opcode) { return opcode >= 0x1 && opcode <= 0x8; }

// S 0, GN 2, address 63:12: qword 1 of IOMMU_PAGES, IOTLB_PAGES and PREFETCH.
void decode_page_fields(Command& c, uint64_t q1) {
    c.size = bits(q1, 0, 0);
    c.gn = bits(q1, 2, 2);
    c.addr = q1 & kAddr63_12;
}

void decode_fields(Command& c, uint64_t q0, uint64_t q1) {
    switch (c.op) {
        case CommandOp::COMPLETION_WAIT:
            c.store = bits(q0, 0, 0);
            c.interrupt = bits(q0, 1, 1);
            c.flush = bits(q0, 2, 2);
            c.store_addr = q0 & 0x000ffffffffffff8ull;
            c.store_data = q1;
            return;
        case CommandOp::INVALIDATE_DEVTAB_ENTRY:
        case CommandOp::INVALIDATE_INTERRUPT_TABLE: c.devid = uint16_t(q0); return;
        case CommandOp::INVALIDATE_IOMMU_PAGES:
            c.pasid = uint32_t(bits(q0, 19, 0));
            c.domain = uint16_t(bits(q0, 47, 32));
            c.pde = bits(q1, 1, 1);
            return decode_page_fields(c, q1);
        case CommandOp::INVALIDATE_IOTLB_PAGES:
            c.devid = uint16_t(q0);
            c.pasid = uint32_t(bits(q0, 55, 48) | bits(q0, 23, 16) << 8 | bits(q0, 59, 56) << 16);
            c.maxpend = uint8_t(bits(q0, 31, 24));
            c.queue_id = uint16_t(bits(q0, 47, 32));
            c.iotlb_type = unsigned(bits(q1, 5, 4));
            return decode_page_fields(c, q1);
        case CommandOp::PREFETCH_IOMMU_PAGES:
            c.devid = uint16_t(q0);
            c.pf_count = uint8_t(bits(q0, 31, 24));
            c.pasid = uint32_t(bits(q0, 51, 32));
            c.inval = bits(q1, 4, 4);
            return decode_page_fields(c, q1);
        case CommandOp::COMPLETE_PPR_REQUEST:
            c.devid = uint16_t(q0);
            c.pasid = uint32_t(bits(q0, 51, 32));
            c.gn = bits(q1, 2, 2);
            c.completion_tag = uint16_t(bits(q1, 47, 32));
            return;
        case CommandOp::INVALIDATE_IOMMU_ALL: return;
    }
}

}  // namespace

std::optional<Command> decode_command(const CommandWords& dw) {
    const uint64_t q0 = dw[0] | uint64_t(dw[1]) << 32, q1 = dw[2] | uint64_t(dw[3]) << 32;
    const unsigned opcode = unsigned(bits(q0, 63, 60));
    if (!known(opcode)) return std::nullopt;
    Command c;
    c.op = CommandOp(opcode);
    const Format f = format(c.op);
    if ((q0 & ~f.qw0) || (q1 & ~f.qw1)) return std::nullopt;
    decode_fields(c, q0, q1);
    return c;
}

bool command_supported(const Command& c, const CommandFeatures& f) {
    switch (c.op) {
        case CommandOp::INVALIDATE_IOMMU_PAGES:
        case CommandOp::INVALIDATE_IOTLB_PAGES: return !c.gn || f.guest;
        case CommandOp::PREFETCH_IOMMU_PAGES: return f.prefetch && (!c.gn || f.guest);
        case CommandOp::COMPLETE_PPR_REQUEST: return f.ppr;
        case CommandOp::INVALIDATE_IOMMU_ALL: return f.inv_all;
        default: return true;
    }
}

PageRange page_range(uint64_t addr, bool size) {
    const uint64_t page = addr & kAddr63_12;
    if (!size) return {page, page | 0xfff};
    const uint64_t clear = ~addr & kAddr63_12 & ~(uint64_t(1) << 63);
    if (!clear) return {0, ~uint64_t(0)};
    const uint64_t span = (clear & -clear) << 1;  // 2^(b+1) for the lowest clear bit b
    const uint64_t first = addr & ~(span - 1);
    return {first, first + (span - 1)};
}

const char* command_name(CommandOp op) {
    switch (op) {
        case CommandOp::COMPLETION_WAIT: return "COMPLETION_WAIT";
        case CommandOp::INVALIDATE_DEVTAB_ENTRY: return "INVALIDATE_DEVTAB_ENTRY";
        case CommandOp::INVALIDATE_IOMMU_PAGES: return "INVALIDATE_IOMMU_PAGES";
        case CommandOp::INVALIDATE_IOTLB_PAGES: return "INVALIDATE_IOTLB_PAGES";
        case CommandOp::INVALIDATE_INTERRUPT_TABLE: return "INVALIDATE_INTERRUPT_TABLE";
        case CommandOp::PREFETCH_IOMMU_PAGES: return "PREFETCH_IOMMU_PAGES";
        case CommandOp::COMPLETE_PPR_REQUEST: return "COMPLETE_PPR_REQUEST";
        case CommandOp::INVALIDATE_IOMMU_ALL: return "INVALIDATE_IOMMU_ALL";
    }
    return "?";
}

}  // namespace amdvi
