#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <array>
#include <initializer_list>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/memory/coherent_cache.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/error.h"
#include "tests/unit/memory/memory_test_util.h"

using memory::CacheParams;
using memory::CoherentCache;
using memory::SparseMemory;
using Bytes = std::vector<uint8_t>;

namespace {

constexpr uint64_t L = 0x1000;  // a line-aligned address used by the scenarios

const char* const kCounters[] = {
    "cpu_reads",   "cpu_writes",       "cpu_hits",         "cpu_misses",
    "evictions",   "writebacks",       "dma_reads",        "dma_writes",
    "snoop_dirty_hits", "snoop_invalidations", "nosnoop_stale_reads",
    "nosnoop_lost_writes", "nosnoop_stale_cpu_lines"};

Bytes B(size_t n, uint8_t v) { return Bytes(n, v); }

Bytes cat(std::initializer_list<Bytes> parts) {
    Bytes out;
    for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
    return out;
}

Bytes seq(size_t n, uint8_t first = 0) {
    Bytes v(n);
    for (size_t i = 0; i < n; ++i) v[i] = uint8_t(first + i);
    return v;
}

// Every counter not named in `expected` must be zero.
void check_counters(const CoherentCache& c, const std::map<std::string, uint64_t>& expected) {
    for (const char* name : kCounters) {
        auto it = expected.find(name);
        INFO("counter " << name);
        CHECK(memtest::counter(c, name) == (it == expected.end() ? 0 : it->second));
    }
}

struct Rig {
    SparseMemory mem;
    CoherentCache cache;
    explicit Rig(uint64_t size = 64 * 1024, uint32_t ways = 4)
        : cache(CacheParams{size, ways}, mem) {
        mem.write(L, B(64, 0x11).data(), 64);  // what memory held before the CPU ran
    }
    Bytes mem_read(uint64_t a, size_t n) const {
        Bytes v(n, 0xAA);
        mem.read(a, v.data(), n);
        return v;
    }
    Bytes cpu_read(uint64_t a, size_t n) {
        Bytes v(n, 0xAA);
        cache.cpu_read(a, v.data(), n);
        return v;
    }
    void cpu_write(uint64_t a, const Bytes& v) { cache.cpu_write(a, v.data(), v.size()); }
    Bytes dma_read(uint64_t a, size_t n, bool snoop) {
        Bytes v(n, 0xAA);
        cache.dma_read(a, v.data(), n, snoop);
        return v;
    }
    void dma_write(uint64_t a, const Bytes& v, bool snoop) {
        cache.dma_write(a, v.data(), v.size(), snoop);
    }
};

}  // namespace

// --- parameters ---

TEST_CASE("CacheParams: sets must be a power of two", "[memory][cache]") {
    CHECK_NOTHROW(CacheParams{}.validate());  // 2 MiB, 16 ways: 2048 sets
    CHECK(CacheParams{}.sets() == 2048);
    CHECK_THROWS_AS((CacheParams{3 * 64 * 16, 16}.validate()), sim::InputError);  // 3 sets
    CHECK_THROWS_WITH((CacheParams{3 * 64 * 16, 16}.validate()), Catch::Contains("size"));
    CHECK_THROWS_WITH((CacheParams{1000, 1}.validate()), Catch::Contains("size"));
    CHECK_THROWS_WITH((CacheParams{4096, 0}.validate()), Catch::Contains("ways"));
    CHECK_NOTHROW(CacheParams{64, 1}.validate());  // one line, one set
    SparseMemory mem;
    CHECK_THROWS_AS(CoherentCache(CacheParams{3 << 20, 16}, mem), sim::InputError);
}

