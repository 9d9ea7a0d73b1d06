#include "tests/support/vtd_ats_encoding.h"

#include <stdexcept>

namespace vtdtest {
namespace {
uint64_t bits(uint64_t v, unsigned lo, unsigned width) { return (v >> lo) & ((uint64_t(1) << width) - 1); }
uint64_t pfsid_bits(uint16_t pfsid) { return uint64_t(pfsid & 0xf) << 12 | uint64_t(pfsid >> 4) << 52; }
}  // namespace

// PCIe 10.3.1 table "Invalidate Request Address Range": with S=1 the range is
// 2^(k+1) bytes where bit k is the lowest clear bit of 63:12; bits below it are set.
SizedAddress encode_sized_address(uint64_t addr, uint64_t size) {
    if (size == 0) return {~uint64_t(0xfff), true};
    if (size < 4096 || (size & (size - 1)) || (addr & (size - 1)))
        throw std::invalid_argument("size must be a power of two >= 4 KiB and addr aligned to it");
    if (size == 4096) return {addr, false};
    const uint64_t low_ones = (size >> 1) - 1;  // bits k-1..0 set, bit k (k = log2(size) - 1) clear
    return {(addr | low_ones) & ~uint64_t(0xfff), true};
}

Descriptor device_tlb_invalidate(uint16_t sid, uint64_t addr, uint64_t size, uint16_t pfsid, unsigned mip) {
    const SizedAddress a = encode_sized_address(addr, size);
    return {3 | pfsid_bits(pfsid) | uint64_t(mip & 0x1f) << 16 | uint64_t(sid) << 32, a.addr_bits | a.s};
}

Descriptor pasid_device_tlb_invalidate(uint16_t sid, uint32_t pasid, bool global, uint64_t addr,
                                       uint64_t size, uint16_t pfsid, unsigned mip) {
    const SizedAddress a = encode_sized_address(addr, size);
    return {8 | uint64_t(mip & 0x1f) << 4 | pfsid_bits(pfsid) | uint64_t(sid) << 16 | uint64_t(pasid & 0xfffff) << 32,
            a.addr_bits | uint64_t(a.s) << 11 | uint64_t(global)};
}

Descriptor page_group_response(uint16_t rid, bool pasid_present, uint32_t pasid, uint16_t prg_index,
                               unsigned code) {
    return {9 | uint64_t(pasid_present) << 4 | uint64_t(code & 0xf) << 12 | uint64_t(rid) << 16 |
                uint64_t(pasid & 0xfffff) << 32,
            uint64_t(prg_index & 0x1ff) << 3};
}

Descriptor wait_with_status(uint64_t status_addr, uint32_t data) {
    return {5 | 1u << 5 | uint64_t(data) << 32, status_addr & ~uint64_t(3)};
}

PageRequestFields decode_page_request(uint64_t qw0, uint64_t qw1) {
    PageRequestFields f{};
    f.type = unsigned(bits(qw0, 0, 8));
    f.pasid_present = bits(qw0, 8, 1);
    f.rid = uint16_t(bits(qw0, 16, 16));
    f.pasid = uint32_t(bits(qw0, 32, 20));
    f.exec = bits(qw0, 52, 1);
    f.priv = bits(qw0, 53, 1);
    f.read = bits(qw1, 0, 1);
    f.write = bits(qw1, 1, 1);
    f.lpig = bits(qw1, 2, 1);
    f.prg_index = uint16_t(bits(qw1, 3, 9));
    f.addr = qw1 & ~uint64_t(0xfff);
    return f;
}

}  // namespace vtdtest
