#include "models/memory/sparse_memory.h"

#include <algorithm>
#include <cstring>

namespace memory {

namespace {

// Bytes of [addr, addr + remaining) that fall in addr's chunk.
size_t piece_len(uint64_t addr, size_t remaining, uint64_t chunk_bytes) {
    return std::min<uint64_t>(remaining, chunk_bytes - (addr & (chunk_bytes - 1)));
}

// Calls f(addr, n) for each frame's part of [addr, addr + len), within one chunk.
template <class F>
void each_frame(uint64_t addr, size_t len, F f) {
    while (len) {
        const size_t n = piece_len(addr, len, SparseMemory::kFrameBytes);
        f(addr, n);
        addr += n;
        len -= n;
    }
}

}  // namespace

void SparseMemory::note_written(ChunkTable::Chunk c, uint64_t addr, size_t len) {
    const size_t first = (addr & (kChunkBytes - 1)) / kFrameBytes;
    const size_t last = ((addr & (kChunkBytes - 1)) + len - 1) / kFrameBytes;
    for (size_t f = first; f <= last; ++f) {
        uint64_t& word = c.meta[kWrittenWord + f / 64];
        const uint64_t bit = uint64_t(1) << (f % 64);
        if (word & bit) continue;
        word |= bit;
        ++frames_;
        ++frames_stat_;
    }
}

void SparseMemory::read_chunk(ChunkTable::Chunk c, uint64_t addr, uint8_t* dst, size_t len) const {
    if (!c.meta[kGeneratedCount]) {
        std::memcpy(dst, c.data + (addr & (kChunkBytes - 1)), len);
        return;
    }
    const Source& s = source(c);
    each_frame(addr, len, [&](uint64_t a, size_t n) {
        if (bit(c.meta + kGeneratedWord, frame_in_chunk(a)))
            s.content(a, dst, n, s.seed);
        else
            std::memcpy(dst, c.data + (a & (kChunkBytes - 1)), n);
        dst += n;
    });
}

// A generated frame written with the bytes it already has stays generated.
void SparseMemory::write_chunk(ChunkTable::Chunk c, uint64_t addr, const uint8_t* src, size_t len) {
    note_written(c, addr, len);
    if (!c.meta[kGeneratedCount]) {
        std::memcpy(c.data + (addr & (kChunkBytes - 1)), src, len);
        return;
    }
    const Source& s = source(c);
    each_frame(addr, len, [&](uint64_t a, size_t n) {
        if (bit(c.meta + kGeneratedWord, frame_in_chunk(a))) {
            uint8_t now[kFrameBytes];
            s.content(a, now, n, s.seed);
            if (std::memcmp(now, src, n) == 0) {
                src += n;
                return;
            }
            materialize(c, a & ~(kFrameBytes - 1));
        }
        std::memcpy(c.data + (a & (kChunkBytes - 1)), src, n);
        src += n;
    });
}

void SparseMemory::materialize(ChunkTable::Chunk c, uint64_t frame_addr) {
    const Source& s = source(c);
    s.content(frame_addr, c.data + (frame_addr & (kChunkBytes - 1)), kFrameBytes, s.seed);
    const size_t f = frame_in_chunk(frame_addr);
    c.meta[kGeneratedWord + f / 64] &= ~(uint64_t(1) << (f % 64));
    --c.meta[kGeneratedCount];
    --generated_;
}

bool SparseMemory::generate_frame(ChunkTable::Chunk c, uint64_t frame_addr, uint64_t s) {
    uint64_t& owner = c.meta[kSourceWord];
    if (owner && owner != s + 1) return false;
    owner = s + 1;
    note_written(c, frame_addr, kFrameBytes);
    const size_t f = frame_in_chunk(frame_addr);
    uint64_t& word = c.meta[kGeneratedWord + f / 64];
    if (!(word >> (f % 64) & 1)) {
        word |= uint64_t(1) << (f % 64);
        ++c.meta[kGeneratedCount];
        ++generated_;
    }
    return true;
}

uint64_t SparseMemory::source_of(Generator content, uint64_t seed) {
    for (size_t i = 0; i < sources_.size(); ++i)
        if (sources_[i].content == content && sources_[i].seed == seed) return i;
    sources_.push_back({content, seed});
    return sources_.size() - 1;
}

void SparseMemory::read(uint64_t addr, void* dst, size_t len) const {
    auto* out = static_cast<uint8_t*>(dst);
    while (len) {
        size_t n = piece_len(addr, len, kChunkBytes);
        if (const ChunkTable::Chunk c = chunks_.find(addr >> kChunkShift); c.data)
            read_chunk(c, addr, out, n);
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
        write_chunk(chunks_.get_or_alloc(addr >> kChunkShift), addr, in, n);
        in += n;
        len -= n;
        addr += n;  // wraps modulo 2^64
    }
}

// Whole frames become generated; a frame cut by the range's ends, or in a chunk that
// another source generates, is written.
void SparseMemory::write_generated(uint64_t addr, uint64_t len, Generator content, uint64_t seed) {
    if (!len) return;
    const uint64_t s = source_of(content, seed);
    uint8_t bytes[kFrameBytes];
    while (len) {
        const size_t n = std::min<uint64_t>(len, kFrameBytes - (addr & (kFrameBytes - 1)));
        const ChunkTable::Chunk c = chunks_.get_or_alloc(addr >> kChunkShift);
        if (n < kFrameBytes || !generate_frame(c, addr, s)) {
            content(addr, bytes, n, seed);
            write_chunk(c, addr, bytes, n);
        }
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
            if (!bit(c.meta + kWrittenWord, f)) continue;
            const uint8_t* frame = c.data + f * kFrameBytes;
            uint8_t bytes[kFrameBytes];
            if (bit(c.meta + kGeneratedWord, f)) {
                const Source& s = source(c);
                s.content(chunk_no * kChunkBytes + f * kFrameBytes, bytes, kFrameBytes, s.seed);
                frame = bytes;
            }
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
