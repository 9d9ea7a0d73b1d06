// Replay end to end: the mapping engine maps buffers through its VT-d driver, a device
// DMAs through them at the trace's times, its reads check what it wrote, the bytes
// land in the process's own pages, and DMA after the unmap faults with VT-d's reason.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "models/sim/stats_tree.h"
#include "models/sim/timeline.h"
#include "tests/support/temp_files.h"

#include "models/pcie/data_pattern.h"
#include "workloads/replay/replay_run.h"
#include "tests/integration/platform_fixture.h"
#include "traces/trace.h"

using workload::ReplayRun;

namespace {

struct Replay {
    platform::PlatformConfig pc;
    std::unique_ptr<sim::Timeline> timeline;  // outlives the models that write to it
    std::unique_ptr<platform::System> sys;
    std::unique_ptr<ReplayRun> run;
    std::ostringstream log;

    Replay(const std::string& mode, std::unique_ptr<trace::Reader> trace, const std::string& timeline_path = "") {
        pc = load_platform(source_root() + "/configs/replay-vtd.ini", {{"sim.mode", mode}});
        pc.devs[0].requests = 0;
        pc.devs[0].preload = "none";
        if (!timeline_path.empty()) timeline = std::make_unique<sim::Timeline>(timeline_path);
        sys = std::make_unique<platform::System>("system", pc);
        if (timeline) sys->set_timeline(*timeline);
        run = std::make_unique<ReplayRun>("iommufd", *sys, std::move(trace),
                                          std::vector<workload::Replayer::DeviceInfo>{{"dev0", 0x0100}},
                                          true, pc, log);
        REQUIRE(run->probed());
        sys->run();
    }
    std::vector<std::string> lines() const {
        std::vector<std::string> out;
        std::istringstream in(log.str());
        for (std::string l; std::getline(in, l);) out.push_back(l);
        return out;
    }
    // The bytes the CPU sees at a user address of process p0.
    std::vector<uint8_t> user_bytes(uint64_t va, size_t n) {
        const auto pa = run->replayer().process("p0")->frame(va);
        REQUIRE(pa);
        std::vector<uint8_t> b(n);
        sys->memory().cache().cpu_read(*pa, b.data(), n);
        return b;
    }
};

std::unique_ptr<trace::Reader> sample() {
    return std::make_unique<trace::Reader>(source_root() + "/traces/samples/dma.trace");
}

std::unique_ptr<trace::Reader> ops_of(const std::string& text) {
    return std::make_unique<trace::Reader>(std::make_unique<std::istringstream>(text), "t.trace");
}

void check_sample(Replay& r) {
    const std::vector<std::string> want = {
        "5 process ok", "6 mmap ok", "7 iommufd_open ok", "8 ioas_alloc ok id=1",
        "9 device_attach ok pt_id=3", "10 ioas_map ok iova=0x100000", "11 ioas_map ok iova=0x200000",
        "12 dma ok requests=16", "13 dma ok requests=16", "14 dma ok requests=2",
        "15 dma err EFAULT requests=1 faulted=1", "16 ioas_unmap ok length=0x12000",
        "17 dma err EFAULT requests=1 faulted=1", "18 dma err EFAULT requests=1 faulted=1"};
    CHECK(r.lines() == want);
    CHECK(r.run->finished());
    const pcie::TrafficGenerator& dev = r.sys->device(0);
    CHECK(dev.data_errors() == 0);
    CHECK(dev.error_completions() == 3);
    CHECK(dev.reads() == 18);
    // The device's writes sit in p0's pages, each byte the pattern of its IOVA.
    const uint64_t seed = dev.params().data_seed;
    for (uint64_t off = 0; off < 0x10000; off += 0x1000) {
        const std::vector<uint8_t> b = r.user_bytes(0x7f0000000000 + off, 0x1000);
        INFO("page offset " << off);
        CHECK(pcie::matches_pattern(0x100000 + off, b.data(), b.size(), seed));
    }
    // The refused write to the read-only buffer left it as it was: zero.
    const std::vector<uint8_t> ro = r.user_bytes(0x7f0000080800, 512);
    CHECK(std::all_of(ro.begin(), ro.end(), [](uint8_t v) { return v == 0; }));
}

uint64_t stat(const std::string& key) {
    const nlohmann::json s = sim::collect_stats();
    return s.value(key, uint64_t(0));
}

}  // namespace

