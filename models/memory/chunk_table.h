// ChunkTable: large zero-filled blocks of host memory, one per chunk number, allocated
// on first touch and found by radix index (shifts and masks, no hashing).
//
// The memory models keep per-address state (data bytes, per-frame counts) for a 64-bit
// address space of which a run touches a few dense regions. A hash map of small frames
// costs a hash and a cache miss per access; here an access is a three-level index into
// blocks of chunk_bytes (2 MiB or more), mapped so the OS may back them with huge pages
// where use is dense. Untouched parts of a block cost nothing until written (anonymous
// memory is zero).
//
// Iteration (for_each) visits chunks in ascending chunk number: nothing depends on host
// pointer values or allocation order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace memory {

class ChunkTable {
public:
    // One allocated chunk: chunk_bytes of data and meta_words words of bookkeeping
    // (for the owner's use, e.g. which frames were written), both zero-filled.
    struct Chunk {
        uint8_t* data = nullptr;
        uint64_t* meta = nullptr;
    };

    // chunk_bytes: a power of two, at least the host page size. key_bits: how wide chunk
    // numbers are (at most 64); every chunk number passed in must be below 2^key_bits.
    ChunkTable(size_t chunk_bytes, unsigned key_bits, size_t meta_words = 0);
    ~ChunkTable();
    ChunkTable(const ChunkTable&) = delete;
    ChunkTable& operator=(const ChunkTable&) = delete;

    // The chunk, or one with data == nullptr if it was never allocated. Remembers the
    // last chunk number asked for, found or not: walks and bursts touch one chunk many
    // times in a row, and a device's DMA asks many times for a frame count where the
    // CPU caches nothing.
    Chunk find(uint64_t chunk_no) const {
        if (last_no_ == chunk_no) return last_;
        return find_slow(chunk_no);
    }
    Chunk get_or_alloc(uint64_t chunk_no) {
        Chunk c = find(chunk_no);
        return c.data ? c : alloc(chunk_no);
    }
    size_t chunks() const { return mappings_.size(); }
    size_t chunk_bytes() const { return chunk_bytes_; }

    // Calls f(chunk_no, chunk) for every allocated chunk, in ascending chunk number.
    template <class F>
    void for_each(F&& f) const {
        for (size_t r = 0; r < root_.size(); ++r) {
            if (!root_[r]) continue;
            for (size_t m = 0; m < kFanout; ++m) {
                const Leaf* leaf = root_[r][m].get();
                if (!leaf) continue;
                for (size_t i = 0; i < kFanout; ++i)
                    if (leaf->slots[i].data)
                        f((((uint64_t(r) << kBits) | m) << kBits) | i, leaf->slots[i]);
            }
        }
    }

private:
    static constexpr unsigned kBits = 14;  // index bits of the middle and leaf levels
    static constexpr size_t kFanout = size_t(1) << kBits;
    static constexpr uint64_t kMask = kFanout - 1;
    struct Leaf {
        Chunk slots[kFanout] = {};
    };
    using Mid = std::unique_ptr<std::unique_ptr<Leaf>[]>;  // kFanout leaves

    Chunk find_slow(uint64_t chunk_no) const;
    Chunk alloc(uint64_t chunk_no);
    bool dense_near(uint64_t chunk_no) const;

    size_t chunk_bytes_;
    unsigned root_bits_;     // key_bits above the lower two levels (0 if none)
    uint64_t max_chunk_;     // 2^key_bits - 1
    size_t meta_words_;
    std::vector<Mid> root_;  // 2^root_bits_ entries once the first chunk is allocated
    // Every block mapped, to release them; allocation order, never iterated for results.
    std::vector<void*> mappings_;
    std::vector<std::unique_ptr<uint64_t[]>> metas_;
    // What find() last answered, kept true by alloc() (the only change to the table):
    // no chunk is allocated at first, so ~0 answers none, as it should.
    mutable uint64_t last_no_ = ~uint64_t(0);
    mutable Chunk last_;
};

}  // namespace memory