TEST_CASE("CacheParams: bind names each field and rejects a bad geometry",
          "[memory][cache]") {
    memtest::TestBinder b;
    CacheParams p;
    p.bind(b);
    REQUIRE(b.fields.size() == 3);
    CHECK(b.fields.at("size").unit == "B");
    CHECK(b.fields.at("hit_latency_ns").unit == "ns");
    CHECK(b.fields.at("ways").unit == "");
    CHECK_FALSE(b.fields.at("ways").desc.empty());

    b.u64_values = {{"size", 4u << 20}, {"ways", 8}};
    p.bind(b);
    CHECK(p.size == 4u << 20);
    CHECK(p.ways == 8);
    CHECK(p.sets() == 8192);

    b.u64_values = {{"size", 3u << 20}, {"ways", 16}};  // 3072 sets
    CacheParams bad;
    bad.bind(b);  // reading does not judge; validate() does, naming the key
    CHECK_THROWS_WITH(bad.validate(), Catch::StartsWith("size|ways:"));
}

// --- snooped DMA: one coherent memory ---

TEST_CASE("CoherentCache: snooped read takes the CPU's dirty bytes", "[memory][cache]") {
    Rig r;
    r.cpu_write(L + 8, B(4, 0xCC));
    REQUIRE(r.cache.line_dirty(L));
    CHECK(r.dma_read(L, 16, true) == cat({B(8, 0x11), B(4, 0xCC), B(4, 0x11)}));
    CHECK(r.mem_read(L, 64) == B(64, 0x11));  // supplied from the cache, not written back
    CHECK(r.cache.line_dirty(L));
    check_counters(r.cache,
                   {{"cpu_writes", 1}, {"cpu_misses", 1}, {"dma_reads", 1},
                    {"snoop_dirty_hits", 1}});
}

TEST_CASE("CoherentCache: snooped read of clean or absent lines reads memory",
          "[memory][cache]") {
    Rig r;
    CHECK(r.cpu_read(L, 64) == B(64, 0x11));  // cached clean
    CHECK(r.dma_read(L, 128, true) == cat({B(64, 0x11), B(64, 0)}));
    CHECK(r.cache.line_present(L));
    CHECK_FALSE(r.cache.line_present(L + 64));  // DMA does not allocate
    check_counters(r.cache, {{"cpu_reads", 1}, {"cpu_misses", 1}, {"dma_reads", 1}});
}

TEST_CASE("CoherentCache: snooped partial write to a dirty line keeps the CPU's other "
          "bytes", "[memory][cache]") {
    Rig r;
    r.cpu_write(L, B(64, 0xCC));
    r.dma_write(L + 16, B(8, 0xDD), true);
    Bytes expect = cat({B(16, 0xCC), B(8, 0xDD), B(40, 0xCC)});
    CHECK(r.mem_read(L, 64) == expect);
    CHECK_FALSE(r.cache.line_present(L));
    CHECK(r.cpu_read(L, 64) == expect);
    check_counters(r.cache, {{"cpu_writes", 1}, {"cpu_reads", 1}, {"cpu_misses", 2},
                             {"dma_writes", 1}, {"writebacks", 1},
                             {"snoop_invalidations", 1}});
}

TEST_CASE("CoherentCache: snooped full-line write discards a dirty line unwritten",
          "[memory][cache]") {
    Rig r;
    r.cpu_write(L, B(64, 0xCC));
    r.dma_write(L, B(64, 0xDD), true);
    CHECK(r.mem_read(L, 64) == B(64, 0xDD));
    CHECK(r.cpu_read(L, 64) == B(64, 0xDD));
    check_counters(r.cache, {{"cpu_writes", 1}, {"cpu_reads", 1}, {"cpu_misses", 2},
                             {"dma_writes", 1}, {"snoop_invalidations", 1}});
}

