// The coherent cache's per-frame count of cached lines, which lets DMA to a frame the
// CPU does not hold skip the set scans, against a full scan after every step.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "models/memory/coherent_cache.h"
#include "models/memory/sparse_memory.h"
#include "tests/unit/memory/memory_test_util.h"

using memory::CacheParams;
using memory::CoherentCache;
using memory::SparseMemory;

namespace {

constexpr uint64_t kFrame = SparseMemory::kFrameBytes;

// Lines of the frame at `frame_addr` that the set scans (line_present) find.
unsigned scanned_lines(const CoherentCache& c, uint64_t frame_addr) {
    unsigned n = 0;
    for (uint64_t off = 0; off < kFrame; off += 64) n += c.line_present(frame_addr + off);
    return n;
}

// holds() as it was before the count: the same loop over set scans.
bool all_present(const CoherentCache& c, uint64_t a, size_t len) {
    for (uint64_t line = a & ~uint64_t(63); line < a + len; line += 64)
        if (!c.line_present(line)) return false;
    return true;
}

}  // namespace

TEST_CASE("CoherentCache: the per-frame line count follows fills, evictions and "
          "invalidations", "[memory][cache]") {
    SparseMemory mem;
    CoherentCache c(CacheParams{4096, 2}, mem);  // 32 sets x 2 ways: evicts quickly
    std::vector<uint8_t> buf(256, 7);
    CHECK(c.frame_lines(0x10000) == 0);
    c.cpu_read(0x10000, buf.data(), 128);  // two lines
    CHECK(c.frame_lines(0x10FFF) == 2);
    c.dma_write(0x10000, buf.data(), 64, true);  // a snooped write invalidates a clean line
    CHECK(c.frame_lines(0x10000) == 1);
    c.dma_write(0x10040, buf.data(), 64, false);  // a non-snooped one invalidates nothing
    CHECK(c.frame_lines(0x10000) == 1);
    c.cpu_flush(0x10000, 4096);
    CHECK(c.frame_lines(0x10000) == 0);
    // Three frames whose first lines share set 0: the third evicts the LRU first one.
    c.cpu_read(0x20000, buf.data(), 1);
    c.cpu_read(0x21000, buf.data(), 1);
    c.cpu_read(0x22000, buf.data(), 1);
    CHECK(c.frame_lines(0x20000) == 0);
    CHECK(c.frame_lines(0x21000) == 1);
    CHECK(c.frame_lines(0x22000) == 1);
}

TEST_CASE("CoherentCache fuzz: the per-frame line count always equals a full scan",
          "[memory][cache][fuzz]") {
    // 16 sets x 4 ways over 24 frames (three of them across the wrap at 2^64, one far
    // away): lines are filled, evicted and invalidated all the time.
    const uint64_t bases[] = {0x7000, uint64_t(5) << 44, ~uint64_t(0) - 2 * kFrame + 1};
    SparseMemory mem;
    CoherentCache c(CacheParams{4096, 4}, mem);
    std::mt19937_64 rng(1203);
    std::vector<uint8_t> buf(9000);
    for (int op = 0; op < 20000; ++op) {
        const uint64_t a = bases[rng() % 3] + rng() % (8 * kFrame);
        const size_t len = rng() % 4 ? 1 + rng() % 128 : rng() % 9000;
        const bool snoop = rng() & 1;
        switch (rng() % 7) {
        case 0: c.cpu_read(a, buf.data(), len); break;
        case 1: c.cpu_write(a, buf.data(), len); break;
        case 2: c.cpu_flush(a, len); break;
        case 3: c.dma_read(a, buf.data(), len, snoop); break;
        case 4: c.dma_write(a, buf.data(), len, snoop); break;
        case 5: REQUIRE(c.holds(a, len) == all_present(c, a, len)); break;
        default: c.cpu_writeback_all();
        }
        INFO("op " << op);
        for (uint64_t base : bases)
            for (uint64_t f = 0; f < 9; ++f)
                REQUIRE(c.frame_lines(base + f * kFrame) == scanned_lines(c, base + f * kFrame));
    }
}

TEST_CASE("CoherentCache: a prefetch changes no line, count or statistic", "[memory][cache]") {
    SparseMemory mem;
    CoherentCache c(CacheParams{4096, 2}, mem);
    std::vector<uint8_t> buf(64, 7);
    c.prefetch(0x30000);  // no count chunk yet: nothing is allocated for it
    c.cpu_write(0x10000, buf.data(), 64);
    c.prefetch(0x10000);
    c.prefetch(~uint64_t(0));
    CHECK(c.frame_lines(0x10000) == 1);
    CHECK(c.frame_lines(0x30000) == 0);
    CHECK(c.line_dirty(0x10000));
    CHECK(mem.frames() == 0);  // the dirty line is not written back
    CHECK(memtest::counter(c, "cpu_misses") == 1);
    CHECK(memtest::counter(c, "cpu_hits") == 0);
    CHECK(memtest::counter(c, "dma_reads") == 0);
}
