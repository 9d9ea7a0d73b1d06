// StatGroup::write_descriptions and describe_stats: every key write() gives, with the
// statistic's declared description, unit (or the convention for none) and kind.
#include <catch2/catch.hpp>

#include <set>

#include <nlohmann/json.hpp>
#include <systemc>

#include "models/sim/stats.h"
#include "models/sim/stats_tree.h"
#include "tests/support/json_keys.h"

using nlohmann::json;

namespace {

json entry(const char* desc, const char* kind, const char* unit) {
    return {{"description", desc}, {"kind", kind}, {"unit", unit}};
}

}  // namespace

TEST_CASE("write_descriptions gives write's keys: children, merged and top children included", "[stats]") {
    sim::StatGroup iommu, walker, merged, engine;
    sim::Counter faults(iommu, "faults", "", "translation faults");
    sim::Average depth(iommu, "queue_depth", "", "requests waiting, sampled per request");
    sim::Histogram walk_ns(walker, "walk_ns", "ns", "time of a page walk", 10.0, 4);
    sim::Formula rate(walker, "walk_rate", "Gb/s", "walk bytes per second", [] { return 1.5; });
    sim::Counter bytes(merged, "bytes", "B", "bytes read by walks");
    iommu.add_child("walker", walker);
    sim::Counter maps(engine, "map.ops", "", "map calls");
    iommu.add_child("", merged);  // its statistics read as the owner's
    iommu.add_top_child("iommufd", engine);  // named from the top, not under system.iommu

    json values = json::object(), described = json::object();
    iommu.write(values, "system.iommu");
    iommu.write_descriptions(described, "system.iommu");
    CHECK(testutil::json_keys(described) == testutil::json_keys(values));
    CHECK(described == json{
        {"system.iommu.faults", entry("translation faults", "counter", "count")},
        {"system.iommu.queue_depth", entry("requests waiting, sampled per request", "average", "1")},
        {"system.iommu.walker.walk_ns", entry("time of a page walk", "histogram", "ns")},
        {"system.iommu.walker.walk_rate", entry("walk bytes per second", "formula", "Gb/s")},
        {"system.iommu.bytes", entry("bytes read by walks", "counter", "B")},
        {"iommufd.map.ops", entry("map calls", "counter", "count")}});
}

TEST_CASE("A statistic declared without a unit: 'count' for a counter, '1' otherwise", "[stats]") {
    sim::StatGroup g;
    sim::Counter c(g, "c", "", "");
    sim::Average a(g, "a", "", "");
    sim::Histogram h(g, "h", "", "", 1.0, 2);
    sim::Formula f(g, "f", "", "", [] { return 0.5; });
    sim::Counter timed(g, "t", "ps", "");
    CHECK(c.schema_unit() == "count");
    CHECK(a.schema_unit() == "1");
    CHECK(h.schema_unit() == "1");
    CHECK(f.schema_unit() == "1");
    CHECK(timed.schema_unit() == "ps");  // a declared unit is kept, counter or not
}

TEST_CASE("describe_stats names the keys collect_stats gives", "[stats][systemc]") {
    struct Cache : sim::StatGroup {
        sim::Counter misses{*this, "misses", "", "lookups that missed"};
    };
    struct Iotlb : sc_core::sc_module, sim::StatGroup {
        sim::Counter hits{*this, "hits", "", "lookups that hit"};
        Cache cache;
        explicit Iotlb(sc_core::sc_module_name name) : sc_core::sc_module(name) { add_child("l2", cache); }
    };
    struct Plain : sc_core::sc_module {  // holds statistics only through its child
        Iotlb iotlb;
        explicit Plain(sc_core::sc_module_name name) : sc_core::sc_module(name), iotlb("iotlb") {}
    };
    Plain system("system");
    const json described = sim::describe_stats();
    CHECK(testutil::json_keys(described) == testutil::json_keys(sim::collect_stats()));
    CHECK(described == json{{"system.iotlb.hits", entry("lookups that hit", "counter", "count")},
                            {"system.iotlb.l2.misses", entry("lookups that missed", "counter", "count")}});
}