TEST_CASE("CoherentCache: snooped write invalidates a clean line", "[memory][cache]") {
    Rig r;
    r.cpu_read(L, 64);
    r.dma_write(L + 60, B(8, 0xDD), true);  // 4 bytes in L, 4 in the uncached next line
    CHECK_FALSE(r.cache.line_present(L));
    CHECK(r.cpu_read(L, 72) == cat({B(60, 0x11), B(8, 0xDD), B(4, 0)}));
    check_counters(r.cache, {{"cpu_reads", 2}, {"cpu_misses", 3}, {"dma_writes", 1},
                             {"snoop_invalidations", 1}});
}

TEST_CASE("CoherentCache: snooped write across dirty lines writes back only partly "
          "covered ones", "[memory][cache]") {
    Rig r;
    r.cpu_write(L, B(192, 0xCC));
    r.dma_write(L + 32, B(128, 0xDD), true);  // 32 B of line 0, all of 1, 32 B of 2
    CHECK(r.mem_read(L, 192) == cat({B(32, 0xCC), B(128, 0xDD), B(32, 0xCC)}));
    for (uint64_t a : {L, L + 64, L + 128}) CHECK_FALSE(r.cache.line_present(a));
    check_counters(r.cache, {{"cpu_writes", 1}, {"cpu_misses", 3}, {"dma_writes", 1},
                             {"writebacks", 2}, {"snoop_invalidations", 3}});
}

// --- non-snooped DMA: memory only, hazards counted ---

TEST_CASE("CoherentCache: non-snooped read of a dirty line gets stale memory",
          "[memory][cache]") {
    Rig r;
    r.cpu_write(L, B(64, 0xCC));
    CHECK(r.dma_read(L, 64, false) == B(64, 0x11));
    check_counters(r.cache, {{"cpu_writes", 1}, {"cpu_misses", 1}, {"dma_reads", 1},
                             {"nosnoop_stale_reads", 1}});

    // Two dirty lines and one uncached line: two stale lines.
    r.cpu_write(L + 64, B(64, 0xCC));
    CHECK(r.dma_read(L, 192, false) == cat({B(64, 0x11), B(128, 0)}));
    CHECK(memtest::counter(r.cache, "nosnoop_stale_reads") == 3);

    // The driver's discipline: flush first, then the device reads the CPU's bytes.
    r.cache.cpu_flush(L, 128);
    CHECK(r.dma_read(L, 128, false) == B(128, 0xCC));
    check_counters(r.cache, {{"cpu_writes", 2}, {"cpu_misses", 2}, {"dma_reads", 3},
                             {"writebacks", 2}, {"nosnoop_stale_reads", 3}});
}

TEST_CASE("CoherentCache: non-snooped read of a clean line is not a hazard",
          "[memory][cache]") {
    Rig r;
    r.cpu_read(L, 64);
    CHECK(r.dma_read(L, 64, false) == B(64, 0x11));
    check_counters(r.cache, {{"cpu_reads", 1}, {"cpu_misses", 1}, {"dma_reads", 1}});
}

TEST_CASE("CoherentCache: non-snooped write under a dirty line is lost to the write-back",
          "[memory][cache]") {
    Rig r;
    r.cpu_write(L, B(8, 0xCC));  // line: 8 x CC, 56 x 11, dirty
    r.dma_write(L, B(64, 0xDD), false);
    CHECK(r.mem_read(L, 64) == B(64, 0xDD));  // the device's bytes reached memory...
    CHECK(r.cache.line_dirty(L));
    CHECK(r.cpu_read(L, 64) == cat({B(8, 0xCC), B(56, 0x11)}));  // ...the CPU sees its own
    r.cache.cpu_flush(L, 64);
    CHECK(r.mem_read(L, 64) == cat({B(8, 0xCC), B(56, 0x11)}));  // ...and overwrites them
    CHECK_FALSE(r.cache.line_present(L));
    check_counters(r.cache, {{"cpu_writes", 1}, {"cpu_reads", 1}, {"cpu_misses", 1},
                             {"cpu_hits", 1}, {"dma_writes", 1}, {"writebacks", 1},
                             {"nosnoop_lost_writes", 1}});
}

