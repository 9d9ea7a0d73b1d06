#include "tests/support/amdvi/amdvi_tables.h"

#include <stdexcept>

namespace amdvitest {
namespace {

uint64_t field(uint64_t value, unsigned lo, unsigned width) {
    if (width < 64 && (value >> width)) throw std::invalid_argument("field value too wide");
    return value << lo;
}

uint64_t perm_bits(const Perm& p) {
    return uint64_t(p.ir) << 61 | uint64_t(p.iw) << 62 | uint64_t(p.a) << 5;
}

}  // namespace

std::array<uint64_t, 4> dte(const DteFields& f) {
    std::array<uint64_t, 4> q{};
    // Qword 0 (DTE bits 63:0).
    q[0] = field(f.v, 0, 1) | field(f.tv, 1, 1) | field(f.had, 7, 2) | field(f.mode, 9, 3) |
           (f.root & 0x000ffffffffff000ull) | field(f.ppr, 52, 1) | field(f.gprp, 53, 1) | field(f.giov, 54, 1) |
           field(f.gv, 55, 1) | field(f.glx, 56, 2) | field((f.gcr3 >> 12) & 0x7, 58, 3) | field(f.ir, 61, 1) |
           field(f.iw, 62, 1);
    // Qword 1 (DTE bits 127:64): DomainID 79:64, GCR3[30:15] 95:80, I 96, SE 97, SA 98,
    // IoCtl 100:99, Cache 101, SD 102, EX 103, SysMgt 105:104, GCR3[51:31] 127:107.
    q[1] = field(f.domain, 0, 16) | field((f.gcr3 >> 15) & 0xffff, 16, 16) | field(f.i, 32, 1) |
           field(f.se, 33, 1) | field(f.sa, 34, 1) | field(f.ioctl, 35, 2) | field(f.cache, 37, 1) |
           field(f.sd, 38, 1) | field(f.ex, 39, 1) | field(f.sysmgt, 40, 2) |
           field((f.gcr3 >> 31) & 0x1fffff, 43, 21);
    // Qword 2: GuestPagingMode is DTE 183:182 (Linux DTE_GPT_LEVEL_SHIFT 54 in qword 2).
    q[2] = field(f.gpm, 182 - 128, 2);
    // Qword 3: Mode0FC is DTE bit 247.
    q[3] = field(f.mode0_fc, 247 - 192, 1);
    return q;
}

uint64_t pde(uint64_t next_table, unsigned next_level, const Perm& p) {
    if (next_level < 1 || next_level > 6) throw std::invalid_argument("pde: NextLevel 1-6");
    return 1 | field(next_level, 9, 3) | (next_table & 0x000ffffffffff000ull) | perm_bits(p);
}

uint64_t pte(uint64_t pa, const Perm& p) {
    return 1 | (pa & 0x000ffffffffff000ull) | perm_bits(p) | uint64_t(p.d) << 6 | uint64_t(p.u) << 59 |
           uint64_t(p.fc) << 60;
}

uint64_t pte_sized(uint64_t pa, unsigned size_log2, const Perm& p) {
    if (size_log2 < 13 || size_log2 > 51) throw std::invalid_argument("pte_sized: 8 KiB .. 2^51");
    const uint64_t size = uint64_t(1) << size_log2;
    if (pa & (size - 1)) throw std::invalid_argument("pte_sized: pa not aligned to the size");
    const uint64_t ones = ((size >> 1) - 1) & ~uint64_t(0xfff);  // bits 12 .. size_log2-2
    return pte(pa | ones, p) | field(7, 9, 3);
}

unsigned level_lsb(unsigned level) { return 12 + 9 * (level - 1); }

uint64_t HostTables::new_table() {
    const uint64_t t = next_;
    next_ += 4096;
    for (unsigned i = 0; i < 512; ++i) mem_.write_u64(t + 8 * i, 0);
    return t;
}

uint64_t HostTables::slot(uint64_t table, unsigned level, uint64_t iova) {
    const uint64_t index = level == 6 ? (iova >> 57) : (iova >> level_lsb(level)) & 511;
    return table + 8 * index;
}

uint64_t HostTables::map(uint64_t root, const std::vector<unsigned>& path, uint64_t iova, uint64_t leaf,
                         unsigned copies, const Perm& dir) {
    uint64_t table = root;
    for (size_t i = 0; i + 1 < path.size(); ++i) {
        const uint64_t at = slot(table, path[i], iova);
        uint64_t e = mem_.read_u64(at);
        if (!(e & 1)) {
            e = pde(new_table(), path[i + 1], dir);
            mem_.write_u64(at, e);
        }
        table = e & 0x000ffffffffff000ull;
    }
    const unsigned last = path.back();
    const uint64_t at = slot(table, last, iova);
    const uint64_t first = table + ((at - table) / 8 / copies * copies) * 8;
    for (unsigned c = 0; c < copies; ++c) mem_.write_u64(first + 8 * c, leaf);
    return at;
}

// §2.5.2: DeviceID 15:0, PASID[19:16] 19:16, DomainID/PASID[15:0] 47:32, flags from
// bit 48 (GN, NX, US, I, PR, RW, PE, RZ, TR), EventCode 63:60, address in qword 1.
// INVALID_DEVICE_REQUEST: US at 49, Type 59:57; hardware errors: Type 58:57.
std::array<uint64_t, 2> event(const EventFields& f) {
    uint64_t q0 = field(f.code, 60, 4) | f.device_id | uint64_t((f.pasid >> 16) & 0xf) << 16 |
                  uint64_t(f.domain) << 32;
    q0 |= uint64_t(f.gn) << 48 | uint64_t(f.i) << 51 | uint64_t(f.rw) << 53 | uint64_t(f.tr) << 56;
    if (f.code == 8) {
        q0 |= uint64_t(f.us) << 49 | field(f.type, 57, 3);
    } else {
        q0 |= uint64_t(f.nx) << 49 | uint64_t(f.us) << 50 | uint64_t(f.pr) << 52 | uint64_t(f.pe) << 54 |
              uint64_t(f.rz) << 55 | field(f.type, 57, 2);
    }
    return {q0, f.address};
}

}  // namespace amdvitest
