// ATS end to end on the FLAT test architecture (tests/support/flat, CAP.ATS): the boot
// map's driver enables the device's ATS, the device hits its ATC, and an ATC
// invalidation from the unit makes it translate again. Both timing modes.
#include <catch2/catch.hpp>

// sc_spawn: SystemC declares it only where this is defined before its first include.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>

#include <nlohmann/json.hpp>

#include "platforms/archs.h"
#include "platforms/system.h"
#include "tests/integration/platform_fixture.h"
#include "tests/support/flat/flat_arch.h"
#include "tests/support/flat/flat_driver.h"

namespace {

// 2 passes of 16 requests of 1 KiB over 4 pages, one request a microsecond.
platform::PlatformConfig ats_platform(const std::string& mode) {
    platform::register_arch({"flat", &flat::hardware(), &flat::driver_arch()});
    return make_platform({{"sim.mode", mode},
                          {"sim.quantum_ns", "100"},
                          {"sim.check_isolation", "1"},
                          {"iommu.arch", "flat"},
                          {"flat.ats", "1"},
                          {"flat.iova_bits", "30"},
                          {"dev.ats", "1"},
                          {"dev.base", "0x1000000"},
                          {"dev.window", "16384"},
                          {"dev.size", "1024"},
                          {"dev.requests", "32"},
                          {"dev.interval_ns", "1000"}});
}

uint64_t stat(platform::System& sys, const std::string& name) {
    nlohmann::json j;
    static_cast<const sim::StatGroup&>(sys.device(0)).write(j, "d");
    return j.at("d." + name).get<uint64_t>();
}

// The unit's ATC_ALL invalidation for the device (flat_spec.h: INV 0x018, TYPE 6,
// SID 31:16, GO 63), as the driver writes it.
void invalidate_atc_at(platform::System& sys, double ns) {
    sc_core::sc_spawn([&sys, ns] {
        sc_core::wait(ns, sc_core::SC_NS);
        sys.unit()->write(0x018, 6 | uint64_t(0x0100) << 16 | uint64_t(1) << 63, 8);
    });
}

void check_ats(const std::string& mode, bool invalidate) {
    platform::System sys("system", ats_platform(mode));
    REQUIRE(sys.device(0).ats_enabled());
    if (invalidate) invalidate_atc_at(sys, 16500);
    sys.preload();
    sys.run();
    CHECK(sys.device(0).reads() == 32);
    CHECK(sys.device(0).error_completions() == 0);
    CHECK(sys.device(0).data_errors() == 0);
    // A TR per page and pass: the first request to a page misses, and hits when it
    // goes again after the completion filled the ATC.
    CHECK(stat(sys, "ats.translation_requests") == (invalidate ? 8 : 4));
    CHECK(stat(sys, "atc.misses") == (invalidate ? 8 : 4));
    CHECK(stat(sys, "atc.hits") == 32);
    CHECK(stat(sys, "ats.translated") == 32);
    CHECK(stat(sys, "atc.invalidations") == (invalidate ? 1 : 0));
    CHECK(stat(sys, "atc.invalidated_entries") == (invalidate ? 4 : 0));
    CHECK(sys.isolation_checked() == 32);
    CHECK(sys.isolation_breaches() == 0);
}

}  // namespace

TEST_CASE("ATS on flat, timing: the ATC serves the second pass", "[integration][ats]") {
    check_ats("timing", false);
}

TEST_CASE("ATS on flat, atomic: the ATC serves the second pass", "[integration][ats]") {
    check_ats("atomic", false);
}

TEST_CASE("ATS on flat, timing: after an ATC invalidation the device translates again",
          "[integration][ats]") {
    check_ats("timing", true);
}

TEST_CASE("ATS on flat, atomic: after an ATC invalidation the device translates again",
          "[integration][ats]") {
    check_ats("atomic", true);
}

// A Translated request is checked at the IOVA the device translated from: a planted
// wrong translation (the flat page-table entry of the window's third page rewritten
// behind the driver, flat_spec.h sections 2 and 3) reaches the ATC through a TR, and
// the first request the device issues with it is a breach.
TEST_CASE("ATS on flat: a wrong translation in the ATC is an isolation breach", "[integration][ats]") {
    const platform::PlatformConfig pc = ats_platform("timing");
    platform::System sys("system", pc);
    const uint64_t devtab = sys.unit()->read(0x10, 8) & 0xffff'ffff'f000;
    uint64_t entry = 0;
    sys.memory().cache().cpu_read(devtab + 8 * 0x100, &entry, 8);
    const uint64_t pte = (entry & 0xffff'ffff'f000) + 8 * (0x100'2000 >> 12);
    const uint64_t bogus = (0x100'2000 + (uint64_t(1) << 30)) | 3;  // R, W
    sys.memory().cache().cpu_write(pte, &bogus, 8);
    sys.run();
    CHECK(sys.isolation_breaches() == 1);
    CHECK(sys.first_breach() == "requester 0x100 iova 0x1002000 translated to pa 0x41002000; "
                                "the mapping engine maps it to 0x1002000 (writable)");
}