TEST_CASE("CoherentCache: non-snooped write under a clean line leaves a stale CPU copy",
          "[memory][cache]") {
    Rig r;
    r.cpu_read(L, 64);
    r.dma_write(L, B(64, 0xDD), false);
    CHECK(r.mem_read(L, 64) == B(64, 0xDD));
    CHECK(r.cpu_read(L, 64) == B(64, 0x11));  // stale
    r.cache.cpu_flush(L, 64);                  // clean: nothing written back
    CHECK(r.mem_read(L, 64) == B(64, 0xDD));
    CHECK(r.cpu_read(L, 64) == B(64, 0xDD));
    check_counters(r.cache, {{"cpu_reads", 3}, {"cpu_misses", 2}, {"cpu_hits", 1},
                             {"dma_writes", 1}, {"nosnoop_stale_cpu_lines", 1}});
}

TEST_CASE("CoherentCache: non-snooped DMA to uncached lines is plain memory",
          "[memory][cache]") {
    Rig r;
    r.dma_write(L + 10, B(100, 0xDD), false);
    CHECK(r.dma_read(L, 128, false) == cat({B(10, 0x11), B(100, 0xDD), B(18, 0)}));
    CHECK(r.cpu_read(L + 10, 100) == B(100, 0xDD));
    check_counters(r.cache, {{"cpu_reads", 1}, {"cpu_misses", 2}, {"dma_reads", 1},
                             {"dma_writes", 1}});
}

// --- CPU side: replacement, write-back ---

TEST_CASE("CoherentCache: LRU chooses the victim", "[memory][cache]") {
    Rig r(256, 2);  // 2 sets of 2 ways: lines 0x0, 0x80, 0x100 share set 0
    const uint64_t A = 0x0, Bl = 0x80, C = 0x100, D = 0x40;  // D is in set 1
    r.cpu_read(A, 1);
    r.cpu_read(D, 1);
    r.cpu_read(Bl, 1);
    r.cpu_read(A, 1);  // A becomes most recent: B is the LRU of set 0
    r.cpu_read(C, 1);
    CHECK(r.cache.line_present(A));
    CHECK_FALSE(r.cache.line_present(Bl));
    CHECK(r.cache.line_present(C));
    CHECK(r.cache.line_present(D));  // another set is untouched
    check_counters(r.cache, {{"cpu_reads", 5}, {"cpu_hits", 1}, {"cpu_misses", 4},
                             {"evictions", 1}});
    r.cpu_read(Bl, 1);  // now A (used before C) goes
    CHECK_FALSE(r.cache.line_present(A));
    CHECK(r.cache.line_present(C));
    CHECK(memtest::counter(r.cache, "evictions") == 2);
}

TEST_CASE("CoherentCache: DMA does not change LRU order", "[memory][cache]") {
    Rig r(256, 2);
    r.cpu_read(0x0, 1);
    r.cpu_read(0x80, 1);
    r.dma_read(0x0, 64, true);  // a snoop is not a use
    r.cpu_read(0x100, 1);
    CHECK_FALSE(r.cache.line_present(0x0));
    CHECK(r.cache.line_present(0x80));
}

TEST_CASE("CoherentCache: a dirty victim is written back on eviction", "[memory][cache]") {
    Rig r(256, 2);
    const Bytes X = seq(8, 0x50);
    r.cpu_write(0x8, X);
    r.cpu_read(0x80, 1);
    CHECK(r.mem_read(0x8, 8) == B(8, 0));  // still only in the cache
    r.cpu_read(0x100, 1);                  // evicts line 0x0, dirty
    CHECK_FALSE(r.cache.line_present(0x0));
    CHECK(r.mem_read(0x8, 8) == X);
    CHECK(r.cpu_read(0x8, 8) == X);  // refetched; evicts clean 0x80 with no write-back
    CHECK_FALSE(r.cache.line_present(0x80));
    check_counters(r.cache, {{"cpu_writes", 1}, {"cpu_reads", 3}, {"cpu_misses", 4},
                             {"evictions", 2}, {"writebacks", 1}});
}

