// Conformance on the platform, for every registered architecture in both timing modes:
// the boot map translates 1:1; random maps and unmaps replayed through iommufd leave
// DMA working exactly on the live mappings; deferred unmaps are counted stale until
// their flush; the NIC workload runs through the architecture's driver; nvme on three
// SSDs in every mode and without an IOMMU; the boot map in pass-through.
//
// SystemC elaborates once per process, so each (architecture, mode) is a test case of
// its own, one per name in CONFORMANCE_ARCHS (conformance.h).
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>

#include "models/sim/rng.h"
#include "models/sim/run_control.h"
#include "models/sim/stats_tree.h"
#include "platforms/system.h"
#include "tests/conformance/conformance.h"
#include "tests/integration/platform_fixture.h"
#include "tests/support/temp_files.h"
#include "workloads/workload.h"

namespace {

using conformance::Settings;

// A run as `iommu-sim` makes it: configuration (a shipped file, then overrides), the
// workload, the platform; returns the statistics.
nlohmann::json run(const std::string& config, const Settings& overrides) {
    conformance::register_test_archs();
    sim::Config cfg;
    if (!config.empty()) cfg.load_ini(source_root() + "/configs/" + config);
    cfg.set("sim.check_isolation", "true");  // every translation against the engine's view
    for (const auto& [k, v] : overrides) cfg.set(k, v);
    sim::ParamSchema schema;
    platform::PlatformConfig::declare(schema, platform::device_count(cfg));
    workload::Config::declare(schema);
    schema.check_known(cfg);
    platform::PlatformConfig pc = platform::PlatformConfig::read(cfg);
    const workload::Config wc = workload::Config::read(cfg);
    wc.check(pc, cfg);
    wc.adjust(pc);
    platform::System sys("system", pc);
    sys.preload();
    const std::unique_ptr<workload::Workload> work = workload::make(wc, sys, pc);
    sim::RunControl control;
    sys.run(control);
    nlohmann::json stats = sim::collect_stats();
    stats["finished"] = sys.finished() && (!work || work->finished());
    stats["isolation.checked"] = sys.isolation_checked();
    stats["isolation.breaches"] = sys.isolation_breaches();
    return stats;
}

uint64_t u(const nlohmann::json& s, const std::string& key) {
    INFO(key);
    REQUIRE(s.contains(key));
    return s.at(key).get<uint64_t>();
}

// Two devices on their own requester IDs read windows preloaded in memory: a read
// that checks against the pattern of its IOVA proves the translation is 1:1.
void boot_map(const std::string& arch, const std::string& mode) {
    const nlohmann::json s = run("", {{"iommu.arch", arch}, {"sim.mode", mode}, {"platform.devices", "2"},
                                      {"dev.window", "64K"}, {"dev.requests", "600"},
                                      {"dev.read_fraction", "1"}, {"dev.preload", "memory"},
                                      {"dev.verify", "true"}});
    CHECK(s.at("finished").get<bool>());
    for (const char* d : {"system.dev0.", "system.dev1."}) {
        INFO(d);
        CHECK(u(s, std::string(d) + "reads") == 600);
        CHECK(u(s, std::string(d) + "error_completions") == 0);
        CHECK(u(s, std::string(d) + "data_errors") == 0);  // every read checked (verify)
    }
    CHECK(u(s, "system.iommu.lookup.missed") > 0);  // the unit walked its tables
    CHECK(u(s, "isolation.checked") == 1200);          // every translation, against the boot map
    CHECK(u(s, "isolation.breaches") == 0);
}

// A random trace: maps of 1-16 pages into 64 KiB slots and unmaps of live ones, then
// a read of every slot; `live` says which slots end mapped.
std::string random_trace(std::vector<bool>& live) {
    constexpr unsigned kSlots = 256;
    std::ostringstream t;
    t << "0 process name=p0 user=u0 rlimit_memlock=1G\n"
         "0 mmap process=p0 user_va=0x7f0000000000 length=64M\n"
         "0 iommufd_open name=fd0 process=p0\n"
         "+1us ioas_alloc name=ioas0\n"
         "+1us device_attach dev_id=dev0 pt_id=ioas0\n";
    live.assign(kSlots, false);
    std::vector<uint64_t> length(kSlots, 0);
    sim::Rng rng(7, "conformance-trace");
    for (int i = 0; i < 1500; ++i) {
        const unsigned slot = unsigned(rng.uniform(kSlots));
        const uint64_t iova = 0x100'0000 + uint64_t(slot) * 0x1'0000;
        if (live[slot]) {
            t << "+200ns ioas_unmap ioas_id=ioas0 iova=" << iova << " length=" << length[slot] << "\n";
        } else {
            length[slot] = (1 + rng.uniform(16)) * 4096;
            t << "+200ns ioas_map ioas_id=ioas0 flags=fixed_iova|readable|writeable user_va="
              << 0x7f00'0000'0000 + uint64_t(slot) * 0x1'0000 << " length=" << length[slot] << " iova=" << iova
              << "\n";
        }
        live[slot] = !live[slot];
    }
    for (unsigned slot = 0; slot < kSlots; ++slot)
        t << "+50ns dma dev=dev0 iova=" << 0x100'0000 + uint64_t(slot) * 0x1'0000 << " length=4K dir=read\n";
    return t.str();
}

nlohmann::json random_replay(const std::string& arch, const std::string& mode, const Settings& extra = {}) {
    testutil::TempDir dir;
    std::vector<bool> live;
    const std::string trace = dir.write("random.trace", random_trace(live)), log = dir.path("ops.log");
    Settings settings = {{"iommu.arch", arch}, {"sim.mode", mode}, {"workload.type", "replay"},
                         {"replay.trace", trace}, {"replay.op_log", log}};
    settings.insert(settings.end(), extra.begin(), extra.end());
    const nlohmann::json s = run("replay-vtd.ini", settings);
    CHECK(s.at("finished").get<bool>());
    CHECK(u(s, "iommufd.op_errors") == 0);
    std::ifstream in(log);
    std::vector<std::string> dma;
    for (std::string line; std::getline(in, line);)
        if (line.find(" dma ") != std::string::npos) dma.push_back(line);
    REQUIRE(dma.size() == live.size());
    size_t wrong = 0, mapped = 0;
    for (size_t i = 0; i < live.size(); ++i) {
        const bool ok = dma[i].find(" dma ok") != std::string::npos;
        wrong += ok != live[i];
        mapped += live[i];
    }
    CHECK(wrong == 0);
    CHECK(u(s, "isolation.checked") == mapped);  // the reads that translated, each checked
    CHECK(u(s, "isolation.breaches") == 0);
    CHECK(mapped > 50);
    CHECK(mapped < live.size() - 50);
    return s;
}

// The unit's strap for ATS (and PRI), and what else its driver needs to use them.
Settings ats_straps(const std::string& arch, bool pri) {
    if (arch == "vtd") {
        if (!pri) return {{"vtd.dt", "true"}};
        return {{"vtd.dt", "true"}, {"vtd.prs", "true"}, {"vtd.smts", "true"}, {"vtd.ssads", "true"}};
    }
    if (arch == "smmuv3") return {{"smmuv3.ats", "true"}, {"smmuv3.pri", pri ? "true" : "false"}};
    if (arch == "amdvi")  // the capability's IotlbSup, as the unit straps it and firmware reports it to the driver
        return {{"amdvi.iotlb_sup", "true"}, {"iommufd.amdvi.iotlb_sup", "true"},
                {"amdvi.ppr_sup", pri ? "true" : "false"}};
    return {{"flat.ats", "true"}};
}

// The random replay again with the device translating through its ATC: every unmap
// must reach the ATC before the DMA after it, or a read of an unmapped slot succeeds
// (and the isolation check, which checks translated requests at the IOVA they were
// translated from, reports a breach).
void random_replay_ats(const std::string& arch, const std::string& mode) {
    Settings extra = ats_straps(arch, false);
    extra.push_back({"dev.ats", "true"});
    const nlohmann::json s = random_replay(arch, mode, extra);
    CHECK(u(s, "system.dev0.ats.translated") == u(s, "isolation.checked"));  // every good read
    CHECK(u(s, "system.dev0.ats.translation_requests") > 0);
    CHECK(u(s, "system.dev0.atc.invalidations") > 0);  // the driver's invalidations reached it
}

// With PRI, a read of an unmapped slot becomes a page request; with no fault handler
// the driver answers every group as Linux does, and the read fails.
void random_replay_pri(const std::string& arch, const std::string& mode) {
    Settings extra = ats_straps(arch, true);
    extra.insert(extra.end(), {{"dev.ats", "true"}, {"dev.pri", "true"}});
    const nlohmann::json s = random_replay(arch, mode, extra);
    const uint64_t requests = u(s, "system.dev0.pri.page_requests");
    CHECK(requests > 0);
    CHECK(u(s, "system.dev0.pri.responses.success") == 0);
    CHECK(u(s, "system.dev0.pri.responses.invalid_request") + u(s, "system.dev0.pri.responses.failure") == requests);
}

// traces/samples/deferred.trace: DMA right after an unmap. Strict: nothing stale;
// deferred: the cached translation is used (and counted) until the flush.
void deferred(const std::string& arch, const std::string& mode) {
    const std::string trace = source_root() + "/traces/samples/deferred.trace";
    const Settings base = {{"iommu.arch", arch}, {"sim.mode", mode}, {"workload.type", "replay"},
                           {"replay.trace", trace}, {"iommufd.flush_timeout_ns", "10000"}};
    Settings d = base;
    d.push_back({"iommufd.invalidation", "deferred"});
    const nlohmann::json s = run("replay-vtd.ini", d);
    CHECK(s.at("finished").get<bool>());
    CHECK(u(s, "iommufd.dma.stale") > 0);
    CHECK(u(s, "isolation.breaches") == 0);  // stale, inside the deferred window: no breach
    CHECK(u(s, "iommufd.flush.unmaps") > 0);
    CHECK(u(s, "iommufd.unmap.waits") == 0);  // the unmap itself invalidated nothing
}

void nic(const std::string& arch, const std::string& mode) {
    const nlohmann::json s = run("nic-100g-vtd.ini", {{"iommu.arch", arch}, {"sim.mode", mode},
                                                       {"nic.packets", "400"}});
    CHECK(s.at("finished").get<bool>());
    CHECK(u(s, "nic.rx.packets") > 0);
    CHECK(u(s, "nic.engine_errors") == 0);
    CHECK(u(s, "nic.rx.dma_errors") == 0);
    CHECK(u(s, "iommufd." + arch + ".table_writes") > 0);  // the driver's statistics, by name
    CHECK(u(s, "iommufd.unmap.waits") > 0);                 // strict: every unmap waited
}

// The shipped configurations with a workload, each shortened.
std::pair<std::string, Settings> workload_run(const std::string& workload) {
    const std::string trace = source_root() + "/traces/samples/dma.trace";
    const std::map<std::string, std::pair<std::string, Settings>> runs = {
        {"nic_ring", {"nic-100g-vtd.ini", {{"nic.packets", "300"}, {"nic.direction", "both"}}}},
        {"nvme", {"nvme-vtd.ini", {{"nvme.ios", "300"}}}},
        {"gpu_stream", {"gpu-stream-vtd.ini", {{"gpu_stream.transfers", "3"}, {"gpu_stream.transfer_size", "1M"},
                                               {"gpu_stream.mapping", "per_transfer"}}}},
        {"window_sweep", {"vtd-broadwell.ini", {{"workload.type", "window_sweep"},
                                                {"window_sweep.windows", "4K,1M"},
                                                {"window_sweep.requests", "500"}}}},
        {"replay", {"replay-vtd.ini", {{"workload.type", "replay"}, {"replay.trace", trace}}}}};
    return runs.at(workload);
}

// Every shipped configuration with a workload, on this architecture, briefly: it
// finishes, and its DMA translates through what the architecture's driver wrote.
void workload_config(const std::string& arch, const std::string& mode, const std::string& workload) {
    auto [config, settings] = workload_run(workload);
    settings.push_back({"iommu.arch", arch});
    settings.push_back({"sim.mode", mode});
    const nlohmann::json s = run(config, settings);
    CHECK(s.at("finished").get<bool>());
    // Translation is enabled by the driver's probe and pages are mapped only by it:
    // DMA that walked and translated went through what the driver wrote.
    CHECK(u(s, "system.iommu.lookup.missed") > 0);
    CHECK(u(s, "system.iommu.requests") > u(s, "system.iommu.faulted"));
}

// Three SSDs on the nvme workload, in strict, deferred or pass-through mode: every SSD
// completes its own commands, through its own domain; pass-through calls the engine
// for no map or unmap and its DMA passes the IOMMU untranslated (the isolation check
// holds every translation to pa = iova).
void nvme_ssds(const std::string& arch, const std::string& mode) {
    Settings settings = {{"iommu.arch", arch}, {"platform.devices", "3"}, {"nvme.devices", "3"},
                         {"nvme.ios", "200"}, {"nvme.queues", "2"}, {"nvme.queue_depth", "8"}};
    const bool passthrough = mode == "passthrough";
    settings.push_back(passthrough ? Settings::value_type{"iommufd.passthrough", "true"}
                                   : Settings::value_type{"iommufd.invalidation", mode});
    const nlohmann::json s = run("nvme-vtd.ini", settings);
    CHECK(s.at("finished").get<bool>());
    CHECK(u(s, "nvme.ios") == 600);
    for (const char* ssd : {"ssd0", "ssd1", "ssd2"}) {
        INFO(ssd);
        CHECK(u(s, std::string("nvme.") + ssd + ".ios") == 200);
        CHECK(s.at(std::string("nvme.") + ssd + ".kiops").get<double>() > 0);
    }
    CHECK(u(s, "nvme.dma_errors") == 0);
    CHECK(u(s, "nvme.engine_errors") == 0);
    CHECK(u(s, "isolation.breaches") == 0);
    CHECK(u(s, "isolation.checked") > 0);
    CHECK(u(s, "system.iommu.faulted") == 0);
    CHECK(u(s, "iommufd.map.ops") == (passthrough ? 0 : 600));
    CHECK(u(s, "iommufd.unmap.ops") == (passthrough ? 0 : 600));
    CHECK(u(s, "system.iommu.translations") > 0);  // pass-through too: the IOMMU is on the path
    if (mode == "deferred") CHECK(u(s, "iommufd.flush.unmaps") == 600);
    // The SSDs' queues share the 2 cores, and the lock goes to the core that asked
    // first: a core that finds it held waits for the other core's hold at most, never
    // for holds queued ahead of their time (twice the mean hold: holds vary with size).
    if (mode == "strict" && u(s, "iommufd.cpu.lock.contended") > 0) {
        const double hold = double(u(s, "iommufd.cpu.lock.held_ns")) / double(u(s, "iommufd.cpu.lock.acquired"));
        const double spin = double(u(s, "iommufd.cpu.lock.spin_ns")) / double(u(s, "iommufd.cpu.lock.contended"));
        CHECK(spin <= 2 * hold);
    }
}

}  // namespace

