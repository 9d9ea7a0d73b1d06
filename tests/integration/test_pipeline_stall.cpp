// The pipeline parks a stalled transaction (Result::stall) until its unit ends it
// through Unit::on_stall_end: a scripted unit stalls the first request and ends it 5 us
// later from a thread of its own (retry or terminate), or at once from inside the
// lookup (software answering within the event interrupt). Timing mode keeps the stalled
// request's input-queue entry (with one entry, later requests wait at the root
// complex); atomic mode waits in the device's b_transport.
#include <catch2/catch.hpp>

// sc_spawn: SystemC declares it only where this is defined before its first include.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>

#include <nlohmann/json.hpp>

#include "models/iommu/pipeline.h"
#include "models/memory/memory_controller.h"
#include "models/pcie/link.h"
#include "models/pcie/root_complex.h"
#include "models/pcie/traffic_generator.h"
#include "tests/support/scripted_unit.h"

namespace {

// Answers every request in the lookup stage, untranslated, but stalls the first one
// (STAG 0x35); a later lookup of it (the retry) translates.
struct StallUnit : testutil::ScriptedUnit {
    bool end_at_once = false;  // end the stall (terminate) before the lookup returns
    unsigned stalls = 0, lookups = 0;
    bool lookup(const iommu::Request& r, iommu::Result& out) override {
        ++lookups;
        out = iommu::untranslated(r);
        if (stalls) return true;
        ++stalls;
        out.fault = out.stall = true;
        out.reason = 0x10;
        out.stag = 0x35;
        if (end_at_once) on_stall_end(0x35, false);
        return true;
    }
};

iommu::PipelineParams one_entry() {
    iommu::PipelineParams p;
    p.input_queue = 1;
    return p;
}

struct Rig {
    tlmx::Mode mode;
    StallUnit unit;
    memory::MemoryController memory;
    iommu::Pipeline pipeline;
    pcie::RootComplex rc;
    pcie::Link link;
    pcie::TrafficGenerator dev;

    explicit Rig(const std::string& m)
        : mode(tlmx::parse_mode(m)),
          memory("memory", {}, {}, {}, mode),
          pipeline("iommu", one_entry(), unit, mode),
          rc("rc", {}, mode),
          link("link", {}, mode),
          dev("dev", testutil::one_page_reads(), 1, mode) {
        dev.socket.bind(link.device_side);
        link.host_side.bind(rc.port(0));
        rc.host.bind(pipeline.upstream);
        pipeline.downstream.bind(memory.socket);
    }
    // Software ends the stall 5 us into the run.
    void end_later(bool retry) {
        sc_core::sc_spawn([this, retry] {
            sc_core::wait(5, sc_core::SC_US);
            unit.on_stall_end(0x35, retry);
        });
    }
    void run() { sc_core::sc_start(); }
    uint64_t stat(const std::string& name) {
        nlohmann::json j;
        pipeline.write(j, "p");
        return j.contains("p." + name) ? j.at("p." + name).get<uint64_t>() : 0;
    }
};

void check_parked(const std::string& mode, bool retry) {
    Rig rig(mode);
    rig.end_later(retry);
    rig.run();
    CHECK(sc_core::sc_time_stamp() >= sc_core::sc_time(5, sc_core::SC_US));
    CHECK(rig.dev.reads() == (retry ? 8u : 7u));
    CHECK(rig.dev.error_completions() == (retry ? 0u : 1u));
    CHECK(rig.unit.lookups == (retry ? 9u : 8u));  // the retry looks up again
    CHECK(rig.stat("stall.parked") == 1);
    CHECK(rig.stat("stall.retried") == (retry ? 1u : 0u));
    CHECK(rig.stat("stall.terminated") == (retry ? 0u : 1u));
    CHECK(rig.stat("faulted") == (retry ? 0u : 1u));
    if (mode == "timing") CHECK(rig.stat("queue_full_stalls") >= 1);  // the entry stayed taken
}

}  // namespace

TEST_CASE("Pipeline stall, timing: retried, the parked request translates", "[integration][stall]") {
    check_parked("timing", true);
}

TEST_CASE("Pipeline stall, timing: terminated, the parked read completes with an error",
          "[integration][stall]") {
    check_parked("timing", false);
}

TEST_CASE("Pipeline stall, atomic: retried, the waiting request translates", "[integration][stall]") {
    check_parked("atomic", true);
}

TEST_CASE("Pipeline stall, atomic: terminated, the waiting read completes with an error",
          "[integration][stall]") {
    check_parked("atomic", false);
}

void check_ended_at_once(const std::string& mode) {
    Rig rig(mode);
    rig.unit.end_at_once = true;
    rig.run();
    CHECK(rig.dev.reads() == 7);
    CHECK(rig.dev.error_completions() == 1);
    CHECK(rig.stat("stall.terminated") == 1);
    CHECK(sc_core::sc_time_stamp() < sc_core::sc_time(5, sc_core::SC_US));
}

TEST_CASE("Pipeline stall, timing: ended before parked (within the lookup), the request faults at once",
          "[integration][stall]") {
    check_ended_at_once("timing");
}

TEST_CASE("Pipeline stall, atomic: ended before parked (within the lookup), the request faults at once",
          "[integration][stall]") {
    check_ended_at_once("atomic");
}
