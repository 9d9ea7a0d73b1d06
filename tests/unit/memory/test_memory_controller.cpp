// The memory controller in timing mode hands a response back ahead of its completion
// (MemoryController::hand_back_ahead): the annotated completion must be the access's
// own, responses must come in completion order and no sooner than the window before,
// and the queue must count a request until its completion.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <vector>

#include <systemc>
#include <tlm>

#include "models/memory/memory_controller.h"
#include "models/memory/dram_timing.h"
#include "models/tlm/pcie_attr.h"
#include "models/tlm/sc_ps.h"

namespace {

using sc_core::sc_time;

constexpr sim::ps_t kNs = 1000;
// DramParams' defaults: 256 B interleave over 4 channels of 16 banks, so addresses
// 16 KiB apart share a bank and 256 B apart take the next channel.
constexpr uint64_t kSameBank = 16 * 1024, kNextChannel = 256;

struct Request {
    sim::ps_t issue;
    uint64_t addr;
    bool write;
};

// Sends each request at its time and records what comes back: for a response, the
// kernel's time of the call and the completion it annotates; for an END_REQ (a request
// the full queue held), the time the controller took it.
struct Probe : sc_core::sc_module, tlm::tlm_bw_transport_if<> {
    SC_HAS_PROCESS(Probe);
    struct Back {
        uint64_t addr;
        sim::ps_t called, done;
        tlm::tlm_response_status status;
    };
    tlm::tlm_initiator_socket<> socket{"socket"};
    std::vector<Request> requests;
    std::vector<std::unique_ptr<tlm::tlm_generic_payload>> gps;
    std::vector<uint8_t> data = std::vector<uint8_t>(64);
    std::vector<Back> back;
    std::vector<std::pair<uint64_t, sim::ps_t>> admitted;  // held requests, when taken
    std::vector<sim::ps_t> arrived;                        // each request's time sent