TEST_CASE("Replay DMA (timing): data checked, lands in the user's pages, faults after unmap",
          "[replay-dma]") {
    Replay r("timing", sample());
    check_sample(r);
    CHECK(stat("system.dev0.verified_bytes") == 65536);
    CHECK(stat("system.iommu.faults.0x5") == 2);  // writes to read-only and unmapped pages
    CHECK(stat("system.iommu.faults.0x6") == 1);  // the read after the unmap
    CHECK(stat("iommufd.unmap.waits") == 2);       // strict: one wait per area unmapped
    CHECK(stat("iommufd.map.ops") == 2);
}

TEST_CASE("Replay DMA (atomic): the same results", "[replay-dma]") {
    Replay r("atomic", sample());
    check_sample(r);
    CHECK(stat("system.dev0.verified_bytes") == 65536);
    CHECK(stat("system.iommu.faults.0x6") == 1);
}

TEST_CASE("Replay DMA: a read checks the device's own writes, and sees another writer's",
          "[replay-dma]") {
    // The same user page behind two IOVAs: the write through the second changes what
    // a read through the first finds.
    Replay r("timing", ops_of("0 process name=p0 user=u0 rlimit_memlock=1G\n"
                              "0 mmap process=p0 user_va=0x10000 length=64K\n"
                              "0 iommufd_open name=fd0 process=p0\n"
                              "0 ioas_alloc name=ioas0\n"
                              "0 device_attach dev_id=dev0 pt_id=ioas0\n"
                              "0 ioas_map ioas_id=ioas0 flags=fixed_iova|readable|writeable user_va=0x10000 length=4K iova=0x100000\n"
                              "0 ioas_map ioas_id=ioas0 flags=fixed_iova|readable|writeable user_va=0x10000 length=4K iova=0x200000\n"
                              "1us dma dev=dev0 iova=0x100000 length=4K dir=write\n"
                              "5us dma dev=dev0 iova=0x100000 length=4K dir=read\n"
                              "10us dma dev=dev0 iova=0x200000 length=64 dir=write\n"
                              "15us dma dev=dev0 iova=0x100000 length=4K dir=read\n"
                              "20us ioas_unmap ioas_id=ioas0 iova=0x100000 length=4K\n"
                              "20us ioas_map ioas_id=ioas0 flags=fixed_iova|readable user_va=0x11000 length=4K iova=0x100000\n"
                              "25us dma dev=dev0 iova=0x100000 length=4K dir=read\n"));
    const std::vector<std::string> log = r.lines();
    REQUIRE(log.size() == 14);
    CHECK(log[8] == "9 dma ok requests=1");
    CHECK(log[10] == "11 dma ok requests=1 data_errors=1");
    // After the unmap the device no longer expects its old bytes at that IOVA.
    CHECK(log[13] == "14 dma ok requests=1");
    CHECK(stat("system.dev0.verified_bytes") == 2 * 4096);
    CHECK(stat("system.dev0.data_errors") == 1);
}

TEST_CASE("Replay DMA: a DMA waits for its time, and requests never cross 4 KiB", "[replay-dma]") {
    Replay r("timing", ops_of("0 process name=p0 user=u0 rlimit_memlock=1G\n"
                              "0 mmap process=p0 user_va=0x10000 length=64K\n"
                              "0 iommufd_open name=fd0 process=p0\n"
                              "0 ioas_alloc name=ioas0\n"
                              "0 device_attach dev_id=dev0 pt_id=ioas0\n"
                              "0 ioas_map ioas_id=ioas0 flags=fixed_iova|readable|writeable user_va=0x10000 length=16K iova=0x100000\n"
                              "7us dma dev=dev0 iova=0x100f00 length=0x2100 dir=write\n"));
    CHECK(r.lines().back() == "7 dma ok requests=3");  // 0x100 + 0x1000 + 0x1100 - 0x1000
    const pcie::TrafficGenerator& dev = r.sys->device(0);
    CHECK(dev.writes() == 3);
    CHECK(dev.write_latency().min() > 0);
    CHECK(dev.first_issue() == sc_core::sc_time(7, sc_core::SC_US));
}

