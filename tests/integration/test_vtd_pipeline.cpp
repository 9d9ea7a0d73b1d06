// The VT-d unit on the DMA path: what a hit, a miss and a fault cost in time and in
// memory traffic, walker slots, miss merging and back-pressure. A probe drives the
// IOMMU; a second probe drives an identical memory directly, so the expected
// latencies are built from measured memory times and the configured cycles.
#include <catch2/catch.hpp>

#include <memory>

#include "models/iommu/pipeline.h"
#include "models/memory/memory_controller.h"
#include "models/vtd/regs.h"
#include "models/sim/rng.h"
#include "models/sim/stats_tree.h"
#include "models/vtd/remapping_unit.h"
#include "models/iommu/host_memory.h"
#include "platforms/system.h"
#include "models/vtd/arch.h"
#include "tests/integration/platform_fixture.h"
#include "tests/integration/probe.h"
#include "tests/support/vtd_tables.h"

using sc_core::sc_time;

namespace {

constexpr uint64_t kIova = 0x4000'0000;  // mapped 1:1 from here; see Bench
constexpr uint64_t kPage = 4096;


iommu::PipelineParams pipeline_params(uint32_t walkers, uint32_t queue = 32) {
    iommu::PipelineParams p;
    p.clock_mhz = 1000;  // 1 ns cycles
    p.lookup_cycles = 5;
    p.walk_step_cycles = 3;
    p.walkers = walkers;
    p.input_queue = queue;
    return p;
}

// probe -> pipeline -> memory, and ref -> ref_memory (same parameters, no IOMMU).
// Requester 0x0008 has a 4-level table mapping pages of [kIova, kIova + 2 GiB)
// 1:1 as tests ask (map()).
struct Bench {
    tlmx::Mode mode;
    memory::MemoryController mem, ref_mem;
    iommu::StoreMemory host{mem.store()};
    vtd::Capabilities caps = capabilities();
    vtd::RemappingUnit unit{caps, vtd::UnitParams{}, host};
    iommu::Pipeline pipe;
    Probe probe, ref;
    vtdtest::TableBuilder tables{mem.store()};
    uint64_t sl_root = tables.new_table();

    Bench(tlmx::Mode m, const iommu::PipelineParams& p)
        : mode(m),
          mem("mem", {}, {}, {}, m),
          ref_mem("ref_mem", {}, {}, {}, m),
          pipe("iommu", p, unit, m),
          probe("probe", m),
          ref("ref", m) {
        probe.socket.bind(pipe.upstream);
        pipe.downstream.bind(mem.socket);
        ref.socket.bind(ref_mem.socket);
        vtdtest::ContextSpec c;
        c.slptptr = sl_root;
        c.did = 1;
        unit.write(vtd::reg::RTADDR, tables.set_legacy_context(0, 0x08, c), 8);
        vtd::hardware().enable(unit);
    }
    void map(uint64_t iova) { tables.map_second_level(sl_root, 4, iova, iova); }
    static vtd::Capabilities capabilities() {
        vtd::Capabilities c;
        c.smts = c.ssads = true;  // scalable mode and second-level A/D available
        return c;
    }
    // Switches requester 0x0008 to scalable mode: RID_PASID 0 translates through the
    // same second-level table, with SSADE.
    void scalable_with_ad() {
        vtdtest::ScalableContextSpec c;
        tables.set_scalable_context(0, 0x08, c);
        vtdtest::PasidSpec pe;
        pe.pgtt = vtdtest::Pgtt::kSecondLevel;
        pe.slptptr = sl_root;
        pe.did = 1;
        pe.ssade = true;
        unit.write(vtd::reg::RTADDR, tables.set_pasid_entry(0, 0x08, 0, pe), 8);
        vtd::hardware().enable(unit);
    }
    // Memory time of one unloaded read of `bytes`, measured on the reference memory.
    sc_time memory_read(uint32_t bytes) {
        ref.bytes = bytes;
        return ref.access(kIova);
    }
    const sc_time cycle{1, sc_core::SC_NS};
};

// Hit, and misses that walk 8, 1, 2 and 3 levels' worth of entries; every table read
// crosses the fabric (walk_fabric_ns) on top of its step cycles and memory time.
void check_latencies(tlmx::Mode mode, double fabric_ns = 0) {
    auto p = pipeline_params(4);
    p.walk_fabric_ns = fabric_ns;
    Bench b(mode, p);
    for (uint64_t iova : {kIova, kIova + kPage, kIova + (2 << 20), kIova + (uint64_t(1) << 30)})
        b.map(iova);
    b.probe.script = [&](Probe& probe) {
        const sc_time mem64 = b.memory_read(64), mem8 = b.memory_read(8);
        const sc_time lookup = b.cycle * double(p.lookup_cycles);
        const sc_time read = b.cycle * double(p.walk_step_cycles) + sc_time(fabric_ns, sc_core::SC_NS) + mem8;
        // Cold: root entry (2 qwords), context entry (2), PML4E, PDPE, PDE, PTE.
        CHECK(probe.access(kIova) == lookup + read * 8.0 + mem64);
        CHECK(probe.access(kIova + 8) == lookup + mem64);                    // IOTLB hit
        CHECK(probe.access(kIova + kPage) == lookup + read + mem64);         // PDE cached
        CHECK(probe.access(kIova + (2 << 20)) == lookup + read * 2.0 + mem64);  // PDPE cached
        CHECK(probe.access(kIova + (uint64_t(1) << 30)) == lookup + read * 3.0 + mem64);
        for (const Probe::Done& d : probe.done) CHECK(d.ok);
    };
    sc_core::sc_start();
    REQUIRE(b.probe.done.size() == 5);
}

}  // namespace

