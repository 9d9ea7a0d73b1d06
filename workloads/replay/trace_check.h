// Replayer's name check, one operation at a time: every name a line uses is defined
// by an earlier line, none is defined twice, and the keys that need each other are
// there. Fed in trace order, it holds the names defined so far, never the lines, so a
// trace of any length is checked as it streams past, in the same read that checks
// each line's syntax.
//
// Two answers wait for the end of that read: whether a device name is one of the
// platform's (known once the configuration is), and whether a control operation with
// no fd= is ambiguous (it is when the trace opens several contexts, wherever the second
// one is). finish() gives them and reports the first bad line, as a check that knew
// both from the start would have.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "traces/trace.h"
#include "workloads/replay/replayer.h"

namespace workload {

class TraceCheck {
public:
    explicit TraceCheck(std::string file = "") : file_(std::move(file)) {}
    // Checks one operation; after the first bad line, nothing more (finish reports it).
    void op(const trace::Op& op);
    // Throws sim::InputError "FILE:LINE: op.key: reason" at the first bad line, given
    // the platform's devices and how many iommufd_open lines the whole trace has.
    void finish(const std::vector<Replayer::DeviceInfo>& devices, size_t opened) const;

private:
    // A check's failure, in the order of the checks: line, then place in the line.
    struct Failure {
        uint64_t line = 0;
        unsigned place = 0;
        std::string message;  // "op.key: reason"
        bool operator<(const Failure& o) const { return line != o.line ? line < o.line : place < o.place; }
    };
    void fail(const trace::Op& op, trace::Key key, const std::string& why);
    void need(const std::set<std::string>& names, const trace::Op& op, trace::Key key);
    void need_device(const trace::Op& op, trace::Key key);
    void define(std::set<std::string>& names, const trace::Op& op, trace::Key key);

    std::string file_;
    size_t opened_so_far_ = 0;
    std::set<std::string> procs_, fds_, objects_, pins_;
    unsigned place_ = 0;              // checks done on the current line
    std::optional<Failure> failed_;   // the first check that failed for certain
    // The first line with no fd= where one may be needed, and whether it came before
    // any iommufd_open (then it fails whatever the count).
    std::optional<Failure> no_fd_;
    bool no_fd_before_open_ = false;
    std::map<std::string, Failure> devices_used_;  // per device name, its first use
};

}  // namespace workload
