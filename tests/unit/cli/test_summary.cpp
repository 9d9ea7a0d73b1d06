// The run summary from a hand-written statistics file: hit rates computed from hits and
// lookups, faults listed by reason code in numeric order, a workload section only when
// its keys exist, numbered families as a table, and the host line last.
#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "platforms/cli/summary.h"
#include "platforms/cli/text_table.h"

namespace {

const char* kStats = R"({
 "sim.mode": "timing", "sim.seed": 7, "sim.time_ns": 1000.0, "sim.finished": true,
 "system.dev0.reads": 1500, "system.dev0.writes": 2, "system.dev0.read_gbps": 12.346,
 "system.dev0.read_latency_ns": {"count": 4, "mean": 41.25, "p99": 60.0},
 "system.link0.up.busy_ns": 250.0, "system.link0.up.payload_bytes": 500,
 "system.link0.down.busy_ns": 0.0, "system.link0.down.payload_bytes": 0,
 "system.iommu.translations": 12000, "system.iommu.walks": 3, "system.iommu.faults": 6,
 "system.iommu.walk_latency_ns": {"mean": 120.5, "p99": 200.0},
 "system.iommu.iotlb.hits": 3, "system.iommu.iotlb.lookups": 4,
 "system.iommu.walk_cache.l2.hits": 1, "system.iommu.walk_cache.l2.lookups": 3,
 "system.iommu.walk_cache.l5.hits": 0, "system.iommu.walk_cache.l5.lookups": 0,
 "system.iommu.faults.0x10": 1, "system.iommu.faults.0x2": 5,
 "system.iommu.inv.iotlb": 1234, "system.iommu.inv.wait": 0
})";

std::string summary(const nlohmann::json& s) {
    std::ostringstream os;
    cli::print_summary(os, s, {2.0, 1000});
    return os.str();
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

// The whitespace-separated words of the first line starting (after indent) with `first`.
std::vector<std::string> row(const std::string& text, const std::string& first) {
    for (const auto& l : lines(text)) {
        std::istringstream in(l);
        std::vector<std::string> words;
        for (std::string w; in >> w;) words.push_back(w);
        if (!words.empty() && words[0] == first) return words;
    }
    return {};
}

}  // namespace

TEST_CASE("summary: numbers get thousands separators and sensible precision", "[summary]") {
    CHECK(cli::grouped(1234567.4) == "1,234,567");
    CHECK(cli::grouped(999) == "999");
    CHECK(cli::decimal(1234.567, 2) == "1,234.57");
    CHECK(cli::decimal(-0.001, 2) == "0.00");
    CHECK(cli::decimal(-1500, 0) == "-1,500");
    CHECK(cli::percent(1, 3) == "33.3%");
    CHECK(cli::percent(1, 0) == "-");
    CHECK(cli::percent(20726, 20736) == "99.95%");  // short of all: not 100.0%
    CHECK(cli::percent(5, 5) == "100.0%");
    CHECK(cli::binary_size(4096) == "4K");
    CHECK(cli::binary_size(64 << 20) == "64M");
    CHECK(cli::binary_size(3000) == "3,000");
    CHECK(cli::figure(27.589) == "27.59");
    CHECK(cli::figure(3199.39) == "3,199.4");
    CHECK(cli::figure(742323.709) == "742,324");
}

TEST_CASE("summary: a hit rate per cache found by its lookups key", "[summary]") {
    const std::string out = summary(nlohmann::json::parse(kStats));
    CHECK(row(out, "iotlb") == std::vector<std::string>{"iotlb", "4", "3", "75.0%"});
    CHECK(row(out, "walk_cache.l2") == std::vector<std::string>{"walk_cache.l2", "3", "1", "33.3%"});
    CHECK(row(out, "walk_cache.l5").empty());  // never looked up
    CHECK(out.find("translations 12,000") != std::string::npos);
    CHECK(out.find("walks 3, latency mean 120.5 ns, p99 200 ns") != std::string::npos);
    CHECK(out.find("invalidations: iotlb 1,234\n") != std::string::npos);
}

TEST_CASE("summary: faults by reason code in numeric order", "[summary]") {
    const std::string out = summary(nlohmann::json::parse(kStats));
    CHECK(row(out, "0x2") == std::vector<std::string>{"0x2", "5"});
    CHECK(row(out, "0x10") == std::vector<std::string>{"0x10", "1"});
    CHECK(out.find("0x2 ") < out.find("0x10 "));
    auto clean = nlohmann::json::parse(kStats);
    clean.erase("system.iommu.faults.0x2");
    clean.erase("system.iommu.faults.0x10");
    CHECK(summary(clean).find("fault reason") == std::string::npos);
}

