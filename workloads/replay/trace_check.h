// Replayer's name check, one operation at a time: every name a line uses is defined
// by an earlier line, none is defined twice, and the keys that need each other are
// there. Fed in trace order, it holds the names defined so far, never the lines, so a
// trace of any length is checked as it streams past.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "traces/trace.h"
#include "workloads/replay/replayer.h"

namespace workload {

class TraceCheck {
public:
    // `opened`: how many iommufd_open lines the whole trace has (a control operation
    // needs fd= when it opens several contexts, wherever the second one is).
    TraceCheck(const std::vector<Replayer::DeviceInfo>& devices, std::string file, size_t opened);
    // Throws sim::InputError "FILE:LINE: op.key: reason" at the first bad line.
    void op(const trace::Op& op);

private:
    std::string file_;
    size_t opened_, opened_so_far_ = 0;
    std::set<std::string> procs_, fds_, objects_, pins_, devs_;
};

}  // namespace workload
