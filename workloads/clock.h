// Simulated time as the workloads' drivers reckon it: integer picoseconds (sim::ps_t,
// what host::Cpu answers in) and the wait until such a time.
#pragma once

#include <systemc>

#include "models/sim/time.h"

namespace workload {

inline sim::ps_t now() { return sc_core::sc_time_stamp().value(); }
// The delay from now until `t` (zero if `t` has passed).
inline sc_core::sc_time until(sim::ps_t t) { return sc_core::sc_time::from_value(t > now() ? t - now() : 0); }

}  // namespace workload
