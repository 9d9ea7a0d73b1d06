#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "models/sim/error.h"
#include "models/sim/rng.h"
#include "tests/unit/workloads/random_text.h"
#include "workloads/window_sweep_params.h"

using workload::WindowSweepParams;

namespace {
std::vector<uint64_t> windows(const std::string& text) {
    WindowSweepParams p;
    p.windows = text;
    return p.window_list();
}
}  // namespace

TEST_CASE("Window lists take sizes with binary suffixes", "[window-sweep]") {
    CHECK(windows("4K,64K,1M,1G") == std::vector<uint64_t>{4096, 65536, 1 << 20, 1 << 30});
    CHECK(windows("8192") == std::vector<uint64_t>{8192});
    CHECK(windows("0x3000") == std::vector<uint64_t>{0x3000});
    CHECK(WindowSweepParams{}.window_list().size() == 9);  // the default: pcie-bench's points
}

TEST_CASE("Bad window lists are refused with the reason", "[window-sweep]") {
    const std::map<std::string, std::string> bad = {
        {"", "expected SIZE"}, {"4K,", "expected SIZE"}, {"2K", "2K is not a multiple of 4K"},
        {"6K", "multiple of 4K"}, {"2G", "in 4K..1G"},   {"4Q", "'4Q' is not a size"},
        {"-4K", "is not a size"}, {",4K", "'' is not"},  {"99999999999999999999", "is not a size"},
    };
    for (const auto& [text, reason] : bad) {
        INFO(text);
        try {
            windows(text);
            FAIL("accepted");
        } catch (const sim::InputError& e) {
            CHECK_THAT(e.what(), Catch::Contains(reason));
        }
    }
}

TEST_CASE("Random window lists parse or fail cleanly", "[window-sweep][fuzz]") {
    sim::Rng rng(5, "fuzz");
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        const std::string text = random_text(rng, "0124689KMGx,- ", 12);
        try {
            for (uint64_t w : windows(text)) {
                CHECK(w % 4096 == 0);
                CHECK(w <= (uint64_t(1) << 30));
            }
            ++accepted;
        } catch (const sim::InputError&) {
        }
    }
    CHECK(accepted > 0);
}
