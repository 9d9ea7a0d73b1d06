#include "models/sim/run_control.h"

#include <chrono>
#include <cstdio>
#include <unistd.h>

namespace sim {
namespace {

volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_signal(int sig) { g_signal = sig; }

// Long enough that slicing costs nothing, short enough to answer a signal at once.
const sc_core::sc_time kSlice(10, sc_core::SC_US);

}  // namespace

RunControl::RunControl() {
    g_signal = 0;
    old_int_ = std::signal(SIGINT, on_signal);
    old_term_ = std::signal(SIGTERM, on_signal);
}

RunControl::~RunControl() {
    std::signal(SIGINT, old_int_);
    std::signal(SIGTERM, old_term_);
}

bool RunControl::stopping() const { return g_signal != 0; }

RunOutcome RunControl::run(const sc_core::sc_time& limit, const std::function<std::string()>& progress) {
    using clock = std::chrono::steady_clock;
    const bool show = progress && isatty(STDOUT_FILENO);
    auto next_draw = clock::now() + std::chrono::milliseconds(500);
    bool drawn = false;
    // The first slice elaborates and initializes even when nothing is pending yet.
    bool first = true;
    // A model may end the run itself (sc_stop: the isolation check's breach).
    while (!g_signal && (first || sc_core::sc_pending_activity()) &&
           sc_core::sc_get_status() != sc_core::SC_STOPPED) {
        // At least up to the next event: a slice with nothing in it would not move
        // (before the first slice the kernel does not know its next event yet).
        sc_core::sc_time slice = first ? kSlice : std::max(kSlice, sc_core::sc_time_to_pending_activity());
        first = false;
        // The last slice runs to the limit: starved short of it (the next event lies
        // beyond), SC_EXIT_ON_STARVATION would leave time where it is, and the loop
        // would call sc_start with nothing to do for ever.
        auto until = sc_core::SC_EXIT_ON_STARVATION;
        if (limit != sc_core::SC_ZERO_TIME) {
            if (sc_core::sc_time_stamp() >= limit) break;
            if (slice >= limit - sc_core::sc_time_stamp()) {
                slice = limit - sc_core::sc_time_stamp();
                until = sc_core::SC_RUN_TO_TIME;
            }
        }
        sc_core::sc_start(slice, until);
        if (show && clock::now() >= next_draw) {
            std::printf("\r%s\033[K", progress().c_str());
            std::fflush(stdout);
            drawn = true;
            next_draw = clock::now() + std::chrono::milliseconds(500);
        }
    }
    if (drawn) {
        std::printf("\r\033[K");
        std::fflush(stdout);
    }
    return {sc_core::sc_time_stamp(), int(g_signal)};
}

}  // namespace sim