TEST_CASE("CoherentCache: cpu_writeback_all cleans every dirty line and keeps it",
          "[memory][cache]") {
    Rig r;
    r.cpu_write(0x0, B(64, 1));
    r.cpu_write(0x40, B(64, 2));
    r.cpu_write(0x12340, B(1, 3));
    r.cpu_read(0x80, 1);  // clean: not written
    r.cache.cpu_writeback_all();
    CHECK(memtest::counter(r.cache, "writebacks") == 3);
    for (uint64_t a : {0x0ull, 0x40ull, 0x12340ull, 0x80ull}) {
        CHECK(r.cache.line_present(a));
        CHECK_FALSE(r.cache.line_dirty(a));
    }
    CHECK(r.mem_read(0x0, 128) == cat({B(64, 1), B(64, 2)}));
    CHECK(r.mem_read(0x12340, 2) == Bytes{3, 0});
    r.cache.cpu_writeback_all();
    CHECK(memtest::counter(r.cache, "writebacks") == 3);
    r.cpu_write(0x40, B(1, 9));
    r.cache.cpu_writeback_all();
    CHECK(memtest::counter(r.cache, "writebacks") == 4);
}

TEST_CASE("CoherentCache: cpu_flush writes back and invalidates only cached lines",
          "[memory][cache]") {
    Rig r;
    r.cpu_write(L, B(64, 0xCC));
    r.cpu_read(L + 64, 1);
    r.cache.cpu_flush(L, 256);  // one dirty, one clean, two absent
    CHECK_FALSE(r.cache.line_present(L));
    CHECK_FALSE(r.cache.line_present(L + 64));
    CHECK(r.mem_read(L, 64) == B(64, 0xCC));
    CHECK(memtest::counter(r.cache, "writebacks") == 1);
}

TEST_CASE("CoherentCache: accesses wrap past 2^64 - 1", "[memory][cache]") {
    Rig r;
    const uint64_t top = ~uint64_t(0) - 31;  // 32 bytes below the wrap
    const Bytes v = seq(64, 1);
    r.cpu_write(top, v);
    CHECK(r.cache.line_dirty(~uint64_t(0)));
    CHECK(r.cache.line_dirty(0));
    CHECK(r.cpu_read(top, 64) == v);
    CHECK(r.dma_read(top, 64, true) == v);
    r.cache.cpu_flush(top, 64);
    CHECK(r.mem_read(top, 64) == v);
    CHECK(r.mem_read(0, 32) == Bytes(v.begin() + 32, v.end()));
    CHECK(memtest::counter(r.cache, "writebacks") == 2);
}

// --- fuzz: random CPU and DMA operations against byte-map reference models ---

namespace {

// Ops are random ranges inside a footprint of `span` bytes from `base` (wrapping).
struct RandomRange {
    std::mt19937_64& rng;
    uint64_t base, span;
    size_t max_len;
    std::pair<uint64_t, size_t> operator()() {
        uint64_t off = rng() % span;
        size_t len = 1 + size_t(rng() % std::min<uint64_t>(max_len, span - off));
        return {base + off, len};
    }
};

Bytes random_bytes(std::mt19937_64& rng, size_t n) {
    Bytes v(n);
    for (auto& b : v) b = uint8_t(rng());
    return v;
}

// Lines touched by [a, a + len), in order.
std::vector<uint64_t> lines_of(uint64_t a, size_t len) {
    std::vector<uint64_t> v;
    for (size_t i = 0; i < len; ++i) {
        uint64_t la = (a + i) & ~uint64_t(63);
        if (v.empty() || v.back() != la) v.push_back(la);
    }
    return v;
}

// The semantics of the header, restated byte by byte for a cache that never evicts.
struct RefSystem {
    struct Line {
        bool dirty = false;
        std::array<uint8_t, 64> d{};
    };
    std::unordered_map<uint64_t, uint8_t> mem;  // absent bytes are 0
    std::map<uint64_t, Line> lines;
    std::map<std::string, uint64_t> n;

