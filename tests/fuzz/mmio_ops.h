// The ops every MMIO fuzz target's input language starts with (smmuv3_ops.h and
// amdvi_ops.h number them alike), read and applied to the target's unit wrapper
// (`write`, `read`, `store`, `translate`):
//   kMmioWrite32    offset u16, value u32     MMIO write, 4 bytes
//   kMmioWrite64    offset u16, value u64     MMIO write, 8 bytes
//   kMmioRead       offset u16, size u8       MMIO read, 8 bytes when size is odd, else 4
//   kMmioStore      qword u24, value u64      a qword of the table window
//   kMmioTranslate  a DMA request (dma_request.h)
#pragma once

#include <cstdint>

#include "tests/fuzz/dma_request.h"
#include "tests/fuzz/fuzz_input.h"

namespace fuzz {

enum MmioOp : uint8_t { kMmioWrite32, kMmioWrite64, kMmioRead, kMmioStore, kMmioTranslate, kMmioOps };

// Where the operands point: the register an offset u16 names, the table window.
struct MmioSpace {
    uint32_t (*offset)(uint16_t operand, unsigned bytes);
    uint64_t window, window_qwords;  // window_qwords a power of two
};

template <class Target>
void mmio_op(Bytes& in, MmioOp op, Target& t, const MmioSpace& s) {
    switch (op) {
        case kMmioWrite32: {
            const uint32_t offset = s.offset(in.u16(), 4);
            t.write(offset, in.u32(), 4);
            return;
        }
        case kMmioWrite64: {
            const uint32_t offset = s.offset(in.u16(), 8);
            t.write(offset, in.u64(), 8);
            return;
        }
        case kMmioRead: {
            const uint16_t o = in.u16();
            const unsigned bytes = in.u8() & 1 ? 8 : 4;
            t.read(s.offset(o, bytes), bytes);
            return;
        }
        case kMmioStore: {
            const uint64_t pa = s.window + 8 * (in.take(3) & (s.window_qwords - 1));
            t.store(pa, in.u64());
            return;
        }
        case kMmioTranslate: t.translate(request(in)); return;
        case kMmioOps: return;
    }
}

}  // namespace fuzz