TEST_CASE("Timeline: trace-event JSON with DMAs, translations, walks, faults and invalidations",
          "[replay-dma][timeline]") {
    testutil::TempDir dir;
    const std::string path = dir.path("timeline.json");
    { Replay r("timing", sample(), path); }  // the timeline closes with the run
    std::ifstream in(path);
    const nlohmann::json t = nlohmann::json::parse(in);  // throws if not JSON
    REQUIRE(t.at("traceEvents").is_array());
    std::map<std::string, int> kinds;
    std::set<std::string> tracks;
    for (const nlohmann::json& e : t["traceEvents"]) {
        const std::string ph = e.at("ph");
        REQUIRE((ph == "X" || ph == "i" || ph == "M" || ph == "C" || ph == "s" || ph == "f"));
        CHECK(e.at("pid").is_number_integer());
        if (ph == "C" || ph == "s" || ph == "f") {  // counters and flows: checked by cli_timeline
            ++kinds[ph];
            continue;
        }
        if (ph == "M") {
            tracks.insert(e.at("args").at("name").get<std::string>());
            continue;
        }
        CHECK(e.at("ts").get<double>() >= 0);
        if (ph == "X") CHECK(e.at("dur").get<double>() >= 0);
        ++kinds[e.at("name").get<std::string>()];
    }
    CHECK(kinds["write"] == 18);      // 16 to the buffer, 2 refused
    CHECK(kinds["read"] == 19);       // 16 + 2 from the read-only buffer + 1 after unmap
    CHECK(kinds["translate"] + kinds["fault"] == 37);
    CHECK(kinds["fault"] == 3);
    CHECK(kinds["fault 0x5 WRITE"] == 2);  // the unit names its reasons (fault_text)
    CHECK(kinds["fault 0x6 READ"] == 1);
    CHECK(kinds["walk"] > 0);
    CHECK(kinds["iotlb"] > 0);        // the unmaps' invalidations
    CHECK(kinds["wait"] > 0);
    CHECK(tracks.count("dev0"));
    CHECK(tracks.count("system.iommu"));
    CHECK(tracks.count("invalidations"));
    CHECK(tracks.count("dma 0"));
    CHECK(tracks.count("walks 0"));
    CHECK(kinds["s"] > 0);
    CHECK(kinds["f"] == kinds["s"]);  // every flow this run starts ends: DMA -> translation -> walk
    CHECK(kinds["C"] > 0);
}

TEST_CASE("Replay DMA: the run's end unmaps nothing the trace left mapped", "[replay-dma]") {
    // Closing the context would unmap each area through the driver, an IOTLB
    // invalidation each; the replay is over, so only the device's release remains
    // (its ops detach it once, as Linux's release_device does).
    std::string text = "0 process name=p0 user=u0 rlimit_memlock=1G\n"
                       "0 mmap process=p0 user_va=0x10000 length=64K\n"
                       "0 iommufd_open name=fd0 process=p0\n"
                       "0 ioas_alloc name=ioas0\n"
                       "0 device_attach dev_id=dev0 pt_id=ioas0\n";
    for (int i = 0; i < 8; ++i)
        text += "+1us ioas_map ioas_id=ioas0 flags=readable user_va=0x" + std::to_string(10 + i) + "000 length=4K\n";
    Replay r("timing", ops_of(text));
    REQUIRE(r.run->finished());
    CHECK(stat("iommufd.map.ops") == 8);
    const uint64_t iotlb = stat("system.iommu.inv.iotlb");
    r.run.reset();  // the driver's invalidations reach the unit at once (functional core)
    CHECK(stat("system.iommu.inv.iotlb") <= iotlb + 1);
}
