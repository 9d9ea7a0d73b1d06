// configs/vtd-broadwell.ini against pcie-bench's IOMMU window sweep
// (shared/reference/measurements.md): random 64 B reads over a window mapped with
// 4 KiB pages, Gb/s. Every window is its own platform in one simulation (SystemC
// elaborates once per process), so the shape can be compared across windows.
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "platforms/system.h"
#include "tests/integration/platform_fixture.h"

namespace {

struct Point {
    const char* window;
    double published;  // Gb/s, IOMMU on, 4 KiB pages
};
// 4 KiB .. 256 KiB: 27.6 (flat); the IOMMU-off line is 27.5 - 28.1 at every window.
const Point kPublished[] = {{"4K", 27.6},  {"64K", 27.6}, {"256K", 27.6}, {"512K", 20.2},
                            {"1M", 14.3},  {"2M", 11.7},  {"64M", 9.84}};

// Runs one platform per (window, overrides) at once; read Gb/s of each.
std::vector<double> sweep(const std::vector<std::vector<std::pair<std::string, std::string>>>& runs) {
    const std::string file = source_root() + "/configs/vtd-broadwell.ini";
    std::vector<std::unique_ptr<platform::System>> systems;
    for (size_t i = 0; i < runs.size(); ++i) {
        const std::string name = "run" + std::to_string(i);
        systems.push_back(std::make_unique<platform::System>(name.c_str(), load_platform(file, runs[i])));
        systems.back()->preload();
    }
    sc_core::sc_start();
    std::vector<double> gbps;
    for (auto& s : systems) {
        pcie::TrafficGenerator& d = s->device(0);
        REQUIRE(d.finished());
        CHECK(d.data_errors() == 0);
        CHECK(d.error_completions() == 0);
        gbps.push_back(d.read_gbps());
    }
    return gbps;
}

}  // namespace

TEST_CASE("vtd-broadwell: flat up to the IOTLB reach, falling after it, as published",
          "[calibration][vtd]") {
    std::vector<std::vector<std::pair<std::string, std::string>>> runs;
    for (const Point& p : kPublished) runs.push_back({{"dev.window", p.window}});
    runs.push_back({{"dev.window", "64M"}, {"iommu.arch", "none"}});
    const std::vector<double> got = sweep(runs);
    const double off = got.back();
    CHECK(off >= 27.5 * 0.98);
    CHECK(off <= 28.1 * 1.02);
    for (size_t i = 0; i < std::size(kPublished); ++i) {
        INFO("window " << kPublished[i].window << ": simulated " << got[i] << " Gb/s, published "
                       << kPublished[i].published);
        CHECK(std::abs(got[i] - kPublished[i].published) <= 0.15 * kPublished[i].published);
    }
    // Shape: 4K, 64K, 256K within 2% of the IOMMU-off line; then strictly falling.
    for (size_t i = 0; i < 3; ++i) CHECK(std::abs(got[i] - off) <= 0.02 * off);
    CHECK(got[3] < 0.85 * got[2]);
    for (size_t i = 4; i < std::size(kPublished); ++i) CHECK(got[i] < got[i - 1]);
}

TEST_CASE("vtd-broadwell: with 2 MiB IOMMU pages the curve stays flat", "[calibration][vtd]") {
    std::vector<std::vector<std::pair<std::string, std::string>>> runs;
    for (const char* w : {"256K", "2M", "64M"})
        runs.push_back({{"dev.window", w}, {"iommu.map.page_size", "2M"}});
    runs.push_back({{"dev.window", "64M"}, {"iommu.arch", "none"}});
    const std::vector<double> got = sweep(runs);
    for (size_t i = 0; i + 1 < got.size(); ++i) {
        INFO("run " << i << ": " << got[i] << " Gb/s, IOMMU off " << got.back());
        CHECK(std::abs(got[i] - got.back()) <= 0.02 * got.back());
    }
}
