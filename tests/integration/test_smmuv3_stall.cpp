// SMMUv3 stalls end to end: a stall-capable device ([dev] stall) behind an SMMU whose
// IDR0.STALL_MODEL allows stalls gets CD.S from its driver; a DMA to an IOVA its domain
// does not map stalls, the event interrupt has the driver read the event (Stall = 1)
// and answer CMD_RESUME Abort, and the read completes with an error while the write is
// dropped. The run finishes in both timing modes, and the device's mapped traffic is
// untouched.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "platforms/system.h"
#include "tests/integration/platform_fixture.h"

namespace {

platform::PlatformConfig stall_platform(const std::string& mode, bool stall) {
    return make_platform({{"sim.mode", mode},
                          {"sim.quantum_ns", "100"},
                          {"iommu.arch", "smmuv3"},
                          {"smmuv3.stall_model", "0"},
                          {"dev.stall", stall ? "1" : "0"},
                          {"dev.base", "0x1000000"},
                          {"dev.window", "16384"},
                          {"dev.size", "256"},
                          {"dev.requests", "8"},
                          {"dev.interval_ns", "1000"}});
}

uint64_t stat(const sim::StatGroup& g, const std::string& name) {
    nlohmann::json j;
    g.write(j, "s");
    return j.contains("s." + name) ? j.at("s." + name).get<uint64_t>() : 0;
}

// One read and one write of 256 bytes where nothing is mapped.
void feed_unmapped(platform::System& sys) {
    pcie::Request rd{0x4000'0000, 256, true};
    pcie::Request wr{0x4000'1000, 256, false};
    rd.fed = wr.fed = true;
    sys.device(0).feed(rd);
    sys.device(0).feed(wr);
}

void check_stall(const std::string& mode) {
    platform::System sys("system", stall_platform(mode, true));
    feed_unmapped(sys);
    sys.preload();
    sys.run();
    const sim::StatGroup& unit = *sys.unit();
    CHECK(sys.device(0).reads() == 8);  // the mapped ones
    CHECK(sys.device(0).error_completions() == 2);  // the read, and the dropped write's acknowledgement
    CHECK(stat(unit, "stall.stalls") == 2);
    CHECK(stat(unit, "stall.terminated") == 2);
    CHECK(stat(unit, "stall.resumed") == 0);
    CHECK(stat(unit, "events") == 2);
}

}  // namespace

TEST_CASE("SMMUv3 stall, timing: an unmapped DMA stalls and the driver's RESUME Abort ends it",
          "[integration][stall]") {
    check_stall("timing");
}

TEST_CASE("SMMUv3 stall, atomic: an unmapped DMA stalls and the driver's RESUME Abort ends it",
          "[integration][stall]") {
    check_stall("atomic");
}

TEST_CASE("SMMUv3 stall: a device without [dev] stall faults without stalling", "[integration][stall]") {
    platform::System sys("system", stall_platform("timing", false));
    feed_unmapped(sys);
    sys.preload();
    sys.run();
    CHECK(stat(*sys.unit(), "stall.stalls") == 0);
    CHECK(stat(*sys.unit(), "faults") == 2);
}
