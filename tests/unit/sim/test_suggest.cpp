// "Did you mean": edit distance with swaps, the nearest name within two edits, else
// one sharing the last key component, else nothing.
#include <catch2/catch.hpp>

#include "models/sim/suggest.h"

TEST_CASE("edit_distance counts inserts, deletes, replacements and swaps", "[suggest]") {
    CHECK(sim::edit_distance("walkers", "walkers") == 0);
    CHECK(sim::edit_distance("walker", "walkers") == 1);
    CHECK(sim::edit_distance("wlakers", "walkers") == 1);  // a swap is one edit
    CHECK(sim::edit_distance("walkars", "walkers") == 1);
    CHECK(sim::edit_distance("", "abc") == 3);
    CHECK(sim::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("closest_name: within two edits, else the same last component, else none", "[suggest]") {
    const std::vector<std::string> keys{"iommu.walkers", "iommu.arch", "vtd.iotlb.ways", "vtd.iotlb.sets",
                                        "memory.latency_ns", "rc.latency_ns"};
    CHECK(sim::closest_name("iommu.walker", keys) == "iommu.walkers");
    CHECK(sim::closest_name("iommu.wlakers", keys) == "iommu.walkers");
    CHECK(sim::closest_name("memroy.latency_ns", keys) == "memory.latency_ns");
    CHECK(sim::closest_name("vtd.walkers", keys) == "iommu.walkers");  // 4 edits, same last part
    CHECK(sim::closest_name("vtd.iotlb.wayz", keys) == "vtd.iotlb.ways");  // nearest of two near ones
    CHECK(sim::closest_name("dram.latency_ns", keys) == "rc.latency_ns");  // nearest of the same last part
    CHECK(sim::closest_name("no.such.key", keys).empty());
    CHECK(sim::closest_name("x", {"y", "ab"}).empty());  // a one-letter word is near nothing
    CHECK(sim::closest_name("iommu.walkers", {}).empty());
    CHECK(sim::did_you_mean("iommu.walker", keys) == "; did you mean 'iommu.walkers'?");
    CHECK(sim::did_you_mean("no.such.key", keys).empty());
}
