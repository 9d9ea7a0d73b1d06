#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <vector>

#include "models/memory/chunk_table.h"
#include "models/memory/sparse_memory.h"
#include "tests/unit/memory/memory_test_util.h"

using memory::SparseMemory;

namespace {

constexpr uint64_t kTop = ~uint64_t(0);  // 2^64 - 1

std::vector<uint8_t> seq(size_t n, uint8_t first = 0) {
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i < n; ++i) v[i] = uint8_t(first + i);
    return v;
}

// A generator: each byte a pure function of its address and the seed.
uint8_t generated_byte(uint64_t a, uint64_t seed) { return uint8_t(a * 0x9d + (a >> 9) + seed * 31); }
void generate(uint64_t addr, uint8_t* dst, size_t len, uint64_t seed) {
    for (size_t i = 0; i < len; ++i) dst[i] = generated_byte(addr + i, seed);
}

std::vector<uint8_t> read(const SparseMemory& m, uint64_t addr, size_t n) {
    std::vector<uint8_t> v(n, 0xAA);  // poison: a read must overwrite every byte
    m.read(addr, v.data(), n);
    return v;
}

}  // namespace

TEST_CASE("SparseMemory: untouched bytes read as zero and allocate nothing", "[memory]") {
    SparseMemory m;
    CHECK(read(m, 0x1234, 100) == std::vector<uint8_t>(100, 0));
    CHECK(read(m, uint64_t(5) << 40, 8192) == std::vector<uint8_t>(8192, 0));
    CHECK(m.read_u64(0xdeadbeef000) == 0);
    CHECK(m.frames() == 0);
    CHECK(memtest::counter(m, "frames") == 0);
}

TEST_CASE("SparseMemory: frames are allocated on first write one per 4 KiB", "[memory]") {
    SparseMemory m;
    auto b = seq(8, 1);
    m.write(0x1000, b.data(), 8);
    CHECK(m.frames() == 1);
    m.write(0x1FF8, b.data(), 8);  // last 8 bytes of the same frame
    CHECK(m.frames() == 1);
    m.write(0x2000, b.data(), 8);
    CHECK(m.frames() == 2);
    CHECK(memtest::counter(m, "frames") == 2);
    // Bytes around a write in an allocated frame stay zero.
    CHECK(read(m, 0x0FF8, 24) ==
          std::vector<uint8_t>{0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8,
                               0, 0, 0, 0, 0, 0, 0, 0});
}

TEST_CASE("SparseMemory: accesses crossing frames", "[memory]") {
    SparseMemory m;
    auto b = seq(16);
    m.write(0x2FF8, b.data(), 16);  // 8 bytes in frame 2, 8 in frame 3
    CHECK(m.frames() == 2);
    CHECK(read(m, 0x2FF8, 16) == b);
    CHECK(m.read_u64(0x2FF8) == 0x0706050403020100ull);
    CHECK(m.read_u64(0x3000) == 0x0F0E0D0C0B0A0908ull);
    CHECK(m.read_u64(0x2FFC) == 0x0B0A090807060504ull);

    // A read running from an allocated frame into an untouched one.
    CHECK(read(m, 0x3FF8, 16) == std::vector<uint8_t>(16, 0));
    CHECK(m.frames() == 2);

    // 8292 bytes from 0x4FCE end at 0x7032: frames 4, 5, 6 and 7.
    auto big = seq(8292, 7);
    m.write(0x4FCE, big.data(), big.size());
    CHECK(m.frames() == 6);
    CHECK(read(m, 0x4FCE, big.size()) == big);
    CHECK(read(m, 0x4FCD, 1)[0] == 0);
    CHECK(read(m, 0x7032, 1)[0] == 0);
}

TEST_CASE("SparseMemory: read_u64 / write_u64 are little-endian", "[memory]") {
    SparseMemory m;
    m.write_u64(0x10, 0x1122334455667788ull);
    auto r = read(m, 0x10, 8);
    CHECK(r == std::vector<uint8_t>{0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11});
    CHECK(m.read_u64(0x10) == 0x1122334455667788ull);
    CHECK(m.read_u64(0x11) == 0x0011223344556677ull);  // unaligned
}