    uint8_t m(uint64_t a) const {
        auto it = mem.find(a);
        return it == mem.end() ? 0 : it->second;
    }
    Line* find(uint64_t la) {
        auto it = lines.find(la);
        return it == lines.end() ? nullptr : &it->second;
    }
    Line& use(uint64_t la) {
        if (Line* l = find(la)) {
            ++n["cpu_hits"];
            return *l;
        }
        ++n["cpu_misses"];
        Line& l = lines[la];
        for (int i = 0; i < 64; ++i) l.d[i] = m(la + i);
        return l;
    }
    void write_back(uint64_t la, Line& l) {
        for (int i = 0; i < 64; ++i) mem[la + i] = l.d[i];
        l.dirty = false;
        ++n["writebacks"];
    }
    Bytes cpu_read(uint64_t a, size_t len) {
        ++n["cpu_reads"];
        for (uint64_t la : lines_of(a, len)) use(la);
        Bytes v(len);
        for (size_t i = 0; i < len; ++i) v[i] = lines[(a + i) & ~63ull].d[(a + i) & 63];
        return v;
    }
    void cpu_write(uint64_t a, const Bytes& v) {
        ++n["cpu_writes"];
        for (uint64_t la : lines_of(a, v.size())) use(la).dirty = true;
        for (size_t i = 0; i < v.size(); ++i) lines[(a + i) & ~63ull].d[(a + i) & 63] = v[i];
    }
    void cpu_flush(uint64_t a, size_t len) {
        for (uint64_t la : lines_of(a, len))
            if (Line* l = find(la)) {
                if (l->dirty) write_back(la, *l);
                lines.erase(la);
            }
    }
    void cpu_writeback_all() {
        for (auto& [la, l] : lines)
            if (l.dirty) write_back(la, l);
    }
    Bytes dma_read(uint64_t a, size_t len, bool snoop) {
        ++n["dma_reads"];
        for (uint64_t la : lines_of(a, len))
            if (Line* l = find(la); l && l->dirty)
                ++n[snoop ? "snoop_dirty_hits" : "nosnoop_stale_reads"];
        Bytes v(len);
        for (size_t i = 0; i < len; ++i) {
            Line* l = find((a + i) & ~63ull);
            v[i] = (snoop && l && l->dirty) ? l->d[(a + i) & 63] : m(a + i);
        }
        return v;
    }
    void dma_write(uint64_t a, const Bytes& v, bool snoop) {
        ++n["dma_writes"];
        for (uint64_t la : lines_of(a, v.size())) {
            Line* l = find(la);
            if (!l) continue;
            size_t covered = 0;
            for (size_t i = 0; i < v.size(); ++i) covered += ((a + i) & ~63ull) == la;
            if (snoop) {
                if (l->dirty && covered < 64) write_back(la, *l);
                lines.erase(la);
                ++n["snoop_invalidations"];
            } else {
                ++n[l->dirty ? "nosnoop_lost_writes" : "nosnoop_stale_cpu_lines"];
            }
        }
        for (size_t i = 0; i < v.size(); ++i) mem[a + i] = v[i];
    }
};

}  // namespace

