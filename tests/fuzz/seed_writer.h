// What the seed generators (make_seeds_vtd, make_seeds_smmuv3) share: little-endian
// encoding of ops and requests (dma_request.h), and writing a seed file.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <initializer_list>
#include <string>
#include <vector>

namespace fuzz {

class Encoder {
public:
    void put(uint64_t v, unsigned bytes) {
        for (unsigned i = 0; i < bytes; ++i) out_.push_back(char(v >> (8 * i)));
    }
    // A kTranslate op (its opcode in the target's language), pasid 0.
    void translate(uint8_t op, uint16_t sid, uint64_t iova, uint8_t flags) {
        put(op, 1);
        put(sid, 2);
        put(iova, 8);
        put(flags, 1);
        put(0, 3);
    }
    const std::string& bytes() const { return out_; }

private:
    std::string out_;
};

// 16-byte queue entries (VT-d descriptors, SMMUv3 commands), each two qwords: lo, hi.
inline std::string qword_pairs(std::initializer_list<const uint64_t*> entries) {
    Encoder out;
    for (const uint64_t* e : entries) {
        out.put(e[0], 8);
        out.put(e[1], 8);
    }
    return out.bytes();
}

// What the drivers map in the MMIO seeds: three 4 KiB pages, or a 2 MiB page and one
// of 4 KiB.
struct Mapping {
    uint64_t iova, pa, size;
};
inline const std::vector<Mapping> kSmallPages = {
    {0x1000, 0x8000'0000, 4096}, {0x2000, 0x8000'5000, 4096}, {0x40'0000, 0x9000'0000, 4096}};
inline const std::vector<Mapping> kLargePage = {{0x20'0000, 0xa000'0000, 0x20'0000}, {0x1000, 0x8000'0000, 4096}};

// How a target's input language names an MMIO write and a table window store, for
// the seed generators' Recorder (recorder.h): opcodes, the window, and the u16 that
// names a register offset (operand) with its inverse (offset).
struct RecordOps {
    uint8_t write32, write64, store;
    uint64_t window, window_bytes;
    uint32_t (*offset)(uint16_t operand, unsigned bytes);
    uint16_t (*operand)(uint32_t offset);
    uint32_t mmio_offset(uint16_t o, unsigned bytes) const { return offset(o, bytes); }
    uint16_t mmio_operand(uint32_t off) const { return operand(off); }
};

inline void write_file(const std::string& path, const std::string& bytes) {
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    if (!f) throw std::runtime_error("cannot write " + path);
    std::printf("%s: %zu bytes\n", path.c_str(), bytes.size());
}

}  // namespace fuzz
