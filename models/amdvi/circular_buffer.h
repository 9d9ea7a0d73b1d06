// The in-memory circular buffers of 16-byte entries an AMD-Vi unit shares with software
// (48882 MMIO registers: Command Buffer Base 0008h ComLen, Event Log Base 0010h EventLen, PPR Log
// Base 0038h PPRLen, each in bits 59:56 with the base in 51:12): 2^len entries, 1000b
// (256 entries, 4 KiB) to 1111b (32768, 512 KiB). The head and tail registers hold byte
// offsets into the buffer in bits 18:4. A log is full when advancing its tail would make
// it equal the head: one entry always stays unused.
#pragma once

#include <algorithm>
#include <cstdint>

namespace amdvi {

struct CircularBuffer {
    static constexpr uint32_t kEntryBytes = 16;
    static constexpr unsigned kMinLen = 8, kMaxLen = 15;

    uint64_t base = 0;
    uint32_t entries = 1u << kMinLen;

    // The reserved lengths 0000b-0111b are taken as the smallest defined one.
    static CircularBuffer of(uint64_t base, unsigned len) {
        return {base, 1u << std::clamp(len, kMinLen, kMaxLen)};
    }
    uint32_t bytes() const { return entries * kEntryBytes; }
    // A head or tail register value as an entry offset inside the buffer.
    uint32_t offset(uint64_t pointer) const { return uint32_t(pointer) & (bytes() - 1) & ~(kEntryBytes - 1); }
    uint32_t next(uint32_t offset) const { return (offset + kEntryBytes) & (bytes() - 1); }
    uint64_t address(uint32_t offset) const { return base + offset; }
    bool full(uint32_t tail, uint32_t head) const { return next(offset(tail)) == offset(head); }
};

}  // namespace amdvi