TEST_CASE("VT-d timing: a hit adds the lookup cycles, a miss one memory read per level not cached",
          "[vtd][pipeline]") {
    check_latencies(tlmx::Mode::Timing);
}

TEST_CASE("VT-d atomic: a hit adds the lookup cycles, a miss one memory read per level not cached",
          "[vtd][pipeline]") {
    check_latencies(tlmx::Mode::Atomic);
}

TEST_CASE("VT-d timing: each table read of a walk crosses the fabric (walk_fabric_ns)", "[vtd][pipeline]") {
    check_latencies(tlmx::Mode::Timing, 37);
}

TEST_CASE("VT-d atomic: each table read of a walk crosses the fabric (walk_fabric_ns)", "[vtd][pipeline]") {
    check_latencies(tlmx::Mode::Atomic, 37);
}

namespace {

double stat(const char* name) { return sim::collect_stats().at(name).get<double>(); }

// Warms the context and the PDE, then issues four reads to four new pages at once.
// Returns when each completed.
std::vector<sc_time> four_misses(uint32_t walkers) {
    Bench b(tlmx::Mode::Timing, pipeline_params(walkers));
    for (uint64_t i = 0; i < 5; ++i) b.map(kIova + i * kPage);
    std::vector<sc_time> done;
    b.probe.script = [&](Probe& probe) {
        probe.access(kIova);
        const sc_time t0 = sc_core::sc_time_stamp();
        for (uint64_t i = 1; i <= 4; ++i) probe.issue(kIova + i * kPage);
        probe.wait_all();
        for (size_t i = 1; i < probe.done.size(); ++i) {
            CHECK(probe.done[i].ok);
            done.push_back(probe.done[i].completed - t0);
        }
    };
    sc_core::sc_start();
    CHECK(stat("iommu.walkers.walks") == 5);
    CHECK(stat("iommu.walkers.queued") == (walkers < 4 ? 4 - walkers : 0));
    CHECK(stat("iommu.walk_reads") == 8 + 4);
    return done;
}

}  // namespace

TEST_CASE("VT-d timing: with 2 walker slots, the third and fourth miss wait for a slot",
          "[vtd][pipeline]") {
    const std::vector<sc_time> t = four_misses(2);
    REQUIRE(t.size() == 4);
    // A PTE read costs at least the step cycles and the 80 ns memory latency.
    const sc_time walk = sc_time(83, sc_core::SC_NS);
    CHECK(t[2] >= t[0] + walk);
    CHECK(t[3] >= t[1] + walk);
}

TEST_CASE("VT-d timing: with 4 walker slots, four misses walk at once", "[vtd][pipeline]") {
    const std::vector<sc_time> t = four_misses(4);
    REQUIRE(t.size() == 4);
    CHECK(t[3] < t[0] + sc_time(83, sc_core::SC_NS));
}

