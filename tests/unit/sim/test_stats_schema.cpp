// The statistics schema (platforms/stats.schema.json) holds for every golden run: the
// shapes the schema names are the ones this test checks, field by field.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>

#include <nlohmann/json.hpp>

namespace {

nlohmann::json read(const std::filesystem::path& p) {
    std::ifstream in(p);
    REQUIRE(in);
    return nlohmann::json::parse(in);
}

std::set<std::string> required(const nlohmann::json& schema, const std::string& def) {
    const auto& r = schema.at("$defs").at(def).at("required");
    return {r.begin(), r.end()};
}

std::set<std::string> fields(const nlohmann::json& v) {
    std::set<std::string> out;
    for (auto it = v.begin(); it != v.end(); ++it) out.insert(it.key());
    return out;
}

}  // namespace

TEST_CASE("Every golden statistics file follows the documented schema", "[stats][schema]") {
    const std::filesystem::path root = IOMMU_SIM_SOURCE_DIR;
    const nlohmann::json schema = read(root / "platforms/stats.schema.json");
    const std::set<std::string> average = required(schema, "average"), histogram = required(schema, "histogram");
    const std::regex key(schema.at("propertyNames").at("pattern").get<std::string>());
    size_t files = 0, averages = 0, histograms = 0;
    for (const auto& entry : std::filesystem::directory_iterator(root / "tests/regression/goldens")) {
        const nlohmann::json stats = read(entry.path());
        INFO(entry.path().filename().string());
        ++files;
        for (const auto& r : schema.at("required")) CHECK(stats.contains(r.get<std::string>()));
        CHECK(stats.at("sim.seed").is_number_unsigned());
        CHECK(stats.at("sim.finished").is_boolean());
        CHECK(std::regex_match(stats.at("sim.config_digest").get<std::string>(), std::regex("[0-9a-f]{16}")));
        for (auto it = stats.begin(); it != stats.end(); ++it) {
            INFO(it.key());
            CHECK(std::regex_match(it.key(), key));
            if (it.key().rfind("sim.", 0) == 0) continue;
            const nlohmann::json& v = it.value();
            if (v.is_number()) continue;
            REQUIRE(v.is_object());
            const std::set<std::string> f = fields(v);
            CHECK((f == average || f == histogram));
            CHECK(v.at("count").is_number_unsigned());
            if (f == histogram) {
                ++histograms;
                CHECK(v.at("bucket_width").get<double>() > 0);
                uint64_t n = 0;
                for (const auto& b : v.at("buckets")) n += b.get<uint64_t>();
                CHECK(n == v.at("count").get<uint64_t>());
                // The quantiles are samples' bounds: min <= p50 <= p99 <= max.
                const double lo = v.at("min"), p50 = v.at("p50"), p99 = v.at("p99"), hi = v.at("max");
                if (n) CHECK((lo <= p50 && p50 <= p99 && p99 <= hi));
            } else {
                ++averages;
            }
        }
    }
    CHECK(files >= 5);
    CHECK(averages > 0);
    CHECK(histograms > 0);
}
