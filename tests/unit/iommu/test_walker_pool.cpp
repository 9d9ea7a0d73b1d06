#include <catch2/catch.hpp>

#include <vector>

#include "models/iommu/walker_pool.h"
#include "models/sim/rng.h"

using Pool = iommu::WalkerPool<uint64_t, int>;
using Outcome = Pool::Outcome;

TEST_CASE("Misses to a page being walked merge, beyond the slots they wait", "[walker]") {
    Pool pool(2);
    CHECK(pool.request(0x1000, 1) == Outcome::Started);
    CHECK(pool.request(0x2000, 2) == Outcome::Started);
    CHECK(pool.request(0x1000, 3) == Outcome::Merged);  // same page as 1
    CHECK(pool.request(0x3000, 4) == Outcome::Queued);  // both slots busy
    CHECK(pool.request(0x3000, 5) == Outcome::Merged);  // waits with 4
    CHECK(pool.request(0x4000, 6) == Outcome::Queued);
    CHECK(pool.busy() == 2);
    CHECK(pool.waiting_pages() == 2);

    std::vector<int> done;
    uint64_t started = 0;
    CHECK(pool.complete(0x1000, done, &started));  // frees a slot: 0x3000 starts
    CHECK(done == std::vector<int>{1, 3});
    CHECK(started == 0x3000);
    CHECK(pool.walking(0x3000));
    CHECK(pool.request(0x3000, 7) == Outcome::Merged);  // joins the running walk
    done.clear();
    CHECK(pool.complete(0x3000, done, &started));
    CHECK(done == std::vector<int>{4, 5, 7});
    CHECK(started == 0x4000);
    done.clear();
    CHECK_FALSE(pool.complete(0x2000, done));  // nothing left waiting
    CHECK(done == std::vector<int>{2});
    CHECK_FALSE(pool.complete(0x9000, done));  // not walking: nothing happens
    CHECK(pool.busy() == 1);
}

TEST_CASE("Walker pool fuzz: every request completes exactly once, slots never exceed",
          "[walker]") {
    sim::Rng rng(9, "walker-pool");
    Pool pool(4);
    std::vector<uint64_t> active;  // pages being walked
    std::vector<int> done;
    int issued = 0;
    for (int step = 0; step < 50000; ++step) {
        if (active.empty() || rng.chance(0.6)) {
            const uint64_t page = rng.uniform(16) << 12;
            if (pool.request(page, issued++) == Outcome::Started) active.push_back(page);
        } else {
            const size_t i = size_t(rng.uniform(active.size()));
            uint64_t next = 0;
            if (pool.complete(active[i], done, &next))
                active[i] = next;
            else
                active.erase(active.begin() + long(i));
        }
        REQUIRE(pool.busy() == active.size());
        REQUIRE(pool.busy() <= 4);
    }
    while (!active.empty()) {
        uint64_t next = 0;
        if (pool.complete(active.back(), done, &next))
            active.back() = next;
        else
            active.pop_back();
    }
    std::sort(done.begin(), done.end());
    REQUIRE(done.size() == size_t(issued));
    for (int i = 0; i < issued; ++i) REQUIRE(done[size_t(i)] == i);
}
