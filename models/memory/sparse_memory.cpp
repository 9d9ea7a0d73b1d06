#include "models/memory/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace memory {

namespace {

// Bytes of [addr, addr + remaining) that fall in addr's chunk.
size_t piece_len(uint64_t addr, size_t remaining, uint64_t chunk_bytes) {
    return std::min<uint64_t>(remaining, chunk_bytes - (addr & (chunk_bytes - 1)));
}

}  // namespace

void SparseMemory::note_written(ChunkTable::Chunk c, uint64_t addr, size_t len) {
    const size_t first = (addr & (kChunkBytes - 1)) / kFrameBytes;
    const size_t last = ((addr & (kChunkBytes - 1)) + len - 1) / kFrameBytes;
    for (size_t f = first; f <= last; ++f) {
        uint64_t& word = c.meta[f / 64];
        const uint64_t bit = uint64_t(1) << (f % 64);
        if (word & bit) continue;
        word |= bit;
        ++frames_;
        ++frames_stat_;
    }
}

void SparseMemory::read(uint64_t addr, void* dst, size_t len) const {
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        size_t n = piece_len(addr, len, kChunkBytes);
        if (const uint8_t* data = chunks_.find(addr >> kChunkShift).data)
            std::memcpy(out, data + (addr & (kChunkBytes - 1)), n);
        else
            std::memset(out, 0, n);
        out += n;
        len -= n;
        addr += n;  // wraps modulo 2^64
    }
}

void SparseMemory::write(uint64_t addr, const void* src, size_t len) {
    auto* in = static_cast<const uint8_t*>(src);
    while (len) {
        size_t n = piece_len(addr, len, kChunkBytes);
        ChunkTable::Chunk c = chunks_.get_or_alloc(addr >> kChunkShift);
        note_written(c, addr, n);
        std::memcpy(c.data + (addr & (kChunkBytes - 1)), in, n);
        in += n;
        len -= n;
        addr += n;  // wraps modulo 2^64
    }
}

uint64_t SparseMemory::read_u64(uint64_t addr) const {
    uint8_t b[8];
    read(addr, b, sizeof b);
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | b[i];
    return v;
}

void SparseMemory::write_u64(uint64_t addr, uint64_t value) {
    uint8_t b[8];
    for (int i = 0; i < 8; ++i) b[i] = uint8_t(value >> (8 * i));
    write(addr, b, sizeof b);
}

uint64_t SparseMemory::digest() const {
    uint64_t h = 0xcbf29ce484222325ull;  // FNV-1a, a 64-bit word at a time
    auto mix = [&h](uint64_t w) { h = (h ^ w) * 0x100000001b3ull; };
    // Chunks in ascending order, frames in ascending order within each: address order.
    // Frames never written are zero, and all-zero frames do not count.
    chunks_.for_each([&](uint64_t chunk_no, ChunkTable::Chunk c) {
        for (size_t f = 0; f < kFramesPerChunk; ++f) {
            if (!(c.meta[f / 64] >> (f % 64) & 1)) continue;
            const uint8_t* frame = c.data + f * kFrameBytes;
            if (std::all_of(frame, frame + kFrameBytes, [](uint8_t b) { return b == 0; }))
                continue;
            mix(chunk_no * kFramesPerChunk + f);
            for (size_t i = 0; i < kFrameBytes; i += 8) {
                uint64_t w;
                std::memcpy(&w, frame + i, 8);
                mix(w);
            }
        }
    });
    return h & ((uint64_t(1) << 53) - 1);
}

}  // namespace memory
