#include "tests/support/amdvi_cmd/amdvi_cmd_encoding.h"

namespace amdvi_cmd_enc {
namespace {
// `value` placed in bits [hi:lo] of a dword; bits of value that do not fit are dropped.
uint32_t field(unsigned hi, unsigned lo, uint64_t value) {
    const uint64_t width_mask = (uint64_t(1) << (hi - lo + 1)) - 1;
    return uint32_t((value & width_mask) << lo);
}
uint32_t opcode(unsigned op) { return field(31, 28, op); }
uint32_t addr_lo(uint64_t a) { return uint32_t(a) & 0xfffff000u; }  // address 31:12
uint32_t addr_hi(uint64_t a) { return uint32_t(a >> 32); }          // address 63:32
}  // namespace

Cmd completion_wait(bool s, bool i, bool f, uint64_t store_addr, uint64_t store_data) {
    return {field(0, 0, s) | field(1, 1, i) | field(2, 2, f) | (uint32_t(store_addr) & 0xfffffff8u),
            field(19, 0, store_addr >> 32) | opcode(COMPLETION_WAIT), uint32_t(store_data),
            uint32_t(store_data >> 32)};
}

Cmd invalidate_devtab_entry(uint16_t devid) { return {devid, opcode(INVALIDATE_DEVTAB_ENTRY), 0, 0}; }
Cmd invalidate_interrupt_table(uint16_t devid) { return {devid, opcode(INVALIDATE_INTERRUPT_TABLE), 0, 0}; }

Cmd invalidate_iommu_pages(uint16_t domain, uint32_t pasid, uint64_t addr, bool s, bool pde, bool gn) {
    return {field(19, 0, pasid), field(15, 0, domain) | opcode(INVALIDATE_IOMMU_PAGES),
            field(0, 0, s) | field(1, 1, pde) | field(2, 2, gn) | addr_lo(addr), addr_hi(addr)};
}

Cmd invalidate_iotlb_pages(uint16_t devid, uint32_t pasid, uint8_t maxpend, uint16_t queue_id, uint64_t addr, bool s,
                           bool gn) {
    return {field(15, 0, devid) | field(23, 16, pasid >> 8) | field(31, 24, maxpend),
            field(15, 0, queue_id) | field(23, 16, pasid) | field(27, 24, pasid >> 16) |
                opcode(INVALIDATE_IOTLB_PAGES),
            field(0, 0, s) | field(2, 2, gn) | addr_lo(addr), addr_hi(addr)};
}

Cmd prefetch_iommu_pages(uint16_t devid, uint32_t pasid, uint8_t count, uint64_t addr, bool s, bool gn, bool inval) {
    return {field(15, 0, devid) | field(31, 24, count), field(19, 0, pasid) | opcode(PREFETCH_IOMMU_PAGES),
            field(0, 0, s) | field(2, 2, gn) | field(4, 4, inval) | addr_lo(addr), addr_hi(addr)};
}

Cmd complete_ppr_request(uint16_t devid, uint32_t pasid, bool gn, uint16_t prg_index, unsigned response_code) {
    return {field(15, 0, devid), field(19, 0, pasid) | opcode(COMPLETE_PPR_REQUEST), field(2, 2, gn),
            field(8, 0, prg_index) | field(15, 12, response_code)};
}

Cmd invalidate_iommu_all() { return {0, opcode(INVALIDATE_IOMMU_ALL), 0, 0}; }

Cmd with_bit(Cmd c, unsigned dword, unsigned bit) {
    c[dword] |= uint32_t(1) << bit;
    return c;
}

Cmd raw_opcode(unsigned op) { return {0, opcode(op), 0, 0}; }

Record illegal_command_error(uint64_t cmd_addr) {
    return {0, field(31, 28, 5), uint32_t(cmd_addr), uint32_t(cmd_addr >> 32)};
}

Record command_hardware_error(unsigned type, uint64_t addr) {
    return {0, field(26, 25, type) | field(31, 28, 6), uint32_t(addr), uint32_t(addr >> 32)};
}

Record ppr_entry(const PprFields& f) {
    const uint32_t flags = field(1, 1, f.exec) | field(2, 2, f.read) | field(5, 5, f.write) | field(6, 6, f.user) |
                           field(8, 8, f.gn);
    return {field(15, 0, f.devid) | field(31, 16, f.pasid),
            field(9, 0, f.tag) | field(13, 10, f.pasid >> 16) | field(27, 16, flags) | field(31, 28, 1),
            addr_lo(f.addr), addr_hi(f.addr)};
}

}  // namespace amdvi_cmd_enc
