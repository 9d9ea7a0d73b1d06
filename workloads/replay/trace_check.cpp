#include "workloads/replay/trace_check.h"

#include "models/sim/error.h"

namespace workload {
namespace {

// Keys naming an object by its trace name or by its number (ordered: the first bad
// one is reported).
const std::set<std::string> kIdKeys = {"ioas_id", "src_ioas_id", "dst_ioas_id", "pt_id", "id"};

bool is_number(const std::string& s) {
    bool ok = false;
    trace::parse_number(s, ok);
    return ok;
}

}  // namespace

TraceCheck::TraceCheck(const std::vector<Replayer::DeviceInfo>& devices, std::string file, size_t opened)
    : file_(std::move(file)), opened_(opened) {
    for (const Replayer::DeviceInfo& d : devices) devs_.insert(d.name);
}

void TraceCheck::op(const trace::Op& op) {
    const auto fail = [&](const std::string& key, const std::string& why) {
        throw sim::InputError(file_ + ":" + std::to_string(op.line) + ": " + op.op +
                              (key.empty() ? "" : "." + key) + ": " + why);
    };
    const auto need = [&](const std::set<std::string>& names, const std::string& key) {
        if (op.has(key) && !names.count(op.text(key)) && !(kIdKeys.count(key) && is_number(op.text(key))))
            fail(key, "'" + op.text(key) + "' is not defined before this line");
    };
    const auto define = [&](std::set<std::string>& names, const std::string& key) {
        if (!names.insert(op.text(key)).second) fail(key, "'" + op.text(key) + "' is defined twice");
    };
    if (op.op == "dma") {
        need(devs_, "dev");
        if (op.number_or("pasid", 0) > 0xfffff) fail("pasid", "a PASID has 20 bits");
        for (const char* flag : {"priv", "exec"})
            if (op.has(flag) && !op.has("pasid")) fail(flag, "needs a PASID (pasid=N)");
        if (op.number("length") > ~op.number("iova")) fail("length", "iova + length passes 2^64");
        return;
    }
    if (op.op == "process") return define(procs_, "name");
    if (op.op == "mmap" || op.op == "munmap") return need(procs_, "process");
    if (op.op == "iommufd_open") {
        need(procs_, "process");
        define(fds_, "name");
        ++opened_so_far_;
        return;
    }
    if (op.has("fd")) need(fds_, "fd");
    else if (opened_ > 1) fail("fd", "needed: the trace opens several contexts");
    else if (opened_so_far_ == 0) fail("fd", "no iommufd_open before it");
    for (const std::string& key : kIdKeys) need(objects_, key);
    need(procs_, "process");
    if (op.op == "device_attach" || op.op == "hwpt_alloc" || op.op == "get_hw_info") need(devs_, "dev_id");
    if (op.op == "ioas_alloc" || op.op == "hwpt_alloc") define(objects_, "name");
    if (op.op == "access_pin") define(pins_, "name");
    if (op.op == "access_unpin") need(pins_, "name");
    if (op.op == "option" && op.text("option_id") == "huge_pages") need(objects_, "object_id");
}

}  // namespace workload
