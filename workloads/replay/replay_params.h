// [replay]: a trace replayed as the run's workload (replay/replay_run.h), the same as
// `iommu-sim replay` but configured like every other workload.
#pragma once

#include <string>

#include "models/sim/params.h"

namespace workload {

struct ReplayParams {
    std::string trace;   // traces/FORMAT.md
    std::string op_log;  // each operation's result; empty: not written

    void bind(sim::ParamBinder& b) {
        b.text("trace", trace, "the trace to replay (traces/FORMAT.md)");
        b.text("op_log", op_log, "where each operation's result goes (empty: nowhere)");
    }
};

}  // namespace workload
