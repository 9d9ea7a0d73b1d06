// `iommu-sim compare`: numbers a person reads, the default choice of rows (what
// differs, plus the headline figures), ratios to the first file, and "-" for absent.
#include <catch2/catch.hpp>

#include "platforms/cli/compare_command.h"

namespace {

const nlohmann::json kA = nlohmann::json::parse(R"({
 "sim.mode": "timing",
 "sim.time_ns": 1000.0,
 "system.dev0.reads": 1234567,
 "system.dev0.read_latency_ns": {"buckets": [0, 3], "count": 4, "mean": 41.25, "p99": 60.0},
 "system.iommu.iotlb.hits": 10,
 "system.iommu.walks": 0,
 "system.memory.cache.snoop_dirty_hits": 7
})");

// kA with other values: the mode (text, never shown), the mean, the IOMMU's counts; a
// statistic kA lacks.
const nlohmann::json kB = [] {
    nlohmann::json b = kA;
    b["sim.mode"] = "atomic";
    b["system.dev0.read_latency_ns"]["mean"] = 82.5;
    b["system.dev0.read_latency_ns"]["buckets"] = {0, 9};
    b["system.iommu.iotlb.hits"] = 25;
    b["system.iommu.walks"] = 3;
    b["nic.rx.gbps"] = 97.5;
    return b;
}();

std::vector<std::string> keys_of(const std::vector<cli::CompareRow>& rows) {
    std::vector<std::string> keys;
    for (const auto& r : rows) keys.push_back(r.key);
    return keys;
}

}  // namespace

TEST_CASE("readable_number groups integers and keeps four or five significant digits", "[compare]") {
    CHECK(cli::readable_number(0) == "0");
    CHECK(cli::readable_number(999) == "999");
    CHECK(cli::readable_number(1000) == "1,000");
    CHECK(cli::readable_number(-1234567) == "-1,234,567");
    CHECK(cli::readable_number(1234.56) == "1,234.6");
    CHECK(cli::readable_number(97.123456) == "97.12");
    CHECK(cli::readable_number(3.14159) == "3.142");
    CHECK(cli::readable_number(0.987654) == "0.9877");
    CHECK(cli::readable_number(0.00123456) == "0.001235");
    CHECK(cli::readable_number(0.00001234) == "1.234e-05");
}

TEST_CASE("flatten_stats expands averages to fields and drops text and buckets", "[compare]") {
    const auto flat = cli::flatten_stats(kA);
    std::vector<std::string> keys;
    for (const auto& kv : flat) keys.push_back(kv.first);
    CHECK(keys == std::vector<std::string>{"sim.time_ns", "system.dev0.read_latency_ns.count",
                                           "system.dev0.read_latency_ns.mean", "system.dev0.read_latency_ns.p99",
                                           "system.dev0.reads", "system.iommu.iotlb.hits", "system.iommu.walks",
                                           "system.memory.cache.snoop_dirty_hits"});
}

TEST_CASE("compare without keys shows what differs and the headline figures", "[compare]") {
    const auto rows = cli::compare_rows({kA, kB}, {}, {"a.json", "b.json"});
    // Equal and not headline: read_latency_ns.count and snoop_dirty_hits are left out.
    CHECK(keys_of(rows) == std::vector<std::string>{"nic.rx.gbps", "sim.time_ns", "system.dev0.read_latency_ns.mean",
                                                    "system.dev0.read_latency_ns.p99", "system.dev0.reads",
                                                    "system.iommu.iotlb.hits", "system.iommu.walks"});
    CHECK(rows[0].cells == std::vector<std::string>{"-", "97.50", "-"});
    CHECK(rows[1].cells == std::vector<std::string>{"1,000", "1,000", "1.000"});
    CHECK(rows[2].cells == std::vector<std::string>{"41.25", "82.50", "2.000"});
    CHECK(rows[4].cells == std::vector<std::string>{"1,234,567", "1,234,567", "1.000"});
    CHECK(rows[5].cells == std::vector<std::string>{"10", "25", "2.500"});
    CHECK(rows[6].cells == std::vector<std::string>{"0", "3", "-"});  // no ratio to zero
}

TEST_CASE("compare keys name statistics, fields or prefixes, and a key no file has is refused", "[compare]") {
    const std::vector<std::string> names{"a.json", "b.json", "c.json"};
    auto rows = cli::compare_rows({kA, kB, kA}, {"system.dev0.read_latency_ns.p99", "system.iommu"}, names);
    CHECK(keys_of(rows) == std::vector<std::string>{"system.dev0.read_latency_ns.p99", "system.iommu.iotlb.hits",
                                                    "system.iommu.walks"});
    CHECK(rows[1].cells == std::vector<std::string>{"10", "25", "10", "2.500", "1.000"});
    rows = cli::compare_rows({kA, kB}, {"system.dev0.read_latency_ns"}, {"a.json", "b.json"});
    CHECK(rows.size() == 3);  // count, mean, p99
    CHECK_THROWS_WITH(cli::compare_rows({kA, kB, kA}, {"system.iommu.iotlb.misses"}, names),
                      "a.json: system.iommu.iotlb.misses: no such statistic (nor in b.json, c.json)");
    CHECK_THROWS(cli::compare_rows({kA, kB}, {"system.io"}, {"a.json", "b.json"}));  // not a component prefix
}