TEST_CASE("summary: devices and links in aligned tables", "[summary]") {
    const std::string out = summary(nlohmann::json::parse(kStats));
    CHECK(row(out, "dev0") ==
          std::vector<std::string>{"dev0", "1,500", "2", "12.35", "0.00", "41.25", "60", "-", "-", "0"});
    // 500 bytes in 1000 ns: 4 Gb/s up, busy a quarter of the time.
    CHECK(row(out, "link0") == std::vector<std::string>{"link0", "4.00", "25.0%", "0.00", "0.0%", "0"});
    const auto all = lines(out);
    size_t header = 0;
    while (header < all.size() && all[header].find("  device") != 0) ++header;
    REQUIRE(header + 1 < all.size());
    CHECK(all[header].size() == all[header + 1].size());  // right-aligned to the header
}

TEST_CASE("summary: a workload section only when its keys exist", "[summary]") {
    auto s = nlohmann::json::parse(kStats);
    CHECK(summary(s).find("workload") == std::string::npos);
    s["nic.rx.gbps"] = 98.76;
    s["nic.rx.dropped_no_descriptor"] = 13088;
    s["nic.cpu_ns_per_packet"] = 3199.4;
    s["nic.cpu_utilization"] = 0.5;
    s["nic.engine_errors"] = 0;
    s["iommufd.map.ops"] = 11;
    const std::string out = summary(s);
    CHECK(out.find("workload nic\n") != std::string::npos);
    CHECK(row(out, "rx.gbps") == std::vector<std::string>{"rx.gbps", "98.76", "Gb/s"});
    CHECK(row(out, "rx.dropped_no_descriptor") == std::vector<std::string>{"rx.dropped_no_descriptor", "13,088"});
    CHECK(row(out, "cpu_ns_per_packet") == std::vector<std::string>{"cpu_ns_per_packet", "3,199.4", "ns"});
    CHECK(row(out, "cpu_utilization") == std::vector<std::string>{"cpu_utilization", "50.0", "%"});
    CHECK(row(out, "engine_errors").empty());  // none happened
    CHECK(row(out, "map.ops").empty());        // not a headline figure
}

TEST_CASE("summary: numbered subgroups become a table in numeric order", "[summary]") {
    auto s = nlohmann::json::parse(kStats);
    s["window_sweep.window_1048576.gbps"] = 13.78;
    s["window_sweep.window_1048576.requests"] = 40000;
    s["window_sweep.window_4096.gbps"] = 27.589;
    s["window_sweep.window_4096.requests"] = 40000;
    const std::string out = summary(s);
    CHECK(row(out, "window") == std::vector<std::string>{"window", "Gb/s", "requests"});
    CHECK(row(out, "4K") == std::vector<std::string>{"4K", "27.59", "40,000"});
    CHECK(row(out, "1M") == std::vector<std::string>{"1M", "13.78", "40,000"});
    CHECK(out.find("  4K") < out.find("  1M"));
}

TEST_CASE("summary: numbered names (ssd0) make a table only with two members", "[summary]") {
    auto s = nlohmann::json::parse(kStats);
    s["nvme.ssd0.kiops"] = 310.04;
    s["nvme.ssd1.kiops"] = 308.9;
    s["iommufd.smmuv3.waits"] = 4;  // one member: not a family, and not a headline figure
    s["iommufd.cpu.core0.busy_ns"] = 5;
    const std::string out = summary(s);
    CHECK(row(out, "ssd") == std::vector<std::string>{"ssd", "kIOPS"});
    CHECK(row(out, "ssd0") == std::vector<std::string>{"ssd0", "310.0"});
    CHECK(row(out, "ssd1") == std::vector<std::string>{"ssd1", "308.9"});
    CHECK(row(out, "smmuv").empty());
    CHECK(out.find("busy_ns") == std::string::npos);
    s.erase("nvme.ssd1.kiops");  // one SSD: its figure is a headline
    CHECK(row(summary(s), "ssd0.kiops") == std::vector<std::string>{"ssd0.kiops", "310.0", "kIOPS"});
}

TEST_CASE("summary: the host line stays the last line", "[summary]") {
    auto s = nlohmann::json::parse(kStats);
    s["gpu_stream.gbps"] = 209.8;
    const auto all = lines(summary(s));
    REQUIRE(!all.empty());
    CHECK(all.back() == "  host 2.000 s, 1000 DMA transactions, 500 transactions per host second");
}
