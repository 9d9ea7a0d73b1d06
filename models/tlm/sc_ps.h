// Integer picoseconds (sim::ps_t) to and from sc_time on the hot paths of the timing
// shell. SystemC's sc_time::from_value is out of line and asks the kernel on every
// call whether the time resolution is fixed yet. The project keeps SystemC's default
// resolution, 1 ps (models/sim/time.h), so an sc_time is exactly its ps count; from_value
// costs a dozen instructions per call, and a DMA converts about ten times.
#pragma once

#include <cstring>
#include <type_traits>

#include <systemc>

#include "models/sim/time.h"

namespace tlmx {

// sc_time holds one 64-bit count of resolution units and nothing else.
static_assert(sizeof(sc_core::sc_time) == sizeof(sim::ps_t) &&
              std::is_standard_layout_v<sc_core::sc_time>);

inline sc_core::sc_time at_ps(sim::ps_t ps) {
    sc_core::sc_time t;
    std::memcpy(static_cast<void*>(&t), &ps, sizeof ps);
    return t;
}

inline sim::ps_t ps(const sc_core::sc_time& t) { return t.value(); }

// t in ns as t.to_seconds() * 1e9 computes it, to the last bit (SystemC 2.3.4's
// to_seconds: value * resolution in fs * 1e-15, resolution 1 ps = 1000 fs), inline:
// the library's to_seconds is out of line, and latency statistics sample it per DMA.
// (sim::ps_to_ns divides by 1000 instead, which can differ in the last bit and would
// move the goldens' latency sums.)
inline double ns(const sc_core::sc_time& t) { return double(t.value()) * 1000.0 * 1e-15 * 1e9; }

// The current simulation time, as sc_time_stamp() returns it, inline: the library's
// sc_time_stamp is an out-of-line call, and a timing-mode DMA asks about thirty times.
inline const sc_core::sc_time& now() { return sc_core::sc_get_curr_simcontext()->time_stamp(); }

}  // namespace tlmx
