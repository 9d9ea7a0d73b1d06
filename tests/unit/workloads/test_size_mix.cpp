#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "models/sim/error.h"
#include "models/sim/rng.h"
#include "tests/unit/workloads/random_text.h"
#include "workloads/size_mix.h"

using workload::SizeMix;

TEST_CASE("A single size is always drawn", "[size-mix]") {
    const SizeMix m = SizeMix::parse("1500", 64, 4096);
    sim::Rng rng(1, "t");
    for (int i = 0; i < 100; ++i) CHECK(m.draw(rng) == 1500);
    CHECK(m.mean() == 1500.0);
}

TEST_CASE("Weighted sizes come in proportion to their weights", "[size-mix]") {
    const SizeMix m = SizeMix::parse("64:7,576:4,1500:1", 64, 4096);
    CHECK(m.mean() == Approx((64.0 * 7 + 576.0 * 4 + 1500.0) / 12));
    sim::Rng rng(7, "t");
    std::map<uint32_t, int> seen;
    const int n = 120000;
    for (int i = 0; i < n; ++i) ++seen[m.draw(rng)];
    CHECK(seen.size() == 3);
    CHECK(seen[64] == Approx(n * 7 / 12.0).epsilon(0.02));
    CHECK(seen[576] == Approx(n * 4 / 12.0).epsilon(0.02));
    CHECK(seen[1500] == Approx(n / 12.0).epsilon(0.03));
}

TEST_CASE("Bad size mixes are refused with the reason", "[size-mix]") {
    const std::map<std::string, std::string> bad = {
        {"", "expected SIZE"},          {"1500,", "expected SIZE"},  {",1500", "size '' is not"},
        {"63", "outside 64..4096"},     {"4097", "outside"},         {"64:0", "weight 0"},
        {"64:", "weight '' is not"},    {"x", "size 'x' is not"},    {"64:-1", "weight '-1'"},
        {"99999999999", "is not a number"}, {"1500:1:2", "weight '1:2'"},
    };
    for (const auto& [text, reason] : bad) {
        INFO(text);
        try {
            SizeMix::parse(text, 64, 4096);
            FAIL("accepted");
        } catch (const sim::InputError& e) {
            CHECK_THAT(e.what(), Catch::Contains(reason));
        }
    }
}

TEST_CASE("Sizes can be required to be whole units", "[size-mix]") {
    CHECK(SizeMix::parse("4096:6,16384:2,131072", 4096, 131072, 4096).mean() ==
          Approx((4096.0 * 6 + 16384.0 * 2 + 131072.0) / 9));
    CHECK_THROWS_WITH(SizeMix::parse("4096,6000", 4096, 131072, 4096),
                      "size 6000 is not a multiple of 4096");
}

TEST_CASE("Random size mixes parse or fail cleanly", "[size-mix][fuzz]") {
    sim::Rng rng(42, "fuzz");
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        const std::string text = random_text(rng, "0123456789:,x- ", 16);
        try {
            const SizeMix m = SizeMix::parse(text, 64, 4096);
            ++accepted;
            sim::Rng draw(1, "d");
            const uint32_t s = m.draw(draw);
            CHECK(s >= 64);
            CHECK(s <= 4096);
        } catch (const sim::InputError&) {
        }
    }
    CHECK(accepted > 0);
}
