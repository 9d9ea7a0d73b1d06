// SparseMemory: the data of a 64-bit physical address space.
//
// 4 KiB frames are allocated on the first write that touches them; reading untouched
// bytes returns 0 and allocates nothing, so a terabyte-sized address space costs only
// what the workload writes. Addresses are modular: an access running past 2^64 - 1
// continues at 0.
//
// The bytes live in 2 MiB host chunks (ChunkTable): finding a frame is a shift and an
// index, and a random access over a large window stays within few host TLB entries.
// A frame counts as allocated (frames()) from its first write, as it always has; the
// host memory behind it is committed by the OS as it is touched.
#pragma once

#include <cstddef>
#include <cstdint>

#include "models/memory/chunk_table.h"
#include "models/sim/stats.h"

namespace memory {

class SparseMemory : public sim::StatGroup {
public:
    static constexpr uint64_t kFrameBytes = 4096;

    void read(uint64_t addr, void* dst, size_t len) const;
    void write(uint64_t addr, const void* src, size_t len);
    // Little-endian 64-bit values, as the page tables of every modelled IOMMU use.
    uint64_t read_u64(uint64_t addr) const;
    void write_u64(uint64_t addr, uint64_t value);
    // Frames allocated so far (frames are never freed).
    size_t frames() const { return frames_; }
    // Brings the host line behind addr toward the host CPU (tlmx::HostPrefetch); reads
    // nothing simulated and allocates nothing. Non-temporally (locality 0): a DMA's
    // data is used once, and so does not push out of the host's L2 the lines used
    // again, such as the page-table lines walks read (64 MiB windows: about 2% faster).
    void prefetch(uint64_t addr) const {
        if (const uint8_t* data = chunks_.find(addr >> kChunkShift).data)
            __builtin_prefetch(data + (addr & (kChunkBytes - 1)), 0, 0);
    }
    // A 53-bit digest of the contents (exact in a JSON number), independent of which
    // frames happen to be allocated: all-zero frames do not count. Visits frames in
    // address order, so equal contents give equal digests.
    uint64_t digest() const;

private:
    static constexpr unsigned kChunkShift = 21;  // 2 MiB: one huge page on x86 and Arm
    static constexpr uint64_t kChunkBytes = uint64_t(1) << kChunkShift;
    static constexpr size_t kFramesPerChunk = kChunkBytes / kFrameBytes;

    // Marks the frames of [addr, addr + len), all in one chunk, as written.
    void note_written(ChunkTable::Chunk c, uint64_t addr, size_t len);

    // Chunk numbers are addr >> 21; each chunk's meta is its written-frame bitmap.
    ChunkTable chunks_{kChunkBytes, 64 - kChunkShift, kFramesPerChunk / 64};
    size_t frames_ = 0;

    sim::Counter frames_stat_{*this, "frames", "", "4 KiB frames allocated"};
};

}  // namespace memory
