// CoherentCache: the host CPU's last-level cache, as DMA meets it.
//
// Set-associative, LRU, write-allocate, write-back, 64-byte lines that hold their data.
// The CPU side is the workload's host CPU; the DMA side is called by the memory
// controller for each device request, with the request's snoop attribute.
//
// A snooped DMA sees one coherent memory: a read takes a dirty line's bytes, a write
// invalidates the cached line (writing a dirty line back first when the DMA covers it
// only partly, so no CPU byte outside the DMA range is lost).
//
// A non-snooped DMA goes to memory only, and the model counts the hazards it meets
// (per 64-byte line) instead of hiding them:
//   nosnoop_stale_reads      the device read memory while the CPU's newer bytes sat dirty
//                            in the cache: the device got stale data.
//   nosnoop_lost_writes      the device wrote memory under a dirty line: the CPU's later
//                            write-back of the whole line overwrites the device's bytes.
//   nosnoop_stale_cpu_lines  the device wrote memory under a clean cached line: the CPU
//                            keeps reading its stale copy until the line is flushed.
// A driver avoids them with cpu_flush() before handing a buffer to the device.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "models/memory/chunk_table.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/params.h"
#include "models/sim/stats.h"

namespace memory {

constexpr uint64_t kCacheLineBytes = 64;  // fixed: x86 and Arm hosts alike

struct CacheParams {
    uint64_t size = 2ull << 20;  // bytes
    uint32_t ways = 16;
    double hit_latency_ns = 0;   // a snooped DMA read found entirely in the cache is
                                 // served from it (as an LLC serves it); 0: DRAM timing

    void bind(sim::ParamBinder& b);
    // Throws sim::InputError naming the key unless size / (64 * ways) is a power of two.
    void validate() const;
    uint64_t sets() const { return ways ? size / (kCacheLineBytes * ways) : 0; }
};

class CoherentCache : public sim::StatGroup {
public:
    static constexpr uint64_t kLineBytes = kCacheLineBytes;

    // Throws sim::InputError on a bad geometry (see CacheParams::validate).
    CoherentCache(const CacheParams& p, SparseMemory& mem);

    // CPU side.
    void cpu_read(uint64_t addr, void* dst, size_t len);
    void cpu_write(uint64_t addr, const void* src, size_t len);  // lines become dirty
    void cpu_flush(uint64_t addr, size_t len);  // clflush: write back dirty, invalidate
    void cpu_writeback_all();                   // write back every dirty line, keep it
    bool line_present(uint64_t addr) const;
    bool holds(uint64_t addr, size_t len) const;  // every line of the range is cached
    bool line_dirty(uint64_t addr) const;
    // Lines of addr's 4 KiB frame held in the cache, from the per-frame count that lets
    // a DMA to a frame the CPU does not hold skip the set scans (line_present scans).
    unsigned frame_lines(uint64_t addr) const;
    // Brings what a DMA to addr's line looks at first toward the host CPU: the frame's
    // line count and the line's set of tags (tlmx::HostPrefetch). Changes nothing.
    void prefetch(uint64_t addr) const {
        const uint64_t frame = addr / SparseMemory::kFrameBytes;
        if (const uint8_t* counts = frame_counts_.find(frame >> kCountChunkShift).data)
            __builtin_prefetch(counts + (frame & ((uint64_t(1) << kCountChunkShift) - 1)));
        const uint64_t* set = tags_.data() + (addr / kLineBytes & set_mask_) * params_.ways;
        __builtin_prefetch(set);
        __builtin_prefetch(set + params_.ways - 1);  // the last way: 16 span two host lines
    }

    // Brings the cached copy of addr's line toward the host CPU if the cache holds the
    // line dirty, which a snooped read would take (reading its set's tags to find it),
    // and says whether it did. Changes nothing.
    bool prefetch_line(uint64_t addr) const;
    // The 8 bytes at addr (8-aligned) as a snooped DMA read would see them, counting
    // nothing: a dirty line's copy, else memory's.
    uint64_t peek_u64(uint64_t addr) const;

    // DMA side: called by the memory controller when it services a request.
    void dma_read(uint64_t addr, void* dst, size_t len, bool snoop);
    void dma_write(uint64_t addr, const void* src, size_t len, bool snoop);