TEST_CASE("VT-d timing: misses to a page being walked join the walk", "[vtd][pipeline]") {
    Bench b(tlmx::Mode::Timing, pipeline_params(4));
    b.map(kIova);
    b.probe.script = [&](Probe& probe) {
        for (uint64_t off : {0, 64, 128}) probe.issue(kIova + off);
        probe.wait_all();
        for (const Probe::Done& d : probe.done) CHECK(d.ok);
    };
    sc_core::sc_start();
    CHECK(stat("iommu.walkers.walks") == 1);
    CHECK(stat("iommu.walkers.merged") == 2);
    CHECK(stat("iommu.walk_reads") == 8);
    CHECK(stat("mem.reads") == 8 + 3);
}

TEST_CASE("VT-d timing: a full input queue holds the requester back", "[vtd][pipeline]") {
    Bench b(tlmx::Mode::Timing, pipeline_params(1, 2));
    for (uint64_t i = 0; i < 6; ++i) b.map(kIova + i * kPage);
    b.probe.script = [&](Probe& probe) {
        for (uint64_t i = 0; i < 6; ++i) probe.issue(kIova + i * kPage);
        probe.wait_all();
        for (const Probe::Done& d : probe.done) CHECK(d.ok);
        // Two fit; the third entered only when the first left for memory.
        CHECK(probe.done[1].accepted == probe.done[0].accepted);
        CHECK(probe.done[2].accepted > probe.done[0].accepted);
        CHECK(probe.done[2].accepted < probe.done[0].completed);
    };
    sc_core::sc_start();
    CHECK(stat("iommu.queue_full_stalls") >= 1);
    CHECK(stat("iommu.requests") == 6);
}

namespace {

// An unmapped page: the read completes with an error, the write is dropped; neither
// reaches memory, and both are recorded in the fault recording registers.
void check_faults(tlmx::Mode mode) {
    Bench b(mode, pipeline_params(4));
    b.map(kIova);  // the tables exist; kIova + kPage is not present
    const uint64_t target = kIova + kPage;
    b.probe.script = [&](Probe& probe) {
        probe.access(target);
        probe.access(target, true);
        CHECK_FALSE(probe.done[0].ok);
        CHECK_FALSE(probe.done[1].ok);
    };
    sc_core::sc_start();
    CHECK(stat("iommu.faulted") == 2);
    CHECK(stat("mem.writes") == 0);
    CHECK(stat("mem.reads") == stat("iommu.walk_reads"));
    CHECK(b.mem.store().read_u64(target) == 0);
    CHECK(b.unit.read(vtd::reg::FSTS, 4) & vtd::fsts::PPF);
    const uint64_t hi = b.unit.read(b.caps.fro * 16 + 8, 8);  // first record, upper qword
    CHECK((hi & 0xffff) == 0x0008);                           // SID
    CHECK(((hi >> 32) & 0xff) != 0);                          // a reason code
}

}  // namespace

TEST_CASE("VT-d timing: a faulting read gets an error completion, a faulting write is dropped",
          "[vtd][pipeline]") {
    check_faults(tlmx::Mode::Timing);
}

TEST_CASE("VT-d atomic: a faulting read gets an error completion, a faulting write is dropped",
          "[vtd][pipeline]") {
    check_faults(tlmx::Mode::Atomic);
}

namespace {

// What the pipeline announces to memory ahead of a data access (tlmx::HostPrefetch).
struct Announced : tlmx::HostPrefetch {
    mutable std::vector<uint64_t> pas;
    void prefetch(uint64_t pa) const override { pas.push_back(pa); }
};

// A walk that translates announces its output address before its end; a hit, or a walk
// that faults, announces nothing.
void check_announced(tlmx::Mode mode) {
    Bench b(mode, pipeline_params(4));
    Announced announced;
    b.pipe.set_host_prefetch(&announced);
    const uint64_t pa = 0x7654'3000;
    b.tables.map_second_level(b.sl_root, 4, kIova, pa);
    b.probe.script = [&](Probe& probe) {
        probe.access(kIova + 0x40);          // walks
        probe.access(kIova + 0x80);          // hits
        probe.access(kIova + kPage + 0x40);  // walks to a not-present entry: faults
        CHECK(probe.done[0].ok);
        CHECK(probe.done[1].ok);
        CHECK_FALSE(probe.done[2].ok);
    };
    sc_core::sc_start();
    CHECK(announced.pas == std::vector<uint64_t>{pa + 0x40});
}

}  // namespace

