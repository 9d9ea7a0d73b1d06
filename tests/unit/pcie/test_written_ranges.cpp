// WrittenRanges: which bytes a device wrote, and when, against a byte-per-byte model.
#include <catch2/catch.hpp>

#include <map>
#include <vector>

#include "models/pcie/written_ranges.h"
#include "models/sim/rng.h"

using pcie::WrittenRanges;

namespace {
// byte address -> completion time, for the bytes f() reported
std::map<uint64_t, bool> reported(const WrittenRanges& w, uint64_t addr, uint64_t len,
                                  uint64_t before) {
    std::map<uint64_t, bool> out;
    uint64_t last_end = 0;
    w.for_each_before(addr, len, before, [&](uint64_t a, uint64_t n) {
        CHECK(a >= addr);
        CHECK(a + n <= addr + len);
        CHECK(a >= last_end);  // in address order, disjoint
        last_end = a + n;
        for (uint64_t b = a; b < a + n; ++b) out[b] = true;
    });
    return out;
}
}  // namespace

TEST_CASE("WrittenRanges: only bytes written before the read, clipped to it", "[written]") {
    WrittenRanges w;
    w.record(0x1000, 0x100, 50);
    w.record(0x1100, 0x100, 90);
    CHECK(w.spans() == 2);
    CHECK(reported(w, 0x0, 0x10000, 60).size() == 0x100);  // the later write is not seen
    CHECK(reported(w, 0x0, 0x10000, 90).size() == 0x200);
    CHECK(reported(w, 0x10f0, 0x20, 100).size() == 0x20);
    CHECK(reported(w, 0x1200, 0x100, 100).empty());
}

TEST_CASE("WrittenRanges: a rewrite takes the new time, forget splits spans", "[written]") {
    WrittenRanges w;
    w.record(0x1000, 0x1000, 10);
    w.record(0x1400, 0x100, 70);
    CHECK(w.spans() == 3);
    CHECK(reported(w, 0x1000, 0x1000, 20).size() == 0x1000 - 0x100);
    w.forget(0x1800, 0x100);
    CHECK(reported(w, 0x1000, 0x1000, 100).size() == 0x1000 - 0x100);
    CHECK(reported(w, 0x1800, 0x100, 100).empty());
    w.record(0x2000, 0x1000, 10);  // adjacent, same time: one span
    CHECK(w.spans() == 4);
    w.clear();
    CHECK(reported(w, 0, 0x10000, 100).empty());
}

TEST_CASE("WrittenRanges fuzz: matches a byte map over random records and forgets",
          "[written][fuzz]") {
    sim::Rng rng(7, "written");
    WrittenRanges w;
    std::map<uint64_t, uint64_t> model;  // byte -> time
    for (int step = 0; step < 3000; ++step) {
        const uint64_t a = rng.uniform(512), n = 1 + rng.uniform(64), t = rng.uniform(100);
        if (rng.chance(0.7)) {
            w.record(a, n, t);
            for (uint64_t b = a; b < a + n; ++b) model[b] = t;
        } else {
            w.forget(a, n);
            for (uint64_t b = a; b < a + n; ++b) model.erase(b);
        }
        const uint64_t qa = rng.uniform(512), qn = 1 + rng.uniform(128), before = rng.uniform(100);
        std::map<uint64_t, bool> want;
        for (uint64_t b = qa; b < qa + qn; ++b)
            if (model.count(b) && model[b] <= before) want[b] = true;
        INFO("step " << step);
        REQUIRE(reported(w, qa, qn, before) == want);
    }
}
