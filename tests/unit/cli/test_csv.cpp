// `iommu-sim csv`: chosen statistics as CSV rows; bad files and keys named on one line,
// exit 2; mutated statistics files never crash it.
#include <catch2/catch.hpp>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "models/sim/rng.h"
#include "platforms/cli/csv_command.h"
#include "tests/support/temp_files.h"

namespace {

const char* kStats = R"({
 "sim.finished": true,
 "sim.mode": "timing",
 "system.dev0.read_gbps": 27.59,
 "system.dev0.read_latency_ns": {"bucket_width": 20.0, "buckets": [0, 3, 1], "count": 4,
   "max": 55.5, "mean": 41.25, "min": 30.0, "p50": 40.0, "p99": 60.0, "sum": 165.0},
 "system.iommu.iotlb.hits": 1234
})";

struct Result {
    int rc;
    std::string out, err;
};

Result csv(const std::vector<std::string>& args) {
    std::ostringstream out, err;
    auto* old_out = std::cout.rdbuf(out.rdbuf());
    auto* old_err = std::cerr.rdbuf(err.rdbuf());
    const int rc = cli::run_csv(args);
    std::cout.rdbuf(old_out);
    std::cerr.rdbuf(old_err);
    return {rc, out.str(), err.str()};
}

}  // namespace

TEST_CASE("csv: a row per file, statistics and fields by name, exact numbers", "[csv]") {
    testutil::TempDir dir;
    const std::string a = dir.write("a.json", kStats), b = dir.write("b,c.json", kStats);
    const Result r = csv({"--keys", "system.iommu.iotlb.hits,system.dev0.read_latency_ns.p99",
                          "--keys", "sim.mode,system.dev0.read_gbps,sim.finished", a, b});
    REQUIRE(r.rc == 0);
    CHECK(r.err.empty());
    CHECK(r.out == "file,system.iommu.iotlb.hits,system.dev0.read_latency_ns.p99,sim.mode,"
                   "system.dev0.read_gbps,sim.finished\n" +
                       a + ",1234,60.0,timing,27.59,true\n\"" + b + "\",1234,60.0,timing,27.59,true\n");
}

TEST_CASE("csv: a missing file, key or field is named, exit 2, nothing on stdout", "[csv]") {
    testutil::TempDir dir;
    const std::string a = dir.write("a.json", kStats), bad = dir.write("bad.json", "[1, 2");
    const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
        {{"--keys", "sim.mode", dir.path("none.json")}, "none.json: cannot open file"},
        {{"--keys", "sim.mode", bad}, "bad.json: not a statistics file"},
        {{"--keys", "system.nothing", a}, "a.json: system.nothing: no such statistic"},
        {{"--keys", "system.dev0.read_latency_ns", a}, "an average or histogram: name a field"},
        {{"--keys", "system.dev0.read_latency_ns.buckets", a}, "no such field"},
        {{"--keys", "system.dev0.read_latency_ns.p42", a}, "no such field"},
        {{"--keys", ",", a}, "--keys: no statistic named"},
        {{a}, "--keys' is required"},
        {{"--keys", "sim.mode"}, "command line: no statistics files named"},
        {{"--keys", "sim.mode", dir.path("sub")}, "sub: cannot open file"},  // a directory
    };
    std::filesystem::create_directory(dir.path("sub"));
    for (const auto& [args, want] : cases) {
        const Result r = csv(args);
        INFO(want);
        CHECK(r.rc == 2);
        CHECK(r.out.empty());
        CHECK(r.err.find(want) != std::string::npos);
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    }
}

TEST_CASE("csv fuzz: mutated statistics files give a table or one error line", "[csv][fuzz]") {
    testutil::TempDir dir;
    sim::Rng rng(11, "csv-fuzz");
    const std::string base = kStats;
    for (int i = 0; i < 2000; ++i) {
        std::string text = base;
        for (int k = 1 + int(rng.uniform(4)); k--;) {
            const size_t at = rng.uniform(text.size());
            switch (rng.uniform(3)) {
                case 0: text[at] = char(rng.uniform(256)); break;
                case 1: text.erase(at, 1 + rng.uniform(8)); break;
                default: text.insert(at, 1, "{}[],:\"0e-"[rng.uniform(10)]);
            }
        }
        const std::string f = dir.write("m.json", text);
        const Result r = csv({"--keys", "system.iommu.iotlb.hits,system.dev0.read_latency_ns.mean", f});
        INFO("mutation " << i << ": " << text);
        REQUIRE((r.rc == 0 || r.rc == 2));
        REQUIRE((r.rc == 0) == r.err.empty());
        if (r.rc == 0) REQUIRE(std::count(r.out.begin(), r.out.end(), '\n') == 2);
    }
}

// Fuzzing reproducers (issue 11): a value nested 100,000 deep overflowed the stack
// while it was dumped; an escape sequence in a key came out raw.
TEST_CASE("csv: deep nesting and structured values are errors, not crashes", "[csv][robustness]") {
    testutil::TempDir dir;
    const std::string deep = dir.write("deep.json", "{\"a\":" + std::string(100000, '[') +
                                                        std::string(100000, ']') + "}");
    Result r = csv({"--keys", "a", deep});
    CHECK(r.rc == 2);
    CHECK(r.out.empty());
    CHECK(r.err == "iommu-sim: " + deep + ": not a statistics file (nested deeper than 16 levels)\n");
    const std::string nested = dir.write("nested.json", "{\"a\":[[1,2],[3]]}");
    r = csv({"--keys", "a", nested});
    CHECK(r.rc == 2);
    CHECK(r.err == "iommu-sim: " + nested + ": a: not a number or text\n");
}

TEST_CASE("csv: a key's escape sequence is shown escaped in the error", "[csv][robustness]") {
    testutil::TempDir dir;
    const std::string f = dir.write("s.json", kStats);
    const Result r = csv({"--keys", "x\x1b[2J", f});
    CHECK(r.rc == 2);
    CHECK(r.err == "iommu-sim: " + f + ": x\\x1B[2J: no such statistic\n");
}
