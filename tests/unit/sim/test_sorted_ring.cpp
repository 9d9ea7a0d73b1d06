// sim::SortedRing against a std::multiset: mostly in-order pushes (completion times),
// some out of order and some equal, pops in between, across ring growth and wrap.
#include <algorithm>
#include <set>
#include <utility>

#include <catch2/catch.hpp>

#include "models/sim/rng.h"
#include "models/sim/sorted_ring.h"
#include "models/sim/time.h"

TEST_CASE("SortedRing pops its items least first, as a multiset does", "[sim]") {
    sim::Rng rng(3, "sorted_ring");
    sim::SortedRing<sim::ps_t> q;
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
            differ += q.pop_front() != *oracle.begin();
            oracle.erase(oracle.begin());
        }
        differ += q.size() != oracle.size();
    }
    CHECK(differ == 0);
    while (!oracle.empty()) {
        CHECK(q.pop_front() == *oracle.begin());
        oracle.erase(oracle.begin());
    }
    CHECK(q.empty());
}

namespace {
struct Item {
    sim::ps_t at;
    int pushed;
};
struct Earlier {
    bool operator()(const Item& a, const Item& b) const { return a.at < b.at; }
};
}  // namespace

TEST_CASE("SortedRing keeps equal items in push order", "[sim]") {
    // Ordered by time alone, it must pop in (time, push order): a std::set of both.
    sim::Rng rng(5, "sorted_ring_ties");
    sim::SortedRing<Item, Earlier> q;
    std::set<std::pair<sim::ps_t, int>> oracle;
    int pushed = 0, differ = 0;
    for (int i = 0; i < 20000; ++i) {
        if (q.size() < 64 && rng.uniform(2)) {
            const sim::ps_t at = rng.uniform(8);  // many equal times
            q.push({at, pushed});
            oracle.insert({at, pushed++});
        } else if (!q.empty()) {
            const Item it = q.pop_front();
            differ += std::make_pair(it.at, it.pushed) != *oracle.begin();
            oracle.erase(oracle.begin());
        }
    }
    CHECK(differ == 0);
    CHECK(pushed > 5000);
}
