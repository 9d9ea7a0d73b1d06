// The foundation platform end to end: device -> link -> root complex -> memory.
#include <catch2/catch.hpp>

#include <vector>

#include "models/pcie/data_pattern.h"
#include "models/sim/stats_tree.h"
#include "platforms/system.h"
#include "tests/integration/platform_fixture.h"

using Settings = std::vector<std::pair<std::string, std::string>>;

namespace {

// The components of one unloaded request, from the configured values.
struct Components {
    double link_ns = 70, rc_ns = 50, dram_ns = 80, channel_gbytes = 19.2;
};

Settings latency_settings(const char* mode, bool read, const Components& c) {
    return {{"sim.mode", mode},
            {"dev.requests", "1"},
            {"dev.size", "64"},
            {"dev.read_fraction", read ? "1" : "0"},
            {"link.latency_ns", std::to_string(c.link_ns)},
            {"rc.latency_ns", std::to_string(c.rc_ns)},
            {"memory.latency_ns", std::to_string(c.dram_ns)},
            {"memory.channel_gbytes", std::to_string(c.channel_gbytes)}};
}

// Serialization at the link's TLP rate, rounded to ps as the simulator's clock is.
double wire_ns(double bytes, double gbps) { return std::round(bytes * 8000.0 / gbps) / 1000.0; }

void check_unloaded(const char* mode, bool read) {
    Components c;
    platform::System sys("system", make_platform(latency_settings(mode, read, c)));
    sys.preload();
    sys.run();
    const double gbps = sys.link(0).config().tlp_gbps();
    const double dram = c.dram_ns + wire_ns(64, c.channel_gbytes * 8);
    double expect;
    if (read)  // request TLP up, root complex, DRAM, root complex, completion down
        expect = wire_ns(24, gbps) + c.link_ns + c.rc_ns + dram + c.rc_ns + wire_ns(84, gbps) +
                 c.link_ns;
    else  // posted write: TLP up, root complex, DRAM commit
        expect = wire_ns(88, gbps) + c.link_ns + c.rc_ns + dram;
    const auto& h = read ? sys.device(0).read_latency() : sys.device(0).write_latency();
    REQUIRE(h.count() == 1);
    CHECK(h.mean() == Approx(expect).margin(0.002));
}

}  // namespace

TEST_CASE("Unloaded read latency is the sum of the components (timing)", "[latency]") {
    check_unloaded("timing", true);
}
TEST_CASE("Unloaded write latency is the sum of the components (timing)", "[latency]") {
    check_unloaded("timing", false);
}
TEST_CASE("Unloaded read latency is the sum of the components (atomic)", "[latency]") {
    check_unloaded("atomic", true);
}
TEST_CASE("Unloaded write latency is the sum of the components (atomic)", "[latency]") {
    check_unloaded("atomic", false);
}

namespace {

// A device writes its pattern over the window, reads it back, then the CPU looks.
void check_write_read_back(const char* mode) {
    platform::System sys("system", make_platform({{"sim.mode", mode},
                                                  {"dev.preload", "none"},
                                                  {"dev.write_first", "true"},
                                                  {"dev.window", "256K"},
                                                  {"dev.size", "512"},
                                                  {"dev.requests", "2048"},
                                                  {"dev.pattern", "random"}}));
    sys.preload();
    sys.run();
    auto& d = sys.device(0);
    REQUIRE(d.finished());
    CHECK(d.writes() == 512);
    CHECK(d.reads() == 2048);
    CHECK(d.data_errors() == 0);
    std::vector<uint8_t> cpu(256 << 10);
    const uint64_t base = d.params().base;
    sys.memory().cache().cpu_read(base, cpu.data(), cpu.size());
    CHECK(pcie::matches_pattern(base, cpu.data(), cpu.size(), d.params().data_seed));
}

}  // namespace

TEST_CASE("A device's writes read back intact and the CPU sees them (timing)", "[integrity]") {
    check_write_read_back("timing");
}
TEST_CASE("A device's writes read back intact and the CPU sees them (atomic)", "[integrity]") {
    check_write_read_back("atomic");
}

