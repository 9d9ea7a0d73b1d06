#include "models/memory/coherent_cache.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "models/sim/error.h"
#include "models/sim/pow2.h"

namespace memory {

namespace {

constexpr uint64_t kLine = kCacheLineBytes;
constexpr uint64_t kFrame = SparseMemory::kFrameBytes;

// Calls f(unit_addr, offset_in_unit, n, offset_in_buffer) for each piece of
// [addr, addr + len) that falls in one aligned unit of `unit` bytes (a power of two).
// Addresses wrap modulo 2^64, as in memory.
template <class F>
void for_each_piece(uint64_t unit, uint64_t addr, size_t len, F&& f) {
    size_t done = 0;
    while (done < len) {
        uint64_t off = addr & (unit - 1);
        size_t n = std::min<size_t>(len - done, unit - off);
        f(addr - off, size_t(off), n, done);
        addr += n;
        done += n;
    }
}

template <class F>
void for_each_line(uint64_t addr, size_t len, F&& f) {
    for_each_piece(kLine, addr, len, std::forward<F>(f));
}

}  // namespace

void CacheParams::bind(sim::ParamBinder& b) {
    b.u64("size", size, "B", "CPU cache capacity (64-byte lines; size / (64 * ways) sets, "
          "a power of two)", kCacheLineBytes, 1ull << 30);
    b.u32("ways", ways, "", "CPU cache associativity", 1, 1024);
    b.f64("hit_latency_ns", hit_latency_ns, "ns",
          "a snooped DMA read whose lines are all in the cache is served from it in this "
          "time instead of by DRAM (LLC hit); 0: every access has DRAM timing", 0, 1e6);
}

void CacheParams::validate() const {
    if (ways == 0) throw sim::InputError("ways: must be at least 1");
    uint64_t line_bytes_per_set = kCacheLineBytes * ways;
    if (size % line_bytes_per_set || !sim::is_pow2(size / line_bytes_per_set))
        throw sim::InputError("size|ways: " + std::to_string(size) + " B with ways=" +
                              std::to_string(ways) +
                              " does not give a power-of-two number of sets "
                              "(sets = size / (64 * ways))");
}

CoherentCache::CoherentCache(const CacheParams& p, SparseMemory& mem)
    : params_(p), mem_(mem) {
    params_.validate();
    set_mask_ = params_.sets() - 1;
    lines_.resize(params_.sets() * params_.ways);
    tags_.resize(lines_.size(), 0);
    last_use_.resize(lines_.size(), 0);
}

// --- lookup and replacement ---

const CoherentCache::Line* CoherentCache::lookup(uint64_t line_addr) const {
    const uint64_t line_no = line_addr / kLine;
    const size_t first = (line_no & set_mask_) * params_.ways;
    const uint64_t* tags = &tags_[first];
    for (uint32_t w = 0; w < params_.ways; ++w)
        if ((tags[w] & ~kDirty) == tag_of(line_no)) return &lines_[first + w];
    return nullptr;
}

CoherentCache::Line* CoherentCache::lookup(uint64_t line_addr) {
    return const_cast<Line*>(std::as_const(*this).lookup(line_addr));
}

CoherentCache::Line& CoherentCache::fill(uint64_t line_addr) {
    const uint64_t no = line_addr / kLine;
    const size_t first = (no & set_mask_) * params_.ways;
    // The first invalid way if there is one, else the least recently used.
    size_t v = first;
    for (size_t w = first; w < first + params_.ways; ++w) {
        if (!tags_[w]) {
            v = w;
            break;
        }
        if (last_use_[w] < last_use_[v]) v = w;
    }
    Line* victim = &lines_[v];
    if (valid(*victim)) {
        ++evictions_;
        if (dirty(*victim)) write_back(*victim);
        --frame_count(line_no(*victim));
    }
    tags_[v] = tag_of(no);  // clean
    ++frame_count(no);
    mem_.read(line_addr, victim->data.data(), kLine);
    return *victim;
}

CoherentCache::Line& CoherentCache::cpu_line(uint64_t line_addr) {
    Line* l = lookup(line_addr);
    if (l) {
        ++cpu_hits_;
    } else {
        ++cpu_misses_;
        l = &fill(line_addr);
    }
    last_use_[way_of(*l)] = ++use_clock_;
    return *l;
}

void CoherentCache::write_back(Line& l) {
    mem_.write(line_no(l) * kLine, l.data.data(), kLine);
    set_dirty(l, false);
    ++writebacks_;
}

void CoherentCache::invalidate(Line& l) {
    if (valid(l)) --frame_count(line_no(l));
    tags_[way_of(l)] = 0;
}

uint8_t& CoherentCache::frame_count(uint64_t no) {
    const uint64_t frame = no / (SparseMemory::kFrameBytes / kLine);
    uint8_t* counts = frame_counts_.get_or_alloc(frame >> kCountChunkShift).data;
    return counts[frame & ((uint64_t(1) << kCountChunkShift) - 1)];
}

unsigned CoherentCache::frame_lines(uint64_t addr) const {
    const uint64_t frame = addr / SparseMemory::kFrameBytes;
    const uint8_t* counts = frame_counts_.find(frame >> kCountChunkShift).data;
    return counts ? counts[frame & ((uint64_t(1) << kCountChunkShift) - 1)] : 0;
}

// A snooped read takes a dirty line's bytes from the cache, anything else from memory
// (dma_read_line).
bool CoherentCache::prefetch_line(uint64_t addr) const {
    if (!frame_lines(addr)) return false;
    const Line* l = lookup(addr & ~(kLine - 1));
    if (!l || !dirty(*l)) return false;
    __builtin_prefetch(l->data.data());
    return true;
}

uint64_t CoherentCache::peek_u64(uint64_t addr) const {
    const Line* l = frame_lines(addr) ? lookup(addr & ~(kLine - 1)) : nullptr;
    if (!l || !dirty(*l)) return mem_.read_u64(addr);
    static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "table entries are little-endian");
    uint64_t v;
    std::memcpy(&v, l->data.data() + (addr & (kLine - 1)), 8);
    return v;
}

