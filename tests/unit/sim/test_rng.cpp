// Deterministic random numbers: one seed decides everything, streams are independent,
// and bounded draws are unbiased.
#include <catch2/catch.hpp>

#include <cmath>
#include <string_view>
#include <vector>

#include "models/sim/rng.h"

namespace {

// A second transcription of the published algorithms, pinned to their published
// vectors below, so that Rng is checked against the definitions and not against itself.
namespace reference {

uint64_t fnv1a(std::string_view s) {
    uint64_t h = 14695981039346656037ull;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    return h;
}

uint64_t splitmix(uint64_t& x) {
    uint64_t z = (x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

struct Xoshiro {
    uint64_t s[4];
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t next() {
        const uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
        s[2] ^= s[0], s[3] ^= s[1], s[1] ^= s[2], s[0] ^= s[3], s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return out;
    }
};

Xoshiro seeded(uint64_t seed, std::string_view stream) {
    uint64_t x = seed ^ fnv1a(stream);
    Xoshiro g{};
    for (auto& w : g.s) w = splitmix(x);
    return g;
}

}  // namespace reference

std::vector<uint64_t> draws(sim::Rng rng, int n) {
    std::vector<uint64_t> out;
    for (int i = 0; i < n; ++i) out.push_back(rng.next_u64());
    return out;
}

// Pearson's chi-square statistic of observed counts against a uniform expectation.
double chi_square(const std::vector<uint64_t>& counts) {
    uint64_t total = 0;
    for (uint64_t c : counts) total += c;
    const double expected = double(total) / double(counts.size());
    double chi2 = 0;
    for (uint64_t c : counts) chi2 += (double(c) - expected) * (double(c) - expected) / expected;
    return chi2;
}

}  // namespace

TEST_CASE("The reference transcription reproduces the published vectors", "[rng]") {
    // FNV-1a 64 of "", "a", "foobar" (the FNV reference values).
    CHECK(reference::fnv1a("") == 0xcbf29ce484222325ull);
    CHECK(reference::fnv1a("a") == 0xaf63dc4c8601ec8cull);
    CHECK(reference::fnv1a("foobar") == 0x85944171f73967e8ull);
    // splitmix64 from 1234567 (Vigna's splitmix64.c).
    uint64_t x = 1234567;
    CHECK(reference::splitmix(x) == 6457827717110365317ull);
    CHECK(reference::splitmix(x) == 3203168211198807973ull);
    CHECK(reference::splitmix(x) == 9817491932198370423ull);
    // xoshiro256** from the state {1, 2, 3, 4} (xoshiro256starstar.c).
    reference::Xoshiro g{{1, 2, 3, 4}};
    for (uint64_t expected : {11520ull, 0ull, 1509978240ull, 1215971899390074240ull,
                              1216172134540287360ull, 607988272756665600ull,
                              16172922978634559625ull, 8476171486693032832ull})
        CHECK(g.next() == expected);
}

TEST_CASE("Rng is xoshiro256** seeded by splitmix64 over seed ^ FNV-1a(stream)", "[rng]") {
    for (uint64_t seed : {0ull, 1ull, 42ull, 0xdeadbeefcafef00dull, ~0ull}) {
        for (std::string_view stream : {"", "dev0", "system.iommu.walker"}) {
            INFO(seed << " " << stream);
            sim::Rng rng(seed, stream);
            reference::Xoshiro ref = reference::seeded(seed, stream);
            for (int i = 0; i < 64; ++i) CHECK(rng.next_u64() == ref.next());
        }
    }
}

TEST_CASE("Same seed and stream give the same sequence, other seeds or streams differ", "[rng]") {
    const auto a = draws(sim::Rng(42, "dev0"), 1000);
    CHECK(a == draws(sim::Rng(42, "dev0"), 1000));
    for (const auto& other : {draws(sim::Rng(42, "dev1"), 1000), draws(sim::Rng(43, "dev0"), 1000),
                              draws(sim::Rng(42, "dev00"), 1000), draws(sim::Rng(42, ""), 1000)}) {
        int equal = 0;
        for (size_t i = 0; i < a.size(); ++i) equal += a[i] == other[i];
        CHECK(equal == 0);
    }
}

TEST_CASE("uniform(n) stays below n", "[rng]") {
    sim::Rng rng(1, "bounds");
    for (uint64_t n : {1ull, 2ull, 3ull, 7ull, 1000ull, (1ull << 32) + 1, (1ull << 63) + 1,
                       ~0ull}) {
        uint64_t largest = 0;
        for (int i = 0; i < 2000; ++i) {
            const uint64_t v = rng.uniform(n);
            REQUIRE(v < n);
            largest = std::max(largest, v);
        }
        CHECK(largest >= n / 2);  // reaches the upper half, not stuck low
    }
}

TEST_CASE("uniform(n) is close to uniform (chi-square, fixed seed)", "[rng]") {
    sim::Rng rng(2024, "chi2");
    for (uint64_t n : {2ull, 7ull, 10ull, 100ull}) {
        std::vector<uint64_t> counts(n);
        for (int i = 0; i < 200000; ++i) ++counts[rng.uniform(n)];
        // 99.9th percentile of chi-square with n-1 degrees of freedom, Wilson-Hilferty.
        const double df = double(n - 1), z = 3.09;
        const double bound = df * std::pow(1 - 2 / (9 * df) + z * std::sqrt(2 / (9 * df)), 3);
        INFO("n = " << n);
        CHECK(chi_square(counts) < bound);
    }
}

TEST_CASE("uniform(n) rejects the low words that would bias large n", "[rng]") {
    // n = 3 * 2^62: without rejection, x * n >> 64 maps two inputs to every result
    // divisible by 3 and one to the others, so residues would come out 1/2, 1/4, 1/4.
    sim::Rng rng(9, "lemire");
    const uint64_t n = 3ull << 62;
    std::vector<uint64_t> residues(3);
    for (int i = 0; i < 60000; ++i) ++residues[rng.uniform(n) % 3];
    CHECK(chi_square(residues) < 13.8);  // 99.9th percentile, 2 degrees of freedom
}

TEST_CASE("uniform01 lies on a 2^-53 grid below 1 with mean one half, and chance follows p", "[rng]") {
    sim::Rng rng(5, "unit");
    double sum = 0;
    for (int i = 0; i < 100000; ++i) {
        const double u = rng.uniform01();
        REQUIRE(u >= 0.0);
        REQUIRE(u < 1.0);
        const double scaled = u * 0x1.0p53;
        REQUIRE(scaled == std::floor(scaled));
        sum += u;
    }
    CHECK(sum / 100000 == Approx(0.5).margin(0.005));

    sim::Rng a(6, "unit"), b(6, "unit");
    CHECK(a.uniform01() == double(b.next_u64() >> 11) / 9007199254740992.0);

    int hits = 0;
    for (int i = 0; i < 100000; ++i) hits += rng.chance(0.25);
    CHECK(hits == Approx(25000).margin(700));
    for (int i = 0; i < 1000; ++i) {
        REQUIRE_FALSE(rng.chance(0.0));
        REQUIRE(rng.chance(1.0));
    }
}
