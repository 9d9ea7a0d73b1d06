// The root complex announces a request's data address to host memory when the request
// enters in timing mode, with no IOMMU between them (RootComplex::set_host_prefetch).
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include <systemc>

#include "models/memory/memory_controller.h"
#include "models/pcie/root_complex.h"
#include "models/tlm/host_prefetch.h"
#include "tests/integration/probe.h"

namespace {

// What memory is told, and when (tlmx::HostPrefetch).
struct Announced : tlmx::HostPrefetch {
    mutable std::vector<uint64_t> pas;
    mutable std::vector<sc_core::sc_time> at;
    void prefetch(uint64_t pa) const override {
        pas.push_back(pa);
        at.push_back(sc_core::sc_time_stamp());
    }
};

struct Bench {
    memory::MemoryController mem;
    pcie::RootComplex rc;
    Probe probe;
    Announced announced;
    explicit Bench(tlmx::Mode m)
        : mem("mem", {}, {}, {}, m), rc("rc", pcie::RootComplexParams{}, m), probe("probe", m) {
        probe.socket.bind(rc.port(0));
        rc.host.bind(mem.socket);
        rc.set_host_prefetch(&announced);
    }
};

}  // namespace

TEST_CASE("Root complex, timing: each request's address goes to memory as it enters",
          "[pcie][rc]") {
    Bench b(tlmx::Mode::Timing);
    b.probe.script = [&](Probe& p) {
        p.issue(0x1040);
        wait(sc_core::sc_time(5, sc_core::SC_NS));
        p.issue(0x2080, true);
        p.wait_all();
    };
    sc_core::sc_start();
    REQUIRE(b.probe.done.size() == 2);
    CHECK(b.probe.done[0].ok);
    CHECK(b.probe.done[1].ok);
    CHECK(b.announced.pas == std::vector<uint64_t>{0x1040, 0x2080});
    // Announced on entry: at the issue, before memory serves the request.
    CHECK(b.announced.at == std::vector<sc_core::sc_time>{b.probe.done[0].issued, b.probe.done[1].issued});
    CHECK(b.probe.done[0].completed > b.probe.done[0].issued);
}

TEST_CASE("Root complex, atomic: memory serves at once, nothing is announced", "[pcie][rc]") {
    Bench b(tlmx::Mode::Atomic);
    b.probe.script = [&](Probe& p) { p.access(0x1040); };
    sc_core::sc_start();
    REQUIRE(b.probe.done.size() == 1);
    CHECK(b.probe.done[0].ok);
    CHECK(b.announced.pas.empty());
}
