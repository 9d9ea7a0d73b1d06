// sim::SortedTimes against a std::multiset: mostly in-order pushes (completion times),
// some out of order and some equal, pops in between, across ring growth and wrap.
#include <algorithm>
#include <set>

#include <catch2/catch.hpp>

#include "models/sim/rng.h"
#include "models/sim/sorted_times.h"

TEST_CASE("SortedTimes pops its times earliest first, as a multiset does", "[sim]") {
    sim::Rng rng(3, "sorted_times");
    sim::SortedTimes q;
    std::multiset<sim::ps_t> oracle;
    sim::ps_t clock = 0;
    int differ = 0;
    for (int i = 0; i < 200000; ++i) {
        const uint64_t bound = 40 + 80 * (i / 50000);  // the ring grows to ~hundreds, then drains
        if (oracle.size() < bound && rng.uniform(3) != 0) {
            clock += rng.uniform(4);  // equal times on a 0 draw
            const sim::ps_t t = rng.chance(0.2) ? clock - std::min(clock, rng.uniform(50)) : clock;
            q.push(t);
            oracle.insert(t);
        } else if (!oracle.empty()) {
            differ += q.earliest() != *oracle.begin();
            q.pop();
            oracle.erase(oracle.begin());
        }
        differ += q.size() != oracle.size();
    }
    CHECK(differ == 0);
    while (!oracle.empty()) {
        CHECK(q.earliest() == *oracle.begin());
        q.pop();
        oracle.erase(oracle.begin());
    }
    CHECK(q.empty());
}