#define NVME_SSDS_CASE(ARCH, MODE)                                                              \
    TEST_CASE("conformance " #ARCH ": nvme on three SSDs, " #MODE, "[conformance][nvme]") {     \
        nvme_ssds(#ARCH, #MODE);                                                                \
    }
NVME_SSDS_CASE(vtd, strict)
NVME_SSDS_CASE(vtd, deferred)
NVME_SSDS_CASE(vtd, passthrough)
NVME_SSDS_CASE(smmuv3, strict)
NVME_SSDS_CASE(smmuv3, deferred)
NVME_SSDS_CASE(smmuv3, passthrough)
NVME_SSDS_CASE(amdvi, strict)
NVME_SSDS_CASE(amdvi, deferred)
NVME_SSDS_CASE(amdvi, passthrough)

// A unit that cannot pass through (the test-only flat unit has no bypass): the
// configuration is refused before anything is built, naming the key.
TEST_CASE("conformance: pass-through on a unit without it is refused, naming the key", "[conformance][nvme]") {
    REQUIRE_THROWS_WITH(run("nvme-vtd.ini", {{"iommu.arch", "flat"}, {"iommufd.passthrough", "true"}}),
                        Catch::Contains("iommufd.passthrough: the flat unit cannot pass devices through"));
}

// Three SSDs without an IOMMU: the DMA API is direct, every SSD completes its
// commands, nothing is translated and the map statistics say zero.
TEST_CASE("conformance: nvme on three SSDs without an IOMMU", "[conformance][nvme]") {
    const nlohmann::json s = run("nvme-vtd.ini", {{"iommu.arch", "none"}, {"platform.devices", "3"},
                                                  {"nvme.devices", "3"}, {"nvme.ios", "200"},
                                                  {"nvme.queues", "2"}, {"nvme.queue_depth", "8"}});
    CHECK(s.at("finished").get<bool>());
    for (const char* ssd : {"ssd0", "ssd1", "ssd2"}) {
        INFO(ssd);
        CHECK(u(s, std::string("nvme.") + ssd + ".ios") == 200);
        CHECK(u(s, std::string("system.dev") + ssd[3] + ".error_completions") == 0);
    }
    CHECK(u(s, "nvme.dma_errors") == 0);
    CHECK(u(s, "iommufd.map.ops") == 0);
    CHECK(u(s, "iommufd.unmap.ops") == 0);
    CHECK_FALSE(s.contains("system.iommu.translations"));
}

// A synthetic or DMA-only replay run in pass-through: the boot map puts the device on
// an identity domain, so DMA far outside its window (which a boot map's paging domain
// would fault) translates to itself.
void boot_passthrough(const std::string& arch) {
    testutil::TempDir dir;
    const std::string trace = dir.write("out.trace",
                                        "0 dma dev=dev0 iova=0x200000000 length=8K dir=write\n"
                                        "+20us dma dev=dev0 iova=0x200000000 length=8K dir=read\n");
    const nlohmann::json s = run("", {{"iommu.arch", arch}, {"iommufd.passthrough", "true"},
                                      {"workload.type", "replay"}, {"replay.trace", trace}});
    CHECK(s.at("finished").get<bool>());
    CHECK(u(s, "system.iommu.translations") == 4);
    CHECK(u(s, "system.iommu.faulted") == 0);
    CHECK(u(s, "system.dev0.error_completions") == 0);
    CHECK(u(s, "system.dev0.data_errors") == 0);
    CHECK(u(s, "isolation.breaches") == 0);
}

#define BOOT_PASSTHROUGH_CASE(ARCH)                                                             \
    TEST_CASE("conformance " #ARCH ": the boot map in pass-through, DMA outside the windows",   \
              "[conformance]") {                                                                \
        boot_passthrough(#ARCH);                                                                \
    }
BOOT_PASSTHROUGH_CASE(vtd)
BOOT_PASSTHROUGH_CASE(smmuv3)
BOOT_PASSTHROUGH_CASE(amdvi)

#define CONFORMANCE_CASES(ARCH)                                                                   \
    TEST_CASE("conformance " #ARCH ": the boot map translates 1:1 (timing)", "[conformance]") {   \
        boot_map(#ARCH, "timing");                                                                \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": the boot map translates 1:1 (atomic)", "[conformance]") {   \
        boot_map(#ARCH, "atomic");                                                                \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": replayed random maps and unmaps, DMA works exactly on the " \
              "live ones (timing)", "[conformance]") {                                            \
        random_replay(#ARCH, "timing");                                                           \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": replayed random maps and unmaps, DMA works exactly on the " \
              "live ones (atomic)", "[conformance]") {                                            \
        random_replay(#ARCH, "atomic");                                                           \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": with ATS, DMA through the device's ATC works exactly on "  \
              "the live mappings (timing)", "[conformance][ats]") {                              \
        random_replay_ats(#ARCH, "timing");                                                       \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": with ATS, DMA through the device's ATC works exactly on "  \
              "the live mappings (atomic)", "[conformance][ats]") {                              \
        random_replay_ats(#ARCH, "atomic");                                                       \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": deferred unmaps are stale until their flush (timing)",      \
              "[conformance]") {                                                                  \
        deferred(#ARCH, "timing");                                                                \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": deferred unmaps are stale until their flush (atomic)",      \
              "[conformance]") {                                                                  \
        deferred(#ARCH, "atomic");                                                                \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": the NIC workload runs through its driver (timing)",         \
              "[conformance]") {                                                                  \
        nic(#ARCH, "timing");                                                                     \
    }                                                                                             \
    TEST_CASE("conformance " #ARCH ": the NIC workload runs through its driver (atomic)",         \
              "[conformance]") {                                                                  \
        nic(#ARCH, "atomic");                                                                     \
    }

CONFORMANCE_ARCHS(CONFORMANCE_CASES)

// PRI: the architectures that have it (the flat unit takes no page requests).
#define PRI_CASE(ARCH, MODE)                                                                      \
    TEST_CASE("conformance " #ARCH ": with PRI, a DMA to an unmapped page is a page request the " \
              "driver answers (" #MODE ")", "[conformance][pri]") {                               \
        random_replay_pri(#ARCH, #MODE);                                                          \
    }
PRI_CASE(vtd, timing)
PRI_CASE(vtd, atomic)
PRI_CASE(smmuv3, timing)
PRI_CASE(smmuv3, atomic)
PRI_CASE(amdvi, timing)
PRI_CASE(amdvi, atomic)

#define WORKLOAD_CASE(ARCH, WORKLOAD)                                                           \
    TEST_CASE("conformance " #ARCH ": the shipped " #WORKLOAD " configuration runs through its " \
              "driver", "[conformance]") {                                                      \
        workload_config(#ARCH, "timing", #WORKLOAD);                                            \
    }
#define WORKLOAD_CASES(ARCH)                                                                    \
    WORKLOAD_CASE(ARCH, nic_ring)                                                               \
    WORKLOAD_CASE(ARCH, nvme)                                                                   \
    WORKLOAD_CASE(ARCH, gpu_stream)                                                             \
    WORKLOAD_CASE(ARCH, window_sweep)                                                           \
    WORKLOAD_CASE(ARCH, replay)

CONFORMANCE_ARCHS(WORKLOAD_CASES)

// The isolation check catches a planted breach: a page-table entry of the test-only
// flat unit (its layout is plain, tests/support/flat/flat_spec.h) rewritten behind the
// driver's back to another frame. The first translation through it stops the run.
TEST_CASE("conformance: --check-isolation stops the run at a planted breach", "[conformance]") {
    conformance::register_test_archs();
    const platform::PlatformConfig pc =
        make_platform({{"iommu.arch", "flat"}, {"sim.check_isolation", "true"}, {"dev.window", "64K"},
                       {"dev.requests", "200"}, {"dev.read_fraction", "1"}});
    platform::System sys("system", pc);
    // DEVTAB (offset 0x10) -> the device entry of dev0 -> its table -> the entry of the
    // window's third page, pointed 1 GiB away; written as a CPU would (the walks snoop).
    const uint64_t devtab = sys.unit()->read(0x10, 8) & 0xffff'ffff'f000;
    const uint64_t base = pc.devs[0].base, rid = pc.devs[0].requester_id;
    uint64_t entry = 0;
    sys.memory().cache().cpu_read(devtab + 8 * rid, &entry, 8);
    const uint64_t pte = (entry & 0xffff'ffff'f000) + 8 * ((base + 0x2000) >> 12);
    const uint64_t bogus = (base + 0x2000 + (uint64_t(1) << 30)) | 3;  // R, W
    sys.memory().cache().cpu_write(pte, &bogus, 8);
    sys.run();
    // sc_stop ends the run after the current delta: requests merged on that page's
    // walk breach too; the report names the first.
    CHECK(sys.isolation_breaches() >= 1);
    CHECK(sys.first_breach() == "requester 0x100 iova 0x100002000 translated to pa 0x140002000 (writable); "
                                "the mapping engine maps it to 0x100002000 (writable)");
    CHECK_FALSE(sys.finished());  // stopped at the breach
    CHECK(sys.isolation_checked() < 200);
}