TEST_CASE("SparseMemory: addresses near 2^64 and wrap to 0", "[memory]") {
    SparseMemory m;
    // Untouched bytes across the wrap read zero and allocate nothing.
    CHECK(read(m, kTop - 7, 16) == std::vector<uint8_t>(16, 0));
    CHECK(m.frames() == 0);

    m.write_u64(kTop - 7, 0xA1A2A3A4A5A6A7A8ull);  // the last 8 bytes
    CHECK(m.frames() == 1);
    CHECK(m.read_u64(kTop - 7) == 0xA1A2A3A4A5A6A7A8ull);

    // 4 bytes at the top, 4 at address 0.
    m.write_u64(kTop - 3, 0x1122334455667788ull);
    CHECK(m.frames() == 2);
    CHECK(m.read_u64(kTop - 3) == 0x1122334455667788ull);
    CHECK(m.read_u64(0) == 0x0000000011223344ull);
    CHECK(m.read_u64(kTop - 7) == 0x55667788A5A6A7A8ull);

    // A long access that wraps reads back what was written.
    auto b = seq(5000, 3);
    m.write(kTop - 99, b.data(), b.size());
    CHECK(read(m, kTop - 99, b.size()) == b);
    CHECK(read(m, 0, 8) == std::vector<uint8_t>(b.begin() + 100, b.begin() + 108));
    CHECK(m.frames() == 3);  // top frame, frames 0 and 1
}

TEST_CASE("SparseMemory: a sparse terabyte costs only the touched frames", "[memory]") {
    SparseMemory m;
    for (uint64_t i = 0; i < 1024; ++i) m.write_u64(i << 30, i);  // one word per GiB
    CHECK(m.frames() == 1024);
    for (uint64_t i = 0; i < 1024; ++i) REQUIRE(m.read_u64(i << 30) == i);
    CHECK(memtest::counter(m, "frames") == 1024);
}

TEST_CASE("SparseMemory: the last-frame cache never hides a later allocation",
          "[memory]") {
    SparseMemory m;
    CHECK(m.read_u64(0x5000) == 0);  // miss on an absent frame
    m.write_u64(0x5000, 42);         // now allocated
    CHECK(m.read_u64(0x5000) == 42);
    m.write_u64(0x9000, 7);
    CHECK(m.read_u64(0x5000) == 42);  // alternate between frames
    CHECK(m.read_u64(0x9000) == 7);
    m.write(0x6000, nullptr, 0);  // empty accesses touch nothing
    m.read(0x6000, nullptr, 0);
    CHECK(m.frames() == 2);
}

TEST_CASE("SparseMemory: a prefetch reads and allocates nothing", "[memory]") {
    SparseMemory m;
    m.prefetch(0x5000);  // an absent chunk: remembered as absent, not allocated
    m.prefetch(kTop);
    CHECK(m.frames() == 0);
    CHECK(m.read_u64(0x5000) == 0);
    m.write_u64(0x5000, 42);  // the chunk remembered as absent is allocated now
    m.prefetch(0x5000);
    CHECK(m.read_u64(0x5000) == 42);
    CHECK(m.frames() == 1);
}

// --- the frame table: 2 MiB chunks found by radix index ---

TEST_CASE("ChunkTable: the remembered answer, found or absent, follows every allocation",
          "[memory]") {
    memory::ChunkTable t(4096, 40);
    const uint64_t a = 5, b = uint64_t(1) << 30;  // in other leaves and roots
    CHECK(t.find(a).data == nullptr);
    CHECK(t.find(a).data == nullptr);  // answered from memory
    const uint8_t* bd = t.get_or_alloc(b).data;
    REQUIRE(bd != nullptr);
    CHECK(t.find(a).data == nullptr);  // b's allocation left a absent
    CHECK(t.find(b).data == bd);
    CHECK(t.find(a).data == nullptr);
    const uint8_t* ad = t.get_or_alloc(a).data;  // a, remembered as absent, allocated
    REQUIRE(ad != nullptr);
    CHECK(ad != bd);
    CHECK(t.find(a).data == ad);
    CHECK(t.find(b).data == bd);
    CHECK(t.find((uint64_t(1) << 40) - 1).data == nullptr);  // the highest chunk number
    CHECK(t.chunks() == 2);
}