TEST_CASE("VT-d timing: a translating walk announces its output address to memory", "[vtd][pipeline]") {
    check_announced(tlmx::Mode::Timing);
}

TEST_CASE("VT-d atomic: a translating walk announces its output address to memory", "[vtd][pipeline]") {
    check_announced(tlmx::Mode::Atomic);
}

namespace {

// What a device's look-ahead brings toward the host CPU (tlmx::LookAhead).
struct Fetched : tlmx::HostPrefetch {
    mutable std::vector<uint64_t> data, tables;
    void prefetch(uint64_t pa) const override { data.push_back(pa); }
    void prefetch_read(uint64_t pa) const override { tables.push_back(pa); }
};

}  // namespace

// The entry announced is the one the walk reads (the leaf, below the PDE cache's entry),
// the output the one it translates to; nothing the model counts or decides changes.
TEST_CASE("VT-d atomic: a device's next address brings its walk's entry, then its data, "
          "toward the host CPU", "[vtd][pipeline][look_ahead]") {
    Bench b(tlmx::Mode::Atomic, pipeline_params(4));
    Fetched fetched;
    b.pipe.set_host_prefetch(&fetched);
    const uint64_t pa = 0x7654'3000, next_pa = 0x7655'8000;
    b.tables.map_second_level(b.sl_root, 4, kIova, pa);
    const vtdtest::WalkPath next = b.tables.map_second_level(b.sl_root, 4, kIova + kPage, next_pa);
    tlmx::LookAhead::Access a;
    a.requester_id = 0x0008;
    a.address = kIova + kPage + 0x40;
    tlmx::LookAhead::Access unmapped = a;
    unmapped.address = kIova + 2 * kPage;
    b.probe.script = [&](Probe& probe) {
        b.pipe.next_access(a);  // no context entry cached yet: the walk starts at the root
        b.pipe.next_translation(a);
        CHECK(fetched.tables.empty());
        CHECK(fetched.data.empty());
        CHECK_FALSE(b.pipe.wanted());
        probe.access(kIova + 0x40);  // walks: the context entry and the PDE are cached
        CHECK(b.pipe.wanted());
        fetched.data.clear();
        const nlohmann::json before = sim::collect_stats();
        b.pipe.next_access(a);
        b.pipe.next_translation(a);
        b.pipe.next_translation(unmapped);  // its walk would fault: no data to bring
        CHECK(sim::collect_stats() == before);
        CHECK(fetched.tables == std::vector<uint64_t>{next.leaf()});
        CHECK(fetched.data == std::vector<uint64_t>{next_pa + 0x40});
        fetched.data.clear();
        b.pipe.next_access(unmapped);  // the walker started for another address is not
        b.pipe.next_translation(a);    // the one a's translation continues
        CHECK(fetched.data == std::vector<uint64_t>{next_pa + 0x40});
        CHECK(sim::collect_stats() == before);
        probe.access(kIova + 0x80);  // hits
        CHECK_FALSE(b.pipe.wanted());
        probe.access(a.address);  // walks as announced, from the PDE cache: one read
        CHECK(probe.done[2].ok);
    };
    sc_core::sc_start();
    CHECK(stat("iommu.walk_reads") == 8 + 1);  // root, context, 4 levels; then the PTE alone
}

// The look-ahead costs instructions on every walk and pays only when the devices' data
// outgrows the host's caches (platforms/system.cpp, kLookAheadSpan).
TEST_CASE("Atomic mode: devices announce their next request when their windows span 8 MiB",
          "[vtd][platform][look_ahead]") {
    auto system = [](const char* name, const char* mode, const char* window, const char* devices,
                     const char* arch = "vtd", const char* preload = "none") {
        return std::make_unique<platform::System>(
            name, make_platform({{"sim.mode", mode}, {"iommu.arch", arch}, {"dev.preload", preload},
                                 {"platform.devices", devices}, {"dev.window", window}}));
    };
    CHECK_FALSE(system("small", "atomic", "1M", "4")->device(0).looks_ahead());
    const auto wide = system("wide", "atomic", "2M", "4");
    for (size_t i = 0; i < wide->devices(); ++i) CHECK(wide->device(i).looks_ahead());
    CHECK(system("cpu", "atomic", "2M", "4", "vtd", "cpu")->device(0).looks_ahead());
    CHECK_FALSE(system("one", "atomic", "4M", "1")->device(0).looks_ahead());
    CHECK_FALSE(system("timed", "timing", "4M", "4")->device(0).looks_ahead());
    CHECK_FALSE(system("bare", "atomic", "4M", "4", "none")->device(0).looks_ahead());
    // Windows preloaded into memory are generated content: nothing for the host to miss.
    CHECK_FALSE(system("generated", "atomic", "64M", "4", "vtd", "memory")->device(0).looks_ahead());
}