// --- CPU side ---

void CoherentCache::cpu_read(uint64_t addr, void* dst, size_t len) {
    if (!len) return;
    ++cpu_reads_;
    auto* out = static_cast<uint8_t*>(dst);
    for_each_line(addr, len, [&](uint64_t la, size_t off, size_t n, size_t pos) {
        std::memcpy(out + pos, cpu_line(la).data.data() + off, n);
    });
}

void CoherentCache::cpu_write(uint64_t addr, const void* src, size_t len) {
    if (!len) return;
    ++cpu_writes_;
    auto* in = static_cast<const uint8_t*>(src);
    for_each_line(addr, len, [&](uint64_t la, size_t off, size_t n, size_t pos) {
        Line& l = cpu_line(la);
        std::memcpy(l.data.data() + off, in + pos, n);
        set_dirty(l, true);
    });
}

void CoherentCache::cpu_flush(uint64_t addr, size_t len) {
    for_each_line(addr, len, [&](uint64_t la, size_t, size_t, size_t) {
        if (Line* l = lookup(la)) {
            if (dirty(*l)) write_back(*l);
            invalidate(*l);
        }
    });
}

void CoherentCache::cpu_writeback_all() {
    for (Line& l : lines_)
        if (valid(l) && dirty(l)) write_back(l);
}

bool CoherentCache::line_present(uint64_t addr) const {
    return lookup(addr & ~(kLine - 1)) != nullptr;
}

bool CoherentCache::holds(uint64_t addr, size_t len) const {
    for (uint64_t line = addr & ~(kLine - 1); line < addr + len; line += kLine)
        if (!frame_lines(line) || !lookup(line)) return false;
    return true;
}

bool CoherentCache::line_dirty(uint64_t addr) const {
    const Line* l = lookup(addr & ~(kLine - 1));
    return l && dirty(*l);
}

// --- DMA side: snoops neither allocate lines nor change LRU order ---

// A frame with no cached line goes to memory in one piece: no line of it can be hit,
// so the set scans would find nothing and count nothing.
void CoherentCache::dma_read(uint64_t addr, void* dst, size_t len, bool snoop) {
    if (!len) return;
    ++dma_reads_;
    auto* out = static_cast<uint8_t*>(dst);
    for_each_piece(kFrame, addr, len, [&](uint64_t fa, size_t off, size_t n, size_t pos) {
        if (!frame_lines(fa)) return mem_.read(fa + off, out + pos, n);
        for_each_line(fa + off, n, [&](uint64_t la, size_t loff, size_t ln, size_t lpos) {
            dma_read_line(la, loff, out + pos + lpos, ln, snoop);
        });
    });
}

void CoherentCache::dma_write(uint64_t addr, const void* src, size_t len, bool snoop) {
    if (!len) return;
    ++dma_writes_;
    auto* in = static_cast<const uint8_t*>(src);
    for_each_piece(kFrame, addr, len, [&](uint64_t fa, size_t off, size_t n, size_t pos) {
        if (!frame_lines(fa)) return mem_.write(fa + off, in + pos, n);
        for_each_line(fa + off, n, [&](uint64_t la, size_t loff, size_t ln, size_t lpos) {
            dma_write_line(la, loff, in + pos + lpos, ln, snoop);
        });
    });
}

void CoherentCache::dma_read_line(uint64_t la, size_t off, uint8_t* dst, size_t n,
                                  bool snoop) {
    const Line* l = lookup(la);
    const bool held_dirty = l && dirty(*l);
    if (held_dirty && snoop) {
        ++snoop_dirty_hits_;
        std::memcpy(dst, l->data.data() + off, n);
        return;
    }
    // A clean line may be stale (after a non-snooped write), so memory is the truth.
    if (held_dirty) ++nosnoop_stale_reads_;
    mem_.read(la + off, dst, n);
}

void CoherentCache::dma_write_line(uint64_t la, size_t off, const uint8_t* src, size_t n,
                                   bool snoop) {
    Line* l = lookup(la);
    if (l && snoop) {
        // Keep the CPU's bytes outside the DMA range; fully overwritten ones are dead.
        if (dirty(*l) && n < kLine) write_back(*l);
        invalidate(*l);
        ++snoop_invalidations_;
    } else if (l) {
        if (dirty(*l))
            ++nosnoop_lost_writes_;
        else
            ++nosnoop_stale_cpu_lines_;
    }
    mem_.write(la + off, src, n);
}

}  // namespace memory
