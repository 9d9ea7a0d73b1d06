// Runs the SystemC kernel in slices of simulated time, so that a run stops cleanly on
// SIGINT or SIGTERM (the caller writes the statistics so far and exits 128 + signal)
// and can show a progress line on a terminal. Slicing changes nothing simulated: each
// slice stops at its end time or when no activity is left, never past the last event,
// except that a run with a limit ends at the limit when its next event lies beyond.
#pragma once

#include <csignal>
#include <functional>
#include <string>

#include <systemc>

namespace sim {

struct RunOutcome {
    sc_core::sc_time end;  // simulated time when the run stopped
    int signal = 0;        // 0, SIGINT or SIGTERM
};

class RunControl {
public:
    // Installs handlers for SIGINT and SIGTERM; the destructor restores the old ones.
    RunControl();
    ~RunControl();
    RunControl(const RunControl&) = delete;
    RunControl& operator=(const RunControl&) = delete;

    // Runs until nothing is left to simulate, until `limit` (if not zero), or until a
    // signal arrives. With `progress` set, stdout a terminal, a line from it is
    // redrawn about twice a host second and cleared at the end.
    RunOutcome run(const sc_core::sc_time& limit, const std::function<std::string()>& progress = {});

    // A signal has arrived: work before the run (preloading memory) stops early, and
    // run() returns at once.
    bool stopping() const;
    static int exit_status(int signal) { return 128 + signal; }
    static const char* signal_name(int signal) { return signal == SIGINT ? "SIGINT" : "SIGTERM"; }

private:
    using Handler = void (*)(int);
    Handler old_int_, old_term_;
};

}  // namespace sim
