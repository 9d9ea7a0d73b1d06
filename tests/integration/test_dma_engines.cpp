// The device's two DMA engines (traffic_generator.h): writes bounded by posted
// credits, read and write engines paced each by its own interval, and the device's
// internal latency added to a request's latency but not to the link's busy time.
// Default platform (Gen3 x8, no IOMMU); every case in both timing modes.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "platforms/system.h"
#include "tests/integration/platform_fixture.h"

namespace {

using Settings = std::vector<std::pair<std::string, std::string>>;

struct Run {
    double read_gbps, write_gbps, read_p50, write_p50, up_busy_ns, down_busy_ns;
};

// SystemC elaborates once per process: every run of a case is its own platform in
// one simulation.
std::vector<Run> run(const char* mode, std::vector<Settings> runs) {
    std::vector<std::unique_ptr<platform::System>> systems;
    for (size_t i = 0; i < runs.size(); ++i) {
        Settings s = {{"sim.mode", mode}, {"dev.size", "64"}, {"dev.window", "1M"},
                      {"dev.pattern", "random"}, {"dev.requests", "4000"}};
        s.insert(s.end(), runs[i].begin(), runs[i].end());
        const std::string name = "run" + std::to_string(i);
        systems.push_back(std::make_unique<platform::System>(name.c_str(), make_platform(s)));
        systems.back()->preload();
    }
    sc_core::sc_start();
    std::vector<Run> out;
    for (auto& sys : systems) {
        auto& d = sys->device(0);
        REQUIRE(d.finished());
        REQUIRE(d.data_errors() == 0);
        REQUIRE(d.error_completions() == 0);
        nlohmann::json link;
        sys->link(0).write(link, "");
        out.push_back({d.read_gbps(), d.write_gbps(), d.read_latency().quantile(0.5),
                       d.write_latency().quantile(0.5), link["up.busy_ns"].get<double>(),
                       link["down.busy_ns"].get<double>()});
    }
    return out;
}

// 64 B every `ns`, in Gb/s.
double paced(double ns) { return 64 * 8 / ns; }

void posted_credits(const char* mode) {
    const auto r = run(mode, {{{"dev.read_fraction", "0"}},
                              {{"dev.read_fraction", "0"}, {"dev.posted_credits", "2"}}});
    const Run& free = r[0];
    const Run& bounded = r[1];
    INFO(mode << ": unlimited " << free.write_gbps << " Gb/s, 2 credits " << bounded.write_gbps
              << " Gb/s, write latency " << bounded.write_p50 << " ns");
    // Unbounded, 64 B writes fill the link (pcie-bench: 42.1 Gb/s); with two credits
    // held until the write reaches memory, two writes per write latency.
    CHECK(free.write_gbps > 40);
    CHECK(bounded.write_gbps == Approx(2 * paced(bounded.write_p50)).epsilon(0.1));
    CHECK(bounded.write_gbps < 0.25 * free.write_gbps);
}

void independent_rates(const char* mode) {
    const auto r = run(mode, {
        // Each engine alone keeps its own pace, whatever the other one's is.
        {{"dev.read_interval_ns", "40"}, {"dev.write_interval_ns", "400"}},
        {{"dev.read_fraction", "0"}, {"dev.read_interval_ns", "400"}, {"dev.write_interval_ns", "25"}},
        // Mixed, both engines run at once: together more than one engine's pace.
        {{"dev.read_fraction", "0.5"}, {"dev.interval_ns", "40"}}});
    CHECK(r[0].read_gbps == Approx(paced(40)).epsilon(0.01));
    CHECK(r[1].write_gbps == Approx(paced(25)).epsilon(0.01));
    INFO(mode << ": mixed reads " << r[2].read_gbps << " + writes " << r[2].write_gbps);
    CHECK(r[2].read_gbps + r[2].write_gbps > 1.3 * paced(40));

}

// Reads mixed with writes paced 10 us apart: the read engine does not wait behind
// the writes still to go (stream order would hold each read behind the writes before
// it, some 2 ms in all). Timing mode only: atomic mode keeps stream order
// (traffic_generator.h, ahead_), so there this check would fail by design.
void reads_pass_paced_writes(const char* mode) {
    platform::System sys("system", make_platform({{"sim.mode", mode}, {"dev.size", "64"},
                                                  {"dev.window", "1M"}, {"dev.pattern", "random"},
                                                  {"dev.requests", "400"}, {"dev.read_fraction", "0.5"},
                                                  {"dev.write_interval_ns", "10000"}}));
    sys.preload();
    sc_core::sc_start(20, sc_core::SC_US);
    const uint64_t early = sys.device(0).reads();
    sc_core::sc_start();
    auto& d = sys.device(0);
    REQUIRE(d.finished());
    INFO(mode << ": " << early << " of " << d.reads() << " reads done at 20 us; " << d.writes() << " writes");
    CHECK(d.reads() > 150);
    CHECK(d.writes() > 150);
    CHECK(early == d.reads());
}

void internal_latency(const char* mode) {
    const Settings paced20 = {{"dev.interval_ns", "20"}};
    const Settings writes = {{"dev.read_fraction", "0"}, {"dev.interval_ns", "20"}};
    const auto r = run(mode, {
        // One read at a time: the latency grows by exactly latency_ns.
        {{"dev.tags", "1"}, {"dev.requests", "500"}},
        {{"dev.tags", "1"}, {"dev.requests", "500"}, {"dev.latency_ns", "300"}},
        // Many tags at a paced rate: the throughput and the link's busy time stay.
        paced20, {{"dev.interval_ns", "20"}, {"dev.latency_ns", "300"}},
        // Writes too: the acknowledgement crosses the device after it arrives.
        writes, {{"dev.read_fraction", "0"}, {"dev.interval_ns", "20"}, {"dev.latency_ns", "300"}}});
    CHECK(r[1].read_p50 - r[0].read_p50 == Approx(300).margin(0.5));
    CHECK(r[3].read_p50 - r[2].read_p50 == Approx(300).margin(20));
    CHECK(r[3].read_gbps == Approx(r[2].read_gbps).epsilon(0.005));
    CHECK(r[3].up_busy_ns == Approx(r[2].up_busy_ns).epsilon(1e-9));
    CHECK(r[3].down_busy_ns == Approx(r[2].down_busy_ns).epsilon(1e-9));
    CHECK(r[5].write_p50 - r[4].write_p50 == Approx(300).margin(20));
    CHECK(r[5].up_busy_ns == Approx(r[4].up_busy_ns).epsilon(1e-9));
}

}  // namespace

TEST_CASE("Posted writes are bounded by posted credits (timing)", "[engines]") { posted_credits("timing"); }
TEST_CASE("Posted writes are bounded by posted credits (atomic)", "[engines]") { posted_credits("atomic"); }
TEST_CASE("Read and write engines keep their own rates (timing)", "[engines]") { independent_rates("timing"); }
TEST_CASE("Read and write engines keep their own rates (atomic)", "[engines]") { independent_rates("atomic"); }
TEST_CASE("Reads do not wait behind paced writes (timing)", "[engines]") { reads_pass_paced_writes("timing"); }
TEST_CASE("Device latency adds to latency, not to link time (timing)", "[engines]") {
    internal_latency("timing");
}
TEST_CASE("Device latency adds to latency, not to link time (atomic)", "[engines]") {
    internal_latency("atomic");
}