TEST_CASE("SparseMemory: addresses far apart in a 64-bit space keep their own bytes",
          "[memory]") {
    SparseMemory m;
    const uint64_t addrs[] = {0x10, 0x1FF000, uint64_t(1) << 47, (uint64_t(1) << 48) + 8,
                              (uint64_t(1) << 63) - 16, uint64_t(1) << 63, kTop - 7};
    for (uint64_t a : addrs) m.write_u64(a, a ^ 0x5A5A5A5A5A5A5A5Aull);
    CHECK(m.frames() == 7);
    for (uint64_t a : addrs) CHECK(m.read_u64(a) == (a ^ 0x5A5A5A5A5A5A5A5Aull));
    // Neighbours of each word, in the same chunk and in untouched ones, stay zero.
    for (uint64_t a : addrs) {
        CHECK(m.read_u64(a + 8) == 0);
        CHECK(m.read_u64(a + (uint64_t(1) << 21)) == 0);
        CHECK(m.read_u64(a + (uint64_t(1) << 40)) == 0);
    }
    CHECK(m.frames() == 7);
}

TEST_CASE("SparseMemory: accesses across a 2 MiB chunk boundary", "[memory]") {
    SparseMemory m;
    const uint64_t edge = uint64_t(3) << 21;  // the first byte of chunk 3
    auto b = seq(24, 1);
    m.write(edge - 16, b.data(), b.size());  // 16 bytes in chunk 2, 8 in chunk 3
    CHECK(m.frames() == 2);
    CHECK(read(m, edge - 16, 24) == b);
    CHECK(read(m, edge - 17, 1)[0] == 0);
    CHECK(read(m, edge + 8, 1)[0] == 0);
    // Untouched frames of an allocated chunk read zero and are not counted.
    CHECK(read(m, edge + 4096, 4096) == std::vector<uint8_t>(4096, 0));
    CHECK(read(m, edge - (uint64_t(1) << 21), 4096) == std::vector<uint8_t>(4096, 0));
    // A read from an allocated chunk into an unallocated one.
    m.write_u64((uint64_t(5) << 21) - 8, 0x0102030405060708ull);
    auto r = read(m, (uint64_t(5) << 21) - 4, 8);
    CHECK(r == std::vector<uint8_t>{4, 3, 2, 1, 0, 0, 0, 0});
    // A write spanning three chunks counts every frame it touches.
    auto big = seq((uint64_t(1) << 21) + 100, 9);  // 50 B, a whole chunk, 50 B
    m.write((uint64_t(8) << 21) - 50, big.data(), big.size());
    CHECK(m.frames() == 3 + 1 + 512 + 1);
    CHECK(read(m, (uint64_t(8) << 21) - 50, big.size()) == big);
}

TEST_CASE("SparseMemory: random reads and writes match a byte-map reference",
          "[memory][fuzz]") {
    // Clusters near chunk boundaries, far apart, and across the wrap at 2^64.
    const uint64_t bases[] = {0, (uint64_t(1) << 21) - 3000, uint64_t(7) << 40,
                              (uint64_t(1) << 52) + (uint64_t(1) << 21) - 5000, kTop - 6000};
    SparseMemory m;
    std::map<uint64_t, uint8_t> ref;  // written bytes; absent ones are zero
    std::set<uint64_t> frames;        // frames written at least once
    std::mt19937_64 rng(20261203);
    for (int op = 0; op < 6000; ++op) {
        const uint64_t a = bases[rng() % 5] + rng() % 12000;
        const size_t len = rng() % 4 ? 1 + rng() % 64 : rng() % 9000;
        INFO("op " << op << " addr " << std::hex << a << " len " << std::dec << len);
        const unsigned kind = rng() % 5;
        if (kind < 2) {
            std::vector<uint8_t> v(len);
            for (auto& byte : v) byte = uint8_t(rng());
            if (kind == 1 && len)  // a write of what is there: generated frames stay so
                for (size_t i = 0; i < len; ++i) {
                    auto it = ref.find(a + i);
                    v[i] = it == ref.end() ? 0 : it->second;
                }
            m.write(a, v.data(), len);
            for (size_t i = 0; i < len; ++i) {
                ref[a + i] = v[i];
                frames.insert((a + i) / SparseMemory::kFrameBytes);
            }
        } else if (kind == 2) {  // two sources, so that some chunks hold both
            const uint64_t seed = rng() % 2;
            m.write_generated(a, len, generate, seed);
            for (size_t i = 0; i < len; ++i) {
                ref[a + i] = generated_byte(a + i, seed);
                frames.insert((a + i) / SparseMemory::kFrameBytes);
            }
        } else {
            std::vector<uint8_t> got = read(m, a, len);
            for (size_t i = 0; i < len; ++i) {
                auto it = ref.find(a + i);
                REQUIRE(got[i] == (it == ref.end() ? 0 : it->second));
            }
        }
        REQUIRE(m.frames() == frames.size());
    }
}

