// Statistics: JSON shapes and values (goldens and scripts read them), quantiles, child
// groups, and collection from the SystemC object tree.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>
#include <systemc>

#include "models/sim/error.h"
#include "models/sim/stats.h"
#include "models/sim/stats_tree.h"

using nlohmann::json;

namespace {

json written(const sim::StatGroup& g, const std::string& path) {
    json out = json::object();
    g.write(out, path);
    return out;
}

}  // namespace

TEST_CASE("Counter writes a number", "[stats]") {
    sim::StatGroup g;
    sim::Counter hits(g, "hits", "", "lookups that hit");
    ++hits;
    hits += 41;
    CHECK(hits.value() == 42);
    CHECK(hits.name() == "hits");
    CHECK(hits.desc() == "lookups that hit");
    CHECK(written(g, "iotlb") == json{{"iotlb.hits", 42}});
    hits += uint64_t(1) << 40;  // 64-bit, not narrowed
    CHECK(written(g, "iotlb")["iotlb.hits"].get<uint64_t>() == (uint64_t(1) << 40) + 42);
}

TEST_CASE("Average writes count, max, mean, min and sum", "[stats]") {
    sim::StatGroup g;
    sim::Average lat(g, "latency", "ns", "lookup latency");
    CHECK(written(g, "x") ==
          json{{"x.latency", {{"count", 0}, {"max", 0.0}, {"mean", 0.0}, {"min", 0.0}, {"sum", 0.0}}}});
    lat.sample(4);
    lat.sample(1);
    lat.sample(10);
    CHECK(lat.count() == 3);
    CHECK(lat.mean() == 5.0);
    CHECK(lat.min() == 1.0);
    CHECK(lat.max() == 10.0);
    const json j = written(g, "x")["x.latency"];
    CHECK(j == json{{"count", 3}, {"max", 10.0}, {"mean", 5.0}, {"min", 1.0}, {"sum", 15.0}});
    CHECK(j.dump() == R"({"count":3,"max":10.0,"mean":5.0,"min":1.0,"sum":15.0})");
}

TEST_CASE("Average: bounds are right for negative samples and after reset", "[stats]") {
    sim::StatGroup g;
    sim::Average skew(g, "skew", "ns", "");
    skew.sample(-5);
    skew.sample(-2);
    CHECK(skew.max() == -2.0);  // not the 0 a max starting at 0 would keep
    CHECK(skew.min() == -5.0);
    skew.reset();
    CHECK(skew.count() == 0);
    skew.sample(7);
    CHECK(skew.min() == 7.0);
    CHECK(skew.max() == 7.0);
    CHECK(skew.sum() == 7.0);
}

TEST_CASE("Histogram counts linear buckets, the last one open above", "[stats]") {
    sim::StatGroup g;
    sim::Histogram h(g, "lat", "ns", "", 10.0, 4);  // [0,10) [10,20) [20,30) [30,inf)
    for (double v : {0.0, 9.99, 10.0, 29.0, 30.0, 1000.0, -3.0}) h.sample(v);
    CHECK(h.buckets() == std::vector<uint64_t>{3, 1, 1, 2});
    CHECK(h.count() == 7);
    CHECK(h.mean() == Approx((0 + 9.99 + 10 + 29 + 30 + 1000 - 3) / 7.0));
}

TEST_CASE("Histogram quantiles are the upper edge of the bucket holding them", "[stats]") {
    sim::StatGroup g;
    sim::Histogram h(g, "lat", "ns", "", 10.0, 5);
    CHECK(h.quantile(0.5) == 0.0);  // no samples
    // 50 samples in [0,10), 49 in [10,20), 1 in [40,inf).
    for (int i = 0; i < 50; ++i) h.sample(5);
    for (int i = 0; i < 49; ++i) h.sample(15);
    h.sample(47);
    CHECK(h.quantile(0.0) == 10.0);
    CHECK(h.quantile(0.5) == 10.0);    // the 50th sample is the last in bucket 0
    CHECK(h.quantile(0.51) == 20.0);
    CHECK(h.quantile(0.99) == 20.0);   // the 99th sample
    CHECK(h.quantile(0.995) == 47.0);  // the 100th: in the open bucket, whose edge is max
    CHECK(h.quantile(1.0) == 47.0);
    h.sample(500);  // the open bucket's real upper edge is now its largest sample
    CHECK(h.quantile(1.0) == 500.0);
}