    Probe(sc_core::sc_module_name n, std::vector<Request> r) : sc_module(n), requests(std::move(r)) {
        socket.bind(*this);
        SC_THREAD(run);
    }
    void run() {
        for (const Request& r : requests) {
            const sim::ps_t now = tlmx::now().value();
            if (r.issue > now) wait(tlmx::at_ps(r.issue - now));
            auto gp = std::make_unique<tlmx::PciePayload>();
            gp->set_command(r.write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
            gp->set_address(r.addr);
            gp->set_data_ptr(data.data());
            gp->set_data_length(64);
            tlm::tlm_phase ph = tlm::BEGIN_REQ;
            sc_time d = sc_core::SC_ZERO_TIME;
            arrived.push_back(tlmx::now().value());
            socket->nb_transport_fw(*gp, ph, d);
            gps.push_back(std::move(gp));
        }
    }
    tlm::tlm_sync_enum nb_transport_bw(tlm::tlm_generic_payload& gp, tlm::tlm_phase& ph, sc_time& d) override {
        const sim::ps_t now = tlmx::now().value();
        if (ph == tlm::END_REQ) {
            admitted.push_back({gp.get_address(), now});
            return tlm::TLM_ACCEPTED;
        }
        back.push_back({gp.get_address(), now, now + d.value(), gp.get_response_status()});
        return tlm::TLM_COMPLETED;
    }
    void invalidate_direct_mem_ptr(sc_dt::uint64, sc_dt::uint64) override {}
};

// Runs the requests through a timing-mode controller handing responses back up to
// `window` ahead.
struct Bench {
    memory::ControllerParams cp;
    memory::MemoryController mem;
    Probe probe;
    Bench(std::vector<Request> r, sim::ps_t window, uint32_t queue_depth = 128, uint64_t size = uint64_t(1) << 40)
        : cp(params(queue_depth, size)),
          mem("mem", cp, memory::DramParams(), memory::CacheParams(), tlmx::Mode::Timing),
          probe("probe", std::move(r)) {
        probe.socket.bind(mem.socket);
        mem.hand_back_ahead(window, sc_core::sc_max_time());
        sc_core::sc_start();
    }
    static memory::ControllerParams params(uint32_t depth, uint64_t size) {
        memory::ControllerParams p;
        p.queue_depth = depth;
        p.size = size;
        return p;
    }
};

// Two reads to one bank (the second waits for it) and reads to other channels after
// them: completions come out of arrival order.
std::vector<Request> crossing() {
    return {{0, 0, false},
            {1 * kNs, kSameBank, false},
            {2 * kNs, kNextChannel, false},
            {3 * kNs, 4 * kSameBank, true},
            {50 * kNs, 2 * kNextChannel, false},
            {200 * kNs, 2 * kSameBank, false}};
}

// The completion each request's access gets (by address: each is used once), from the
// DRAM timing core alone.
std::map<uint64_t, sim::ps_t> completions(const std::vector<Request>& rs, const std::vector<sim::ps_t>& arrived) {
    memory::DramTiming dram{memory::DramParams()};
    std::map<uint64_t, sim::ps_t> done;
    for (size_t i = 0; i < rs.size(); ++i) done[rs[i].addr] = dram.access(rs[i].addr, 64, rs[i].write, arrived[i]);
    return done;
}

}  // namespace

TEST_CASE("MemoryController hands responses back ahead in completion order, annotated with their completion",
          "[memory]") {
    const std::vector<Request> rs = crossing();
    Bench b(rs, 80 * kNs);
    const std::map<uint64_t, sim::ps_t> want = completions(rs, b.probe.arrived);
    REQUIRE(b.probe.back.size() == rs.size());
    size_t ahead = 0;
    for (size_t i = 0; i < b.probe.back.size(); ++i) {
        const Probe::Back& r = b.probe.back[i];
        INFO("response " << i << " for 0x" << std::hex << r.addr);
        CHECK(r.done == want.at(r.addr));
        CHECK(r.called <= r.done);
        CHECK(r.done - r.called <= b.mem.min_latency());
        if (i) CHECK(b.probe.back[i - 1].done <= r.done);
        ahead += r.called < r.done;
    }
    CHECK(ahead > 0);  // the window is in use
    // Out of arrival order: the second read to the busy bank completes after the reads
    // to other channels sent behind it.
    CHECK(b.probe.back[1].addr != kSameBank);
}

TEST_CASE("MemoryController without a window hands each response back at its completion", "[memory]") {
    const std::vector<Request> rs = crossing();
    Bench b(rs, 0);
    const std::map<uint64_t, sim::ps_t> want = completions(rs, b.probe.arrived);
    REQUIRE(b.probe.back.size() == rs.size());
    for (const Probe::Back& r : b.probe.back) {
        INFO("response for 0x" << std::hex << r.addr);
        CHECK(r.called == r.done);
        CHECK(r.done == want.at(r.addr));
    }
}

TEST_CASE("MemoryController answers an address error after its shortest latency", "[memory]") {
    const uint64_t size = 1 << 20;
    Bench b({{0, size + 64, false}, {10 * kNs, size - 32, true}, {20 * kNs, 0, false}}, 80 * kNs, 128, size);
    REQUIRE(b.probe.back.size() == 3);
    CHECK(b.mem.min_latency() == 80 * kNs);
    int errors = 0;
    for (size_t i = 0; i < 3; ++i) {
        const Probe::Back& r = b.probe.back[i];
        if (r.status != tlm::TLM_ADDRESS_ERROR_RESPONSE) continue;
        ++errors;
        const sim::ps_t arrival = r.addr == size + 64 ? 0 : 10 * kNs;
        CHECK(r.done == arrival + b.mem.min_latency());
    }
    CHECK(errors == 2);
}

TEST_CASE("MemoryController counts a request handed back early until its completion", "[memory]") {
    // Two slots: the third request waits for the first completion, though both
    // responses went back up to 80 ns before theirs.
    const std::vector<Request> rs = {{0, 0, false}, {0, kNextChannel, false}, {1 * kNs, 2 * kNextChannel, false}};
    Bench b(rs, 80 * kNs, 2);
    REQUIRE(b.probe.back.size() == 3);
    REQUIRE(b.probe.admitted.size() == 1);
    const sim::ps_t first = std::min(b.probe.back[0].done, b.probe.back[1].done);
    CHECK(b.probe.back[0].called < b.probe.back[0].done);  // went back early
    CHECK(b.probe.admitted[0].first == 2 * kNextChannel);
    CHECK(b.probe.admitted[0].second == first);
    memory::DramTiming dram{memory::DramParams()};
    dram.access(0, 64, false, 0);
    dram.access(kNextChannel, 64, false, 0);
    CHECK(b.probe.back[2].done == dram.access(2 * kNextChannel, 64, false, first));
}
