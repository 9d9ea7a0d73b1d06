// DMA throughput on Gen3 x8 (MPS 256, MRRS 512) against the pcie-bench analytic model,
// computed here from the published constants (shared/reference/measurements.md), not
// from the simulator's own link code: 57.88 Gb/s for TLPs, 24 B per request TLP and
// 20 B per completion with data. Each test case runs in its own process.
#include <catch2/catch.hpp>

#include <cmath>
#include <iostream>

#include "platforms/system.h"
#include "tests/integration/platform_fixture.h"

namespace {

constexpr double kTlpGbps = 57.88;

double pcie_bench_write(double size) {
    return kTlpGbps * size / (std::ceil(size / 256) * 24 + size);
}

// Reads need request bandwidth upstream and completion bandwidth downstream; the
// busier direction decides (pcie-bench mem_bw.read).
double pcie_bench_read(double size) {
    const double up = std::ceil(size / 512) * 24;
    const double down = std::ceil(size / 256) * 20 + size;
    return kTlpGbps * size / std::max(up, down);
}

// As in pcie-bench's experiments every DMA starts on an aligned buffer: the strided
// pattern with the next power of two as the stride (1500 B transfers 2 KiB apart).
double simulate(uint64_t size, bool read, const char* mode) {
    const uint64_t requests = std::max<uint64_t>(4000, (4u << 20) / size);
    uint64_t stride = 64;
    while (stride < size) stride *= 2;
    platform::System sys("system", make_platform({
        {"sim.mode", mode},
        {"dev.size", std::to_string(size)},
        {"dev.requests", std::to_string(requests)},
        {"dev.read_fraction", read ? "1" : "0"},
        {"dev.window", "16M"},
        {"dev.pattern", "strided"},
        {"dev.stride", std::to_string(stride)},
        {"dev.tags", "256"},
    }));
    sys.preload();
    sys.run();
    auto& d = sys.device(0);
    REQUIRE(d.finished());
    REQUIRE(d.data_errors() == 0);
    return read ? d.read_gbps() : d.write_gbps();
}

void check(uint64_t size, bool read, const char* mode = "timing") {
    const double expect = read ? pcie_bench_read(double(size)) : pcie_bench_write(double(size));
    const double got = simulate(size, read, mode);
    // Printed as well as kept for a failure: the README's calibration table comes from
    // these lines (ctest -V shows them).
    std::cout << "size " << size << (read ? " read" : " write") << ": simulated " << got << " Gb/s, pcie-bench "
              << expect << " Gb/s\n";
    INFO("size " << size << (read ? " read" : " write") << ": simulated " << got
                 << " Gb/s, pcie-bench " << expect << " Gb/s");
    CHECK(std::abs(got - expect) <= 0.02 * expect);
}

}  // namespace

#define CALIBRATE(size)                                                                    \
    TEST_CASE("Gen3 x8 DMA write " #size " B matches pcie-bench", "[calibration]") {       \
        check(size, false);                                                                \
    }                                                                                      \
    TEST_CASE("Gen3 x8 DMA read " #size " B matches pcie-bench", "[calibration]") {        \
        check(size, true);                                                                 \
    }

CALIBRATE(64)
CALIBRATE(128)
CALIBRATE(256)
CALIBRATE(512)
CALIBRATE(1024)
CALIBRATE(1500)
CALIBRATE(2048)

TEST_CASE("Atomic mode also reaches the link-limited read throughput", "[calibration]") {
    const double expect = pcie_bench_read(256);
    CHECK(simulate(256, true, "atomic") == Approx(expect).epsilon(0.05));
}