TEST_CASE("Histogram quantiles never exceed the largest sample", "[stats]") {
    sim::StatGroup g;
    sim::Histogram h(g, "window", "ns", "", 1000.0, 8);
    for (int i = 0; i < 10; ++i) h.sample(0);  // every sample at 0: the edge 1000 is not one
    CHECK(h.quantile(0.5) == 0.0);
    CHECK(h.quantile(0.99) == 0.0);
    h.sample(2500);  // bucket 2, edge 3000 above the largest sample
    CHECK(h.quantile(1.0) == 2500.0);
    CHECK(h.quantile(0.5) == 1000.0);  // bucket 0's edge, now below the largest sample
}

TEST_CASE("Histogram JSON adds buckets and quantiles to Average's fields", "[stats]") {
    sim::StatGroup g;
    sim::Histogram h(g, "walk_ns", "ns", "", 2.5, 3);
    h.sample(1);
    h.sample(3);
    h.sample(6);
    h.sample(8);
    const json j = written(g, "smmu")["smmu.walk_ns"];
    CHECK(j == json{{"bucket_width", 2.5},
                    {"buckets", {1, 1, 2}},
                    {"count", 4},
                    {"max", 8.0},
                    {"mean", 4.5},
                    {"min", 1.0},
                    {"p50", 5.0},
                    {"p99", 8.0},
                    {"sum", 18.0}});
    h.reset();
    CHECK(h.buckets() == std::vector<uint64_t>{0, 0, 0});
    CHECK(written(g, "smmu")["smmu.walk_ns"]["p99"] == 0.0);
}

TEST_CASE("Histogram needs a positive width and a bucket", "[stats]") {
    sim::StatGroup g;
    CHECK_THROWS_AS(sim::Histogram(g, "a", "", "", 0.0, 4), std::invalid_argument);
    CHECK_THROWS_AS(sim::Histogram(g, "b", "", "", 1.0, 0), std::invalid_argument);
    sim::Counter c(g, "c", "", "");
    CHECK(written(g, "x") == json{{"x.c", 0}});  // the failed ones left nothing behind
}

TEST_CASE("Formula is evaluated when written, and NaN or infinity write 0", "[stats]") {
    sim::StatGroup g;
    sim::Counter hits(g, "hits", "", "");
    sim::Counter lookups(g, "lookups", "", "");
    sim::Formula rate(g, "hit_rate", "", "hits per lookup",
                      [&] { return double(hits.value()) / double(lookups.value()); });
    CHECK(written(g, "t")["t.hit_rate"] == 0.0);  // 0/0
    lookups += 4;
    hits += 3;
    CHECK(rate.value() == 0.75);
    CHECK(written(g, "t")["t.hit_rate"] == 0.75);

    sim::Formula inf(g, "inf", "", "", [] { return std::numeric_limits<double>::infinity(); });
    const json j = written(g, "t");
    CHECK(j["t.inf"] == 0.0);
    CHECK(j.dump().find("null") == std::string::npos);
}

TEST_CASE("StatGroup writes its children under their names, recursively", "[stats]") {
    sim::StatGroup iommu, walker, cache;
    sim::Counter faults(iommu, "faults", "", "");
    sim::Counter walks(walker, "walks", "", "");
    sim::Counter hits(cache, "l2.hits", "", "");
    iommu.add_child("walker", walker);
    walker.add_child("pwc", cache);
    ++faults;
    walks += 2;
    hits += 3;
    CHECK(written(iommu, "system.iommu") == json{{"system.iommu.faults", 1},
                                                 {"system.iommu.walker.walks", 2},
                                                 {"system.iommu.walker.pwc.l2.hits", 3}});
    CHECK(written(walker, "") == json{{"walks", 2}, {"pwc.l2.hits", 3}});

    iommu.reset_stats();  // reaches the whole subtree (a warm-up reset)
    CHECK(written(iommu, "i") == json{{"i.faults", 0}, {"i.walker.walks", 0},
                                      {"i.walker.pwc.l2.hits", 0}});
}