namespace {

// The platform with [iommu] arch=vtd and its boot identity map: a device writes its
// window and reads it back through the unit; every request translates.
void check_platform_round_trip(const char* mode) {
    platform::System sys("system", make_platform({{"sim.mode", mode},
                                                  {"iommu.arch", "vtd"},
                                                  {"dev.preload", "none"},
                                                  {"dev.write_first", "true"},
                                                  {"dev.window", "256K"},
                                                  {"dev.size", "512"},
                                                  {"dev.requests", "2048"},
                                                  {"dev.pattern", "random"}}));
    sys.preload();
    sys.run();
    pcie::TrafficGenerator& d = sys.device(0);
    REQUIRE(d.finished());
    CHECK(d.writes() == 512);
    CHECK(d.reads() == 2048);
    CHECK(d.data_errors() == 0);
    CHECK(d.error_completions() == 0);
    CHECK(stat("system.iommu.requests") == 512 + 2048);
    CHECK(stat("system.iommu.faulted") == 0);
    CHECK(stat("system.iommu.walks") >= 64);  // 64 pages, each walked at least once
}

}  // namespace

TEST_CASE("Through the VT-d platform, a device's writes read back intact (timing)", "[vtd][platform]") {
    check_platform_round_trip("timing");
}
TEST_CASE("Through the VT-d platform, a device's writes read back intact (atomic)", "[vtd][platform]") {
    check_platform_round_trip("atomic");
}

TEST_CASE("VT-d timing: SSADE's A/D updates are memory writes on the walk's path",
          "[vtd][pipeline][ad]") {
    const auto p = pipeline_params(4);
    Bench b(tlmx::Mode::Timing, p);
    const vtdtest::WalkPath path = b.tables.map_second_level(b.sl_root, 4, kIova, kIova);
    b.scalable_with_ad();
    b.probe.script = [&](Probe& probe) {
        const sc_time mem64 = b.memory_read(64), mem8 = b.memory_read(8);
        const sc_time mem8w = b.ref.access(kIova, true);  // the reference probe is at 8 B
        b.ref.bytes = 64;
        const sc_time mem64w = b.ref.access(kIova, true);
        const sc_time lookup = b.cycle * double(p.lookup_cycles), step = b.cycle * double(p.walk_step_cycles);
        // Cold: root, context (2), directory, PASID entry (3), then the four paging
        // entries, each also written to set A.
        CHECK(probe.access(kIova) == lookup + (step + mem8) * 11.0 + (step + mem8w) * 4.0 + mem64);
        // The read's IOTLB entry cannot serve a write (D is not set yet): a walk from
        // the cached PASID entry (no paging-structure caches in scalable mode) sets D.
        CHECK(probe.access(kIova + 64, true) == lookup + (step + mem8) * 4.0 + step + mem8w + mem64w);
        // Now the write hits.
        CHECK(probe.access(kIova + 128, true) == lookup + mem64w);
        CHECK(probe.done[0].ok);
        CHECK(probe.done[1].ok);
    };
    sc_core::sc_start();
    for (size_t i = 0; i < path.entries.size(); ++i) {
        const uint64_t e = b.mem.store().read_u64(path.entries[i]);
        CHECK((e & (uint64_t(1) << 8)) != 0);                              // A
        CHECK(((e >> 9) & 1) == (i + 1 == path.entries.size() ? 1u : 0u));  // D: leaf only
    }
    CHECK(stat("iommu.walk_writes") == 4 + 1);
    CHECK(stat("mem.writes") == 4 + 1 + 2);  // the A/D updates and the device's writes
}