TEST_CASE("SparseMemory: the digest depends on contents, not on what was allocated",
          "[memory]") {
    SparseMemory a, b, empty;
    a.write_u64(uint64_t(9) << 40, 1);
    a.write_u64(0x3000, 2);
    b.write_u64(0x3000, 2);  // the same contents written in the other order
    b.write_u64(uint64_t(9) << 40, 1);
    b.write_u64(uint64_t(1) << 50, 0);  // an all-zero frame does not count
    CHECK(a.digest() == b.digest());
    CHECK(empty.digest() == SparseMemory().digest());
    b.write_u64(0x3008, 1);
    CHECK(a.digest() != b.digest());
}

TEST_CASE("SparseMemory: generated frames read as their generator's bytes and keep none",
          "[memory]") {
    SparseMemory m;
    const uint64_t base = uint64_t(3) << 32;
    // Frame 0 from byte 100, frames 1 and 2 whole, frame 3 up to byte 50.
    m.write_generated(base + 100, 3 * 4096 - 100 + 50, generate, 7);
    CHECK(m.frames() == 4);
    CHECK(memtest::counter(m, "frames") == 4);
    CHECK(m.generated_frames() == 2);  // the cut frames were written
    std::vector<uint8_t> want(4 * 4096, 0);
    generate(base + 100, want.data() + 100, 3 * 4096 - 100 + 50, 7);
    CHECK(read(m, base, want.size()) == want);
    CHECK(m.read_u64(base + 4096 + 8) == [&] {
        uint64_t v = 0;
        for (int i = 7; i >= 0; --i) v = v << 8 | generated_byte(base + 4096 + 8 + i, 7);
        return v;
    }());
}

TEST_CASE("SparseMemory: a generated frame written with other bytes gets its own", "[memory]") {
    SparseMemory m;
    const uint64_t base = uint64_t(1) << 40;
    m.write_generated(base, 2 * 4096, generate, 1);
    REQUIRE(m.generated_frames() == 2);
    // The same bytes: nothing changes.
    std::vector<uint8_t> same(64);
    generate(base + 4096 + 640, same.data(), same.size(), 1);
    m.write(base + 4096 + 640, same.data(), same.size());
    CHECK(m.generated_frames() == 2);
    // One byte differs: that frame keeps bytes, the generator's around the write.
    same[10] ^= 0xff;
    m.write(base + 4096 + 640, same.data(), same.size());
    CHECK(m.generated_frames() == 1);
    std::vector<uint8_t> want(2 * 4096);
    generate(base, want.data(), want.size(), 1);
    std::copy(same.begin(), same.end(), want.begin() + 4096 + 640);
    CHECK(read(m, base, want.size()) == want);
    CHECK(m.frames() == 2);
    // Generated again over written bytes: the generator's bytes win.
    m.write_generated(base + 4096, 4096, generate, 1);
    CHECK(m.generated_frames() == 2);
    generate(base, want.data(), want.size(), 1);
    CHECK(read(m, base, want.size()) == want);
}

TEST_CASE("SparseMemory: a chunk generates from one source, and frames of another are written",
          "[memory]") {
    SparseMemory m;
    m.write_generated(0x10000, 4096, generate, 1);
    m.write_generated(0x20000, 4096, generate, 2);  // the same 2 MiB chunk
    m.write_generated(uint64_t(1) << 21, 4096, generate, 2);  // the next chunk: its own
    CHECK(m.generated_frames() == 2);
    CHECK(m.frames() == 3);
    for (uint64_t a : {uint64_t(0x10000), uint64_t(0x20000), uint64_t(1) << 21}) {
        std::vector<uint8_t> want(4096);
        generate(a, want.data(), want.size(), a == 0x10000 ? 1 : 2);
        CHECK(read(m, a, 4096) == want);
    }
}

TEST_CASE("SparseMemory: generated contents have the digest of the same bytes written",
          "[memory]") {
    SparseMemory generated, written;
    const uint64_t base = (uint64_t(1) << 21) - 8192;  // across a chunk boundary
    const size_t len = 5 * 4096 + 300;
    generated.write_generated(base, len, generate, 9);
    std::vector<uint8_t> bytes(len);
    generate(base, bytes.data(), len, 9);
    written.write(base, bytes.data(), len);
    CHECK(generated.generated_frames() == 5);
    CHECK(generated.frames() == written.frames());
    CHECK(generated.digest() == written.digest());
    written.write_u64(base + 4096, 0);
    CHECK(generated.digest() != written.digest());
}