TEST_CASE("A top child is named from the top, whatever its owner's path", "[stats]") {
    sim::StatGroup nic, engine, driver;
    sim::Counter packets(nic, "rx.packets", "", "");
    sim::Counter maps(engine, "map.ops", "", "");
    sim::Counter waits(driver, "waits", "", "");
    nic.add_top_child("iommufd", engine);
    engine.add_child("vtd", driver);  // an ordinary child of a top child: under its name
    ++packets;
    maps += 2;
    waits += 3;
    CHECK(written(nic, "nic") == json{{"nic.rx.packets", 1}, {"iommufd.map.ops", 2}, {"iommufd.vtd.waits", 3}});
    nic.reset_stats();
    CHECK(written(nic, "nic")["iommufd.vtd.waits"] == 0);
}

TEST_CASE("A statistic name may appear once per group", "[stats]") {
    sim::StatGroup g;
    sim::Counter a(g, "hits", "", "");
    CHECK_THROWS_AS(sim::Counter(g, "hits", "", ""), std::logic_error);
}

TEST_CASE("collect_stats walks the SystemC tree and names stats by module path",
          "[stats][systemc]") {
    struct Walker : sim::StatGroup {
        sim::Counter walks{*this, "walks", "", "page walks"};
    };
    struct Iotlb : sc_core::sc_module, sim::StatGroup {
        sim::Counter hits{*this, "hits", "", "lookups that hit"};
        sim::Average latency{*this, "latency_ns", "ns", "lookup latency"};
        Walker walker;
        explicit Iotlb(sc_core::sc_module_name name) : sc_core::sc_module(name) {
            add_child("walker", walker);
        }
    };
    struct Plain : sc_core::sc_module {  // holds stats only through its child
        Iotlb iotlb;
        explicit Plain(sc_core::sc_module_name name) : sc_core::sc_module(name), iotlb("iotlb") {}
    };
    struct Bus : sc_core::sc_module, sim::StatGroup {
        sim::Counter tlps{*this, "up.tlps", "", "TLPs sent upstream"};
        explicit Bus(sc_core::sc_module_name name) : sc_core::sc_module(name) {}
    };

    Plain system("system");
    Bus bus("bus");
    ++system.iotlb.hits;
    system.iotlb.latency.sample(3);
    system.iotlb.walker.walks += 5;
    bus.tlps += 7;

    const json j = sim::collect_stats();
    CHECK(j == json{{"bus.up.tlps", 7},
                    {"system.iotlb.hits", 1},
                    {"system.iotlb.latency_ns",
                     {{"count", 1}, {"max", 3.0}, {"mean", 3.0}, {"min", 3.0}, {"sum", 3.0}}},
                    {"system.iotlb.walker.walks", 5}});
}

TEST_CASE("write_json_file writes an indented dump and a newline", "[stats]") {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("iommu-sim-stats-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "stats.json").string();
    const json j = {{"b.x", 2}, {"a.y", {{"count", 1}}}};
    sim::write_json_file(path, j);
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == "{\n \"a.y\": {\n  \"count\": 1\n },\n \"b.x\": 2\n}\n");

    const std::string unwritable = (dir / "no-such-dir" / "stats.json").string();
    std::string msg;
    try {
        sim::write_json_file(unwritable, j);
    } catch (const sim::InputError& e) {
        msg = e.what();
    }
    CHECK(msg == unwritable + ": cannot write file");
    std::filesystem::remove_all(dir);
}