TEST_CASE("CoherentCache fuzz: every operation matches a byte-map reference exactly",
          "[memory][cache][fuzz]") {
    // 64 sets x 2 ways and a 64-line footprint: one line per set, so nothing is ever
    // evicted and the reference can ignore replacement. The footprint straddles 2^64.
    const uint64_t base = ~uint64_t(0) - 2047, span = 4096;
    Rig r(8192, 2);
    RefSystem ref;  // the Rig's bytes at L lie outside the footprint
    std::mt19937_64 rng(12345);
    RandomRange pick{rng, base, span, 200};

    for (int op = 0; op < 20000; ++op) {
        auto [a, len] = pick();
        bool snoop = rng() & 1;
        INFO("op " << op << " addr " << std::hex << a << " len " << std::dec << len);
        switch (rng() % 8) {
        case 0:
        case 1: REQUIRE(r.cpu_read(a, len) == ref.cpu_read(a, len)); break;
        case 2:
        case 3: {
            Bytes v = random_bytes(rng, len);
            r.cpu_write(a, v);
            ref.cpu_write(a, v);
            break;
        }
        case 4: REQUIRE(r.dma_read(a, len, snoop) == ref.dma_read(a, len, snoop)); break;
        case 5: {
            Bytes v = random_bytes(rng, len);
            r.dma_write(a, v, snoop);
            ref.dma_write(a, v, snoop);
            break;
        }
        case 6:
            r.cache.cpu_flush(a, len);
            ref.cpu_flush(a, len);
            break;
        default:
            if (rng() % 8 == 0) {
                r.cache.cpu_writeback_all();
                ref.cpu_writeback_all();
            }
        }
        for (uint64_t la = base; la != base + span; la += 64) {
            auto* l = ref.find(la);
            REQUIRE(r.cache.line_present(la) == (l != nullptr));
            REQUIRE(r.cache.line_dirty(la) == (l && l->dirty));
        }
    }
    for (const char* name : kCounters) {
        INFO("counter " << name);
        CHECK(memtest::counter(r.cache, name) == ref.n[name]);
    }
    CHECK(ref.n["nosnoop_lost_writes"] > 0);  // the run met every hazard
    CHECK(ref.n["nosnoop_stale_cpu_lines"] > 0);
    CHECK(ref.n["nosnoop_stale_reads"] > 0);
    r.cache.cpu_writeback_all();
    ref.cpu_writeback_all();
    Bytes mem = r.mem_read(base, span);
    for (uint64_t i = 0; i < span; ++i) REQUIRE(mem[i] == ref.m(base + i));
}

TEST_CASE("CoherentCache fuzz: with snooping or flushing DMA and CPU see one memory",
          "[memory][cache][fuzz]") {
    // A tiny cache (4 sets x 2 ways) under a large footprint: constant evictions.
    Rig r(512, 2);
    std::unordered_map<uint64_t, uint8_t> truth;  // the one memory everyone should see
    for (int i = 0; i < 64; ++i) truth[L + i] = 0x11;
    auto expect = [&](uint64_t a, size_t len) {
        Bytes v(len);
        for (size_t i = 0; i < len; ++i) {
            auto it = truth.find(a + i);
            v[i] = it == truth.end() ? 0 : it->second;
        }
        return v;
    };
    auto store = [&](uint64_t a, const Bytes& v) {
        for (size_t i = 0; i < v.size(); ++i) truth[a + i] = v[i];
    };
    std::mt19937_64 rng(777);
    RandomRange low{rng, 0x0, 16384, 300};
    RandomRange wrap{rng, ~uint64_t(0) - 511, 1024, 300};

    for (int op = 0; op < 20000; ++op) {
        auto [a, len] = (rng() % 4) ? low() : wrap();
        INFO("op " << op << " addr " << std::hex << a << " len " << std::dec << len);
        switch (rng() % 8) {
        case 0: REQUIRE(r.cpu_read(a, len) == expect(a, len)); break;
        case 1: {
            Bytes v = random_bytes(rng, len);
            r.cpu_write(a, v);
            store(a, v);
            break;
        }
        case 2: REQUIRE(r.dma_read(a, len, true) == expect(a, len)); break;
        case 3: {
            Bytes v = random_bytes(rng, len);
            r.dma_write(a, v, true);
            store(a, v);
            break;
        }
        case 4:  // a non-snooped read after the driver writes the buffer back
            if (rng() & 1)
                r.cache.cpu_flush(a, len);
            else
                r.cache.cpu_writeback_all();
            REQUIRE(r.dma_read(a, len, false) == expect(a, len));
            break;
        case 5: {  // a non-snooped write after the driver invalidates the buffer
            Bytes v = random_bytes(rng, len);
            r.cache.cpu_flush(a, len);
            r.dma_write(a, v, false);
            store(a, v);
            break;
        }
        case 6: r.cache.cpu_flush(a, len); break;
        default: REQUIRE(r.cpu_read(a, len) == expect(a, len));
        }
    }
    for (const char* h : {"nosnoop_stale_reads", "nosnoop_lost_writes",
                          "nosnoop_stale_cpu_lines"})
        CHECK(memtest::counter(r.cache, h) == 0);
    for (const char* busy : {"evictions", "writebacks", "snoop_dirty_hits",
                             "snoop_invalidations"})
        CHECK(memtest::counter(r.cache, busy) > 0);
    r.cache.cpu_writeback_all();
    CHECK(r.mem_read(0, 16384) == expect(0, 16384));
    CHECK(r.mem_read(~uint64_t(0) - 511, 1024) == expect(~uint64_t(0) - 511, 1024));
}