TEST_CASE("VT-d timing: random tables, registers and requests complete, never hang",
          "[vtd][pipeline][fuzz]") {
    Bench b(tlmx::Mode::Timing, pipeline_params(2, 8));
    sim::Rng rng(2026, "vtd-pipeline-robustness");
    // The low 1 MiB: clean pointers back into it (P, or R and W), zeros, and random
    // qwords, so walks go deep as well as fault early.
    for (uint64_t a = 0; a < (1u << 20); a += 8) {
        const double c = rng.uniform01();
        uint64_t v = rng.next_u64();
        if (c < 0.5) v = (rng.uniform(256) << 12) | (rng.chance(0.5) ? 1 : 3);
        else if (c < 0.8) v = 0;
        b.mem.store().write_u64(a, v);
    }
    constexpr int kRequests = 100000;
    b.probe.script = [&](Probe& probe) {
        for (int i = 0; i < kRequests; ++i) {
            if (i % 1000 == 0) {  // new straps and root while walks are in flight
                b.unit.strap_cap(rng.next_u64() | (uint64_t(0x1e) << 8));
                b.unit.strap_ecap((rng.next_u64() & ~(uint64_t(0x3ff) << 8)) | (uint64_t(0x50) << 8));
                b.unit.write(vtd::reg::RTADDR, rng.uniform(256) << 12 | (rng.uniform(2) << 10), 8);
                vtd::hardware().enable(b.unit);
            }
            tlmx::PcieAttr& a = probe.attr;
            a.requester_id = uint16_t(rng.uniform(0x10000));
            a.pasid_valid = rng.chance(0.3);
            a.pasid = uint32_t(rng.uniform(1u << 20));
            a.privileged = rng.chance(0.2);
            a.no_snoop = rng.chance(0.2);
            const uint64_t iova = rng.chance(0.5) ? rng.uniform(1u << 24) : rng.next_u64() >> 16;
            probe.issue(iova & ~uint64_t(63), rng.chance(0.3));
            if (rng.chance(0.05)) wait(sc_time(double(rng.uniform(500)), sc_core::SC_NS));
        }
        probe.wait_all();
    };
    sc_core::sc_start(sc_time(1, sc_core::SC_SEC));
    REQUIRE(b.probe.done.size() == size_t(kRequests));
    CHECK(b.probe.outstanding() == 0);
    size_t ok = 0;
    for (const Probe::Done& d : b.probe.done) ok += d.ok;
    INFO("completed OK: " << ok << ", faulted " << stat("iommu.faulted") << ", memory address errors "
                          << stat("mem.address_errors") << ", walks " << stat("iommu.walks"));
    CHECK(ok > 0);
    CHECK(ok < size_t(kRequests));
    CHECK(stat("iommu.requests") == kRequests);
}

namespace {

// A device reads, with No Snoop, a window the CPU has written into its cache (dirty);
// the boot map's leaves set SNP or not.
struct SnoopRun {
    uint64_t data_errors;
    double stale_reads, snoop_dirty_hits;
};
SnoopRun nosnoop_reads(bool snp) {
    platform::System sys("system", make_platform({{"iommu.arch", "vtd"},
                                                  {"iommu.map.snoop", snp ? "true" : "false"},
                                                  {"dev.window", "64K"},
                                                  {"dev.size", "64"},
                                                  {"dev.read_fraction", "1"},
                                                  {"dev.no_snoop", "true"},
                                                  {"dev.preload", "cpu"},
                                                  {"dev.requests", "1024"}}));
    sys.preload();
    sys.run();
    return {sys.device(0).data_errors(), stat("system.memory.cache.nosnoop_stale_reads"),
            stat("system.memory.cache.snoop_dirty_hits")};
}

}  // namespace

TEST_CASE("Snoop control: without SNP a No Snoop read of CPU-dirty data is stale", "[vtd][coherence]") {
    const SnoopRun r = nosnoop_reads(false);
    CHECK(r.data_errors == 1024);
    CHECK(r.stale_reads == 1024);
    CHECK(r.snoop_dirty_hits < 1024);  // only walks snooped
}

TEST_CASE("Snoop control: SNP makes a No Snoop read snoop, and it sees the CPU's data",
          "[vtd][coherence]") {
    const SnoopRun r = nosnoop_reads(true);
    CHECK(r.data_errors == 0);
    CHECK(r.stale_reads == 0);
    // Every data read, and the walks' reads of the tables the driver wrote (dirty in
    // the CPU's cache too).
    CHECK(r.snoop_dirty_hits >= 1024);
}
