#include "models/memory/chunk_table.h"

#include <sys/mman.h>

#include <cassert>
#include <cstdint>
#include <new>
#include <utility>

namespace memory {

namespace {

// Anonymous memory (zero-filled, committed page by page as it is touched), aligned to
// its own size so that a 2 MiB block can be one huge page if `huge`.
void* map_block(size_t bytes, bool huge) {
    const size_t span = 2 * bytes;  // room to slide up to the next aligned address
    void* p = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    const uintptr_t start = reinterpret_cast<uintptr_t>(p);
    const uintptr_t aligned = (start + bytes - 1) & ~uintptr_t(bytes - 1);
    if (aligned > start) munmap(p, aligned - start);
    const uintptr_t tail = start + span - (aligned + bytes);
    if (tail) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
    void* block = reinterpret_cast<void*>(aligned);
#ifdef MADV_HUGEPAGE
    if (huge) madvise(block, bytes, MADV_HUGEPAGE);  // a hint: without THP, no change
#else
    (void)huge;
#endif
    return block;
}

}  // namespace

ChunkTable::ChunkTable(size_t chunk_bytes, unsigned key_bits, size_t meta_words)
    : chunk_bytes_(chunk_bytes),
      root_bits_(key_bits > 2 * kBits ? key_bits - 2 * kBits : 0),
      max_chunk_(key_bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << key_bits) - 1),
      meta_words_(meta_words) {
    assert(chunk_bytes && !(chunk_bytes & (chunk_bytes - 1)) && key_bits <= 64);
}

ChunkTable::~ChunkTable() {
    for (void* block : mappings_) munmap(block, chunk_bytes_);
}

ChunkTable::Chunk ChunkTable::find_slow(uint64_t chunk_no) const {
    const uint64_t r = chunk_no >> (2 * kBits);
    assert(r >> root_bits_ == 0);
    const Leaf* leaf = r < root_.size() && root_[r] ? root_[r][(chunk_no >> kBits) & kMask].get() : nullptr;
    last_no_ = chunk_no;
    last_ = leaf ? leaf->slots[chunk_no & kMask] : Chunk{};
    return last_;
}

// Huge pages pay where use is dense, and a huge page is committed whole at its first
// touch: a chunk next to an allocated one gets them, a lone chunk (sparse use, such as
// one table page per GiB) keeps small pages and commits only what it touches.
bool ChunkTable::dense_near(uint64_t chunk_no) const {
    return (chunk_no > 0 && find(chunk_no - 1).data) ||
           (chunk_no < max_chunk_ && find(chunk_no + 1).data);
}

ChunkTable::Chunk ChunkTable::alloc(uint64_t chunk_no) {
    if (root_.empty()) root_.resize(size_t(1) << root_bits_);
    Mid& mid = root_[chunk_no >> (2 * kBits)];
    if (!mid) mid = std::make_unique<std::unique_ptr<Leaf>[]>(kFanout);
    std::unique_ptr<Leaf>& leaf = mid[(chunk_no >> kBits) & kMask];
    if (!leaf) leaf = std::make_unique<Leaf>();
    // Everything that may throw comes before the slot is filled in.
    std::unique_ptr<uint64_t[]> meta;
    if (meta_words_) meta = std::make_unique<uint64_t[]>(meta_words_);  // zeroed
    metas_.reserve(metas_.size() + 1);
    mappings_.reserve(mappings_.size() + 1);
    Chunk& c = leaf->slots[chunk_no & kMask];
    c.data = static_cast<uint8_t*>(map_block(chunk_bytes_, dense_near(chunk_no)));
    mappings_.push_back(c.data);
    c.meta = meta.get();
    if (meta) metas_.push_back(std::move(meta));
    last_no_ = chunk_no;
    last_ = c;
    return c;
}

}  // namespace memory
