// RunControl::run: a run ends when nothing is left to simulate, or at its limit even
// when the next event lies beyond it. Each case elaborates its own SystemC top
// (catch_discover_tests runs every case in its own process).
#include <catch2/catch.hpp>

#include <utility>

#include <systemc>

#include "models/sim/run_control.h"

namespace {

// One thread that wakes at `at`, then once more `at` later, and counts its wakes.
struct Sleeper : sc_core::sc_module {
    SC_HAS_PROCESS(Sleeper);
    Sleeper(sc_core::sc_module_name n, sc_core::sc_time at) : sc_module(n), at(at) { SC_THREAD(run); }
    void run() {
        for (int i = 0; i < 2; ++i) {
            wait(at);
            ++wakes;
        }
    }
    const sc_core::sc_time at;
    int wakes = 0;
};

using sc_core::sc_time;
using sc_core::SC_US;

// Elaborates a Sleeper waking every `at` and runs it to `limit`: where the run ended
// and how often the thread woke.
std::pair<sc_time, int> run_sleeper(sc_time at, sc_time limit) {
    Sleeper s("s", at);
    sim::RunControl control;
    const sim::RunOutcome out = control.run(limit);
    return {out.end, s.wakes};
}

}  // namespace

TEST_CASE("run control: a limit short of the next event ends at the limit", "[sim][run]") {
    CHECK(run_sleeper(sc_time(1000, SC_US), sc_time(20, SC_US)) == std::make_pair(sc_time(20, SC_US), 0));
}

TEST_CASE("run control: a limit between events ends at the limit, past the first", "[sim][run]") {
    CHECK(run_sleeper(sc_time(30, SC_US), sc_time(45, SC_US)) == std::make_pair(sc_time(45, SC_US), 1));
}

TEST_CASE("run control: with a limit beyond the last event the run ends at the last event", "[sim][run]") {
    CHECK(run_sleeper(sc_time(30, SC_US), sc_time(500, SC_US)) == std::make_pair(sc_time(60, SC_US), 2));
}