// --- host-side look-ahead (tlmx::LookAhead): reads that count nothing ---

TEST_CASE("CoherentCache: peek_u64 sees what a snooped read would, and counts nothing",
          "[memory][cache][look_ahead]") {
    Rig r;
    r.mem.write_u64(L + 64, 0x0123'4567'89ab'cdefull);           // memory only
    r.cpu_write(L + 8, {1, 2, 3, 4, 5, 6, 7, 8});                 // dirty in the cache
    CHECK(r.cpu_read(L + 128, 8) == B(8, 0));                    // clean in the cache
    r.mem.write_u64(L + 128, 0x5555'5555'5555'5555ull);           // ... and stale there
    check_counters(r.cache, {{"cpu_reads", 1}, {"cpu_writes", 1}, {"cpu_misses", 2}});
    CHECK(r.cache.peek_u64(L + 8) == 0x0807'0605'0403'0201ull);  // the dirty line's bytes
    CHECK(r.cache.peek_u64(L) == 0x1111'1111'1111'1111ull);      // its other bytes
    CHECK(r.cache.peek_u64(L + 64) == 0x0123'4567'89ab'cdefull);
    CHECK(r.cache.peek_u64(L + 128) == 0x5555'5555'5555'5555ull);  // a clean line: memory
    uint64_t snooped;
    const Bytes dirty = r.dma_read(L + 8, 8, true);
    std::memcpy(&snooped, dirty.data(), 8);
    CHECK(r.cache.peek_u64(L + 8) == snooped);
    check_counters(r.cache, {{"cpu_reads", 1}, {"cpu_writes", 1}, {"cpu_misses", 2},
                             {"dma_reads", 1}, {"snoop_dirty_hits", 1}});
}

TEST_CASE("CoherentCache: prefetch_line answers for dirty lines only, and changes nothing",
          "[memory][cache][look_ahead]") {
    Rig r;
    r.cpu_write(L, B(8, 0xCC));
    r.cpu_read(L + 4096, 8);
    CHECK(r.cache.prefetch_line(L + 40));            // dirty: a snooped read takes it
    CHECK_FALSE(r.cache.prefetch_line(L + 4096));    // clean: memory holds the truth
    CHECK_FALSE(r.cache.prefetch_line(L + 64));      // not cached, in a cached frame
    CHECK_FALSE(r.cache.prefetch_line(L + 0x10000)); // a frame with no cached line
    CHECK(r.cache.line_dirty(L));
    check_counters(r.cache, {{"cpu_reads", 1}, {"cpu_writes", 1}, {"cpu_misses", 2}});
}
