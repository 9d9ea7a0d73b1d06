#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <vector>

#include "models/pcie/data_pattern.h"
#include "models/pcie/request_stream.h"
#include "models/sim/rng.h"

using pcie::GeneratorParams;
using pcie::Request;
using pcie::RequestStream;

namespace {
std::vector<Request> drain(const GeneratorParams& p, uint64_t seed) {
    RequestStream s(p, seed, "dev0");
    std::vector<Request> out;
    while (!s.done()) {
        out.push_back(s.peek());
        s.advance();
    }
    return out;
}
GeneratorParams small() {
    GeneratorParams p;
    p.base = 0x10000;
    p.window = 4096;
    p.size = 256;
    p.requests = 40;
    return p;
}
}  // namespace

TEST_CASE("Sequential requests walk the window and wrap", "[generator]") {
    auto r = drain(small(), 1);
    REQUIRE(r.size() == 40);
    CHECK(r[0].addr == 0x10000);
    CHECK(r[15].addr == 0x10000 + 15 * 256);
    CHECK(r[16].addr == 0x10000);  // 16 slots of 256 B in 4 KiB
    for (auto& q : r) CHECK(q.read);
}

TEST_CASE("Random requests stay aligned inside the window and follow the seed", "[generator]") {
    GeneratorParams p = small();
    p.pattern = "random";
    p.requests = 2000;
    auto a = drain(p, 1), b = drain(p, 1), c = drain(p, 2);
    std::set<uint64_t> seen;
    bool differs = false;
    for (size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].addr == b[i].addr);
        differs |= a[i].addr != c[i].addr;
        CHECK(a[i].addr >= p.base);
        CHECK(a[i].addr + a[i].size <= p.base + p.window);
        CHECK(a[i].addr % 256 == 0);
        seen.insert(a[i].addr);
    }
    CHECK(differs);
    CHECK(seen.size() == 16);  // 2000 draws cover all 16 slots
}

TEST_CASE("Strided requests step by the stride within the window", "[generator]") {
    GeneratorParams p = small();
    p.pattern = "strided";
    p.size = 64;
    p.stride = 1000;
    auto r = drain(p, 1);
    CHECK(r[1].addr - r[0].addr == 1000);
    CHECK(r[4].addr == 0x10000 + (4000 % (4096 - 64 + 1)));
}

TEST_CASE("write_first writes the window once before the mix", "[generator]") {
    GeneratorParams p = small();
    p.write_first = true;
    auto r = drain(p, 1);
    REQUIRE(r.size() == 16 + 40);
    for (int i = 0; i < 16; ++i) {
        CHECK_FALSE(r[i].read);
        CHECK(r[i].addr == 0x10000 + uint64_t(i) * 256);
    }
    CHECK(r[16].read);
}

TEST_CASE("A read/write mix follows read_fraction, pure patterns draw no numbers",
          "[generator]") {
    GeneratorParams p = small();
    p.read_fraction = 0.25;
    p.requests = 4000;
    int reads = 0;
    for (auto& q : drain(p, 7)) reads += q.read;
    CHECK(reads == Approx(1000).margin(100));
    p.read_fraction = 1.0;
    auto a = drain(p, 1), b = drain(p, 99);  // sequential reads: the seed is irrelevant
    for (size_t i = 0; i < a.size(); ++i) CHECK(a[i].addr == b[i].addr);
}

TEST_CASE("The data pattern depends on address and seed, at any alignment", "[generator]") {
    std::vector<uint8_t> buf(100);
    pcie::fill_pattern(0x1003, buf.data(), buf.size(), 5);
    CHECK(pcie::matches_pattern(0x1003, buf.data(), buf.size(), 5));
    CHECK_FALSE(pcie::matches_pattern(0x1003, buf.data(), buf.size(), 6));
    CHECK_FALSE(pcie::matches_pattern(0x1004, buf.data(), buf.size(), 5));
    for (size_t i = 0; i < buf.size(); ++i) CHECK(buf[i] == pcie::pattern_byte(0x1003 + i, 5));
    buf[57] ^= 1;
    CHECK_FALSE(pcie::matches_pattern(0x1003, buf.data(), buf.size(), 5));
}

// fill_pattern steps through a page's words and changes key where a page starts: every
// byte is still pattern_byte's, across page edges and at every alignment.
TEST_CASE("The data pattern across page edges is the per-byte pattern", "[generator]") {
    sim::Rng rng(4, "pattern-pages");
    std::vector<uint8_t> buf(9000);
    for (int i = 0; i < 200; ++i) {
        const uint64_t addr = (uint64_t(rng.uniform(1u << 20)) << 12) - 64 + rng.uniform(128);
        const size_t len = 1 + rng.uniform(buf.size());
        const uint64_t seed = rng.uniform(1000);
        pcie::fill_pattern(addr, buf.data(), len, seed);
        size_t wrong = 0;
        for (size_t b = 0; b < len; ++b) wrong += buf[b] != pcie::pattern_byte(addr + b, seed);
        REQUIRE(wrong == 0);
        REQUIRE(pcie::matches_pattern(addr, buf.data(), len, seed));
        buf[rng.uniform(len)] ^= 0x80;
        REQUIRE_FALSE(pcie::matches_pattern(addr, buf.data(), len, seed));
    }
    // The same page offset in another page, and the same word under another seed, differ.
    CHECK(pcie::pattern_word(0x5008, 1) != pcie::pattern_word(0x6008, 1));
    CHECK(pcie::pattern_word(0x5008, 1) != pcie::pattern_word(0x5008, 2));
    CHECK(pcie::pattern_word(0x5008, 1) != pcie::pattern_word(0x5010, 1));
}

TEST_CASE("PatternCache: the pattern inside its window, computed outside it", "[generator]") {
    const pcie::PatternCache cache(0x10000, 0x4000, 9);
    sim::Rng rng(3, "pattern-cache");
    std::vector<uint8_t> got(300), want(300);
    for (int i = 0; i < 500; ++i) {
        // Addresses from below the window to past its end, so some straddle an edge.
        const uint64_t addr = 0x10000 - 512 + rng.uniform(0x4000 + 1024);
        const size_t len = 1 + rng.uniform(got.size());
        cache.fill(addr, got.data(), len);
        pcie::fill_pattern(addr, want.data(), len, 9);
        REQUIRE(std::equal(got.begin(), got.begin() + len, want.begin()));
        REQUIRE(cache.matches(addr, want.data(), len));
        want[rng.uniform(len)] ^= 0x10;
        REQUIRE_FALSE(cache.matches(addr, want.data(), len));
    }
    // A window over the limit is not kept and still answers.
    const pcie::PatternCache big(0, pcie::PatternCache::kMaxBytes + 1, 9);
    big.fill(0x123, got.data(), 64);
    CHECK(pcie::matches_pattern(0x123, got.data(), 64, 9));
}
