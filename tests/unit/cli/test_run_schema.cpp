// The run's statistics schema: the sim.* table names exactly the keys the documented
// schema (platforms/stats.schema.json) names, and run_schema describes a run's keys,
// no more and no fewer.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>
#include <systemc>

#include "models/sim/stats.h"
#include "platforms/cli/summary.h"
#include "tests/support/json_keys.h"

using nlohmann::json;

TEST_CASE("The sim.* table names the keys of platforms/stats.schema.json", "[stats][schema]") {
    std::ifstream in(std::filesystem::path(IOMMU_SIM_SOURCE_DIR) / "platforms/stats.schema.json");
    REQUIRE(in);
    const json documented = json::parse(in).at("properties");
    std::set<std::string> table;
    for (const cli::RunMetadata& m : cli::run_metadata()) {
        INFO(m.key);
        CHECK(std::string(m.description).size() > 0);
        CHECK(std::string(m.unit).size() > 0);
        table.insert(m.key);
    }
    CHECK(table == testutil::json_keys(documented));
}

TEST_CASE("run_schema gives each key of the run its description, unit and kind", "[stats][schema][systemc]") {
    struct Iotlb : sc_core::sc_module, sim::StatGroup {
        sim::Counter hits{*this, "hits", "", "lookups that hit"};
        sim::Average wait{*this, "wait_ns", "ns", "time a lookup waited for a port"};
        explicit Iotlb(sc_core::sc_module_name name) : sc_core::sc_module(name) {}
    };
    Iotlb iotlb("iotlb");
    json stats = {{"iotlb.hits", 0}, {"sim.seed", 1}, {"sim.time_ns", 2.5}, {"sim.finished", true}};
    json schema = cli::run_schema(stats);
    CHECK(schema.at("$schema") == "https://json-schema.org/draft/2020-12/schema");
    CHECK(schema.at("additionalProperties") == false);
    const json& p = schema.at("properties");
    // The statistics come from the models, the sim.* entries only where the run has them.
    CHECK(testutil::json_keys(p) == std::set<std::string>{"iotlb.hits", "iotlb.wait_ns", "sim.finished", "sim.seed",
                                           "sim.time_ns"});
    CHECK(p.at("iotlb.hits") == json{{"description", "lookups that hit"}, {"kind", "counter"}, {"unit", "count"}});
    CHECK(p.at("iotlb.wait_ns").at("unit") == "ns");
    CHECK(p.at("sim.time_ns").at("unit") == "ns");
    CHECK(p.at("sim.seed").at("kind") == "metadata");

    stats["sim.stopped_by"] = "SIGINT";
    schema = cli::run_schema(stats);
    CHECK(schema.at("properties").contains("sim.stopped_by"));
}
