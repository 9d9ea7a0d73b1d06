#include "workloads/replay/trace_check.h"

#include <algorithm>
#include <iterator>

#include "models/sim/error.h"

namespace workload {
namespace {

using trace::Key;
using trace::Kind;

// Keys naming an object by its trace name or by its number (by name: the first bad
// one is reported).
constexpr Key kIdKeys[] = {Key::dst_ioas_id, Key::id, Key::ioas_id, Key::pt_id, Key::src_ioas_id};

bool is_id_key(Key k) { return std::find(std::begin(kIdKeys), std::end(kIdKeys), k) != std::end(kIdKeys); }

std::string at_key(const trace::Op& op, Key key) { return op.op + "." + trace::key_name(key) + ": "; }

std::string undefined(const std::string& name) { return "'" + name + "' is not defined before this line"; }

}  // namespace

void TraceCheck::fail(const trace::Op& op, Key key, const std::string& why) {
    failed_ = Failure{op.line, ++place_, at_key(op, key) + why};
}

void TraceCheck::need(const std::set<std::string>& names, const trace::Op& op, Key key) {
    ++place_;
    if (op.has(key) && !names.count(op.text(key)) && !(is_id_key(key) && op.numeric(key)))
        fail(op, key, undefined(op.text(key)));
}

// Whether the name is a device's is known at finish(): its first use waits for it.
void TraceCheck::need_device(const trace::Op& op, Key key) {
    ++place_;
    if (op.has(key)) devices_used_.try_emplace(op.text(key), Failure{op.line, place_, at_key(op, key)});
}

void TraceCheck::define(std::set<std::string>& names, const trace::Op& op, Key key) {
    ++place_;
    if (!names.insert(op.text(key)).second) fail(op, key, "'" + op.text(key) + "' is defined twice");
}

void TraceCheck::op(const trace::Op& op) {
    if (failed_) return;
    place_ = 0;
    if (op.kind == Kind::dma) {
        need_device(op, Key::dev);
        if (op.number_or(Key::pasid, 0) > 0xfffff) return fail(op, Key::pasid, "a PASID has 20 bits");
        for (const Key flag : {Key::priv, Key::exec})
            if (op.has(flag) && !op.has(Key::pasid)) return fail(op, flag, "needs a PASID (pasid=N)");
        if (op.number(Key::length) > ~op.number(Key::iova)) fail(op, Key::length, "iova + length passes 2^64");
        return;
    }
    if (op.kind == Kind::process) return define(procs_, op, Key::name);
    if (op.kind == Kind::mmap || op.kind == Kind::munmap) return need(procs_, op, Key::process);
    if (op.kind == Kind::iommufd_open) {
        need(procs_, op, Key::process);
        if (failed_) return;
        define(fds_, op, Key::name);
        ++opened_so_far_;
        return;
    }
    ++place_;
    if (op.has(Key::fd)) {
        need(fds_, op, Key::fd);
    } else if (opened_so_far_ > 1) {
        fail(op, Key::fd, "needed: the trace opens several contexts");
    } else if (!no_fd_) {  // ambiguous if a second context opens later; no context yet fails anyway
        no_fd_ = Failure{op.line, place_, at_key(op, Key::fd)};
        no_fd_before_open_ = opened_so_far_ == 0;
    }
    for (const Key key : kIdKeys)
        if (!failed_) need(objects_, op, key);
    if (!failed_) need(procs_, op, Key::process);
    if (failed_) return;
    if (op.kind == Kind::device_attach || op.kind == Kind::hwpt_alloc || op.kind == Kind::get_hw_info)
        need_device(op, Key::dev_id);
    if (op.kind == Kind::ioas_alloc || op.kind == Kind::hwpt_alloc) define(objects_, op, Key::name);
    if (op.kind == Kind::access_pin) define(pins_, op, Key::name);
    if (op.kind == Kind::access_unpin) need(pins_, op, Key::name);
    if (op.kind == Kind::option && op.text(Key::option_id) == "huge_pages") need(objects_, op, Key::object_id);
}

void TraceCheck::finish(const std::vector<Replayer::DeviceInfo>& devices, size_t opened) const {
    std::optional<Failure> first = failed_;
    const auto consider = [&](const Failure& f) {
        if (!first || f < *first) first = f;
    };
    if (no_fd_ && (opened > 1 || no_fd_before_open_)) {
        Failure f = *no_fd_;
        f.message += opened > 1 ? "needed: the trace opens several contexts" : "no iommufd_open before it";
        consider(f);
    }
    for (const auto& used : devices_used_) {
        const auto known = [&](const Replayer::DeviceInfo& d) { return d.name == used.first; };
        if (std::none_of(devices.begin(), devices.end(), known)) {
            Failure f = used.second;
            f.message += undefined(used.first);
            consider(f);
        }
    }
    if (first) throw sim::InputError(file_ + ":" + std::to_string(first->line) + ": " + first->message);
}

}  // namespace workload