namespace {

// The CPU writes the pattern (seed 1) into its cache over two windows: dirty lines,
// memory still zero. dev0 reads the first window; dev1 writes the second with its own
// pattern (seed 2). Afterwards the CPU flushes the second window from its cache.
struct Coherence {
    nlohmann::json stats;
    uint64_t read_data_errors;
    bool memory_has_device_data, memory_has_cpu_data;
};

Coherence run_coherence(bool no_snoop) {
    const std::string ns = no_snoop ? "true" : "false";
    platform::System sys("system", make_platform({{"platform.devices", "2"},
                                                  {"dev.window", "64K"},
                                                  {"dev.size", "64"},
                                                  {"dev.no_snoop", ns},
                                                  {"dev0.preload", "cpu"},
                                                  {"dev0.requests", "1024"},
                                                  {"dev1.preload", "none"},
                                                  {"dev1.requests", "1024"},
                                                  {"dev1.read_fraction", "0"},
                                                  {"dev1.data_seed", "2"}}));
    sys.preload();
    auto& cache = sys.memory().cache();
    const uint64_t base1 = sys.device(1).params().base;
    std::vector<uint8_t> buf(64 << 10);
    pcie::fill_pattern(base1, buf.data(), buf.size(), 1);
    cache.cpu_write(base1, buf.data(), buf.size());
    sys.run();
    cache.cpu_flush(base1, buf.size());
    sys.memory().store().read(base1, buf.data(), buf.size());
    return {sim::collect_stats(), sys.device(0).data_errors(),
            pcie::matches_pattern(base1, buf.data(), buf.size(), 2),
            pcie::matches_pattern(base1, buf.data(), buf.size(), 1)};
}

uint64_t stat(const Coherence& c, const char* name) {
    return c.stats.at(std::string("system.memory.cache.") + name).get<uint64_t>();
}

}  // namespace

TEST_CASE("Non-snooped DMA reads stale memory and loses writes to dirty CPU lines",
          "[coherence]") {
    Coherence c = run_coherence(true);
    // Every read found memory still zero while the CPU held the pattern dirty.
    CHECK(c.read_data_errors == 1024);
    CHECK(stat(c, "nosnoop_stale_reads") == 1024);
    // Every write went to a line the CPU held dirty; its flush then overwrote them.
    CHECK(stat(c, "nosnoop_lost_writes") == 1024);
    CHECK(c.memory_has_cpu_data);
    CHECK_FALSE(c.memory_has_device_data);
    CHECK(stat(c, "snoop_dirty_hits") == 0);
}

TEST_CASE("Snooped DMA sees the CPU's dirty data and its writes survive", "[coherence]") {
    Coherence c = run_coherence(false);
    CHECK(c.read_data_errors == 0);
    CHECK(stat(c, "snoop_dirty_hits") == 1024);
    CHECK(stat(c, "snoop_invalidations") == 1024);
    CHECK(stat(c, "nosnoop_stale_reads") == 0);
    CHECK(stat(c, "nosnoop_lost_writes") == 0);
    CHECK(c.memory_has_device_data);
}

TEST_CASE("A request above installed memory gets an error completion and touches nothing",
          "[integrity]") {
    platform::System sys("system", make_platform({{"memory.size", "1G"},
                                                  {"dev.preload", "none"},
                                                  {"dev.base", "0x40000000"},
                                                  {"dev.window", "64K"},
                                                  {"dev.requests", "100"},
                                                  {"dev.read_fraction", "0.5"},
                                                  {"dev.pattern", "random"}}));
    sys.preload();
    sys.run();
    CHECK(sys.device(0).error_completions() == 100);
    CHECK(sys.device(0).reads() + sys.device(0).writes() == 0);
    CHECK(sys.memory().store().frames() == 0);
}

TEST_CASE("Tiny queues back-pressure every hop and nothing is lost", "[backpressure]") {
    // Slow memory with room for two requests, a root complex queue of two and two
    // link credits: each hop must hold the one before it back (TLM_ACCEPTED, END_REQ
    // later), and every request must still complete with the right data.
    platform::System sys("system", make_platform({{"platform.devices", "3"},
                                                  {"memory.queue_depth", "2"},
                                                  {"memory.channels", "1"},
                                                  {"memory.banks", "1"},
                                                  {"memory.bank_busy_ns", "100"},
                                                  {"rc.queue_depth", "2"},
                                                  {"link.credits", "2"},
                                                  {"dev.requests", "3000"},
                                                  {"dev.read_fraction", "0.5"},
                                                  {"dev.pattern", "random"},
                                                  {"dev.size", "128"}}));
    sys.preload();
    sys.run();
    const nlohmann::json s = sim::collect_stats();
    for (size_t i = 0; i < 3; ++i) {
        auto& d = sys.device(i);
        INFO("dev" << i);
        CHECK(d.finished());
        CHECK(d.reads() + d.writes() == 3000);
        CHECK(d.data_errors() == 0);
        CHECK(s.at("system.link" + std::to_string(i) + ".credit_stalls").get<uint64_t>() > 0);
    }
    CHECK(s.at("system.memory.queue_full_stalls").get<uint64_t>() > 0);
    CHECK(s.at("system.rc.queue_full_stalls").get<uint64_t>() > 0);
    CHECK(s.at("system.memory.reads").get<uint64_t>() + s.at("system.memory.writes").get<uint64_t>() ==
          9000);
    // One bank busy 100 ns per access bounds the whole system: 9000 accesses >= 900 us.
    CHECK(sc_core::sc_time_stamp() >= sc_core::sc_time(900, sc_core::SC_US));
}