    const CacheParams& params() const { return params_; }

private:
    // A way's data is one aligned host cache line; its address, valid and dirty bits
    // live apart in tags_ and its LRU stamp in last_use_: a set scan reads 8 bytes a
    // way, and a snooped read of a dirty line touches one host line of data.
    struct alignas(kLineBytes) Line {
        std::array<uint8_t, kLineBytes> data{};
    };
    static_assert(sizeof(Line) == kLineBytes);
    static constexpr uint64_t kValid = 1, kDirty = 2;  // tag bits; 0: invalid
    static uint64_t tag_of(uint64_t line_no) { return line_no << 2 | kValid; }
    size_t way_of(const Line& l) const { return size_t(&l - lines_.data()); }
    bool valid(const Line& l) const { return tags_[way_of(l)] != 0; }
    uint64_t line_no(const Line& l) const { return tags_[way_of(l)] >> 2; }
    bool dirty(const Line& l) const { return tags_[way_of(l)] & kDirty; }
    void set_dirty(const Line& l, bool d) {
        uint64_t& t = tags_[way_of(l)];
        t = d ? t | kDirty : t & ~kDirty;
    }

    Line* lookup(uint64_t line_addr);
    const Line* lookup(uint64_t line_addr) const;
    Line& fill(uint64_t line_addr);  // allocate a way for a CPU miss, evicting LRU
    Line& cpu_line(uint64_t line_addr);  // lookup or fill; updates LRU and hit counters
    void write_back(Line& l);
    void invalidate(Line& l);
    uint8_t& frame_count(uint64_t no);  // line no.; allocates the count's chunk if need be
    void dma_read_line(uint64_t line_addr, size_t off, uint8_t* dst, size_t n, bool snoop);
    void dma_write_line(uint64_t line_addr, size_t off, const uint8_t* src, size_t n,
                        bool snoop);

    CacheParams params_;
    SparseMemory& mem_;
    uint64_t set_mask_;
    std::vector<Line> lines_;  // set s occupies [s * ways, (s + 1) * ways)
    std::vector<uint64_t> tags_;  // tag_of(line_no) of each way of lines_ | kDirty, or 0
    std::vector<uint64_t> last_use_;  // each way's LRU stamp
    uint64_t use_clock_ = 0;   // LRU stamps: deterministic, no wall clock
    // Valid lines per frame, one byte each (at most 64): every fill, eviction and
    // invalidation updates it. Chunks of 2^21 counts (8 GiB of addresses), numbered
    // addr >> 33. Snooped writes invalidate clean lines too, so all lines count.
    static constexpr unsigned kCountChunkShift = 21;
    ChunkTable frame_counts_{size_t(1) << kCountChunkShift, 64 - 12 - kCountChunkShift};

    sim::Counter cpu_reads_{*this, "cpu_reads", "", "CPU read accesses"};
    sim::Counter cpu_writes_{*this, "cpu_writes", "", "CPU write accesses"};
    sim::Counter cpu_hits_{*this, "cpu_hits", "", "CPU line lookups that hit"};
    sim::Counter cpu_misses_{*this, "cpu_misses", "", "CPU line lookups that missed"};
    sim::Counter evictions_{*this, "evictions", "", "valid lines replaced by a CPU miss"};
    sim::Counter writebacks_{*this, "writebacks", "", "dirty lines written to memory"};
    sim::Counter dma_reads_{*this, "dma_reads", "", "DMA read accesses"};
    sim::Counter dma_writes_{*this, "dma_writes", "", "DMA write accesses"};
    sim::Counter snoop_dirty_hits_{*this, "snoop_dirty_hits", "",
                                   "snooped DMA read lines supplied by a dirty cache line"};
    sim::Counter snoop_invalidations_{*this, "snoop_invalidations", "",
                                      "cached lines invalidated by a snooped DMA write"};
    sim::Counter nosnoop_stale_reads_{*this, "nosnoop_stale_reads", "",
                                      "non-snooped DMA read lines that were dirty in the "
                                      "cache (device read stale memory)"};
    sim::Counter nosnoop_lost_writes_{*this, "nosnoop_lost_writes", "",
                                      "non-snooped DMA write lines that were dirty in the "
                                      "cache (a later write-back overwrites them)"};
    sim::Counter nosnoop_stale_cpu_lines_{*this, "nosnoop_stale_cpu_lines", "",
                                          "non-snooped DMA write lines that were clean in "
                                          "the cache (CPU keeps a stale copy)"};
};

}  // namespace memory
