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

}  // namespace

TraceCheck::TraceCheck(const std::vector<Replayer::DeviceInfo>& devices, std::string file, size_t opened)
    : file_(std::move(file)), opened_(opened) {
    for (const Replayer::DeviceInfo& d : devices) devs_.insert(d.name);
}

void TraceCheck::op(const trace::Op& op) {
    const auto fail = [&](Key key, const std::string& why) {
        throw sim::InputError(file_ + ":" + std::to_string(op.line) + ": " + op.op + "." + trace::key_name(key) +
                              ": " + why);
    };
    const auto need = [&](const std::set<std::string>& names, Key key) {
        if (op.has(key) && !names.count(op.text(key)) && !(is_id_key(key) && op.numeric(key)))
            fail(key, "'" + op.text(key) + "' is not defined before this line");
    };
    const auto define = [&](std::set<std::string>& names, Key key) {
        if (!names.insert(op.text(key)).second) fail(key, "'" + op.text(key) + "' is defined twice");
    };
    if (op.kind == Kind::dma) {
        need(devs_, Key::dev);
        if (op.number_or(Key::pasid, 0) > 0xfffff) fail(Key::pasid, "a PASID has 20 bits");
        for (const Key flag : {Key::priv, Key::exec})
            if (op.has(flag) && !op.has(Key::pasid)) fail(flag, "needs a PASID (pasid=N)");
        if (op.number(Key::length) > ~op.number(Key::iova)) fail(Key::length, "iova + length passes 2^64");
        return;
    }
    if (op.kind == Kind::process) return define(procs_, Key::name);
    if (op.kind == Kind::mmap || op.kind == Kind::munmap) return need(procs_, Key::process);
    if (op.kind == Kind::iommufd_open) {
        need(procs_, Key::process);
        define(fds_, Key::name);
        ++opened_so_far_;
        return;
    }
    if (op.has(Key::fd)) need(fds_, Key::fd);
    else if (opened_ > 1) fail(Key::fd, "needed: the trace opens several contexts");
    else if (opened_so_far_ == 0) fail(Key::fd, "no iommufd_open before it");
    for (const Key key : kIdKeys) need(objects_, key);
    need(procs_, Key::process);
    if (op.kind == Kind::device_attach || op.kind == Kind::hwpt_alloc || op.kind == Kind::get_hw_info)
        need(devs_, Key::dev_id);
    if (op.kind == Kind::ioas_alloc || op.kind == Kind::hwpt_alloc) define(objects_, Key::name);
    if (op.kind == Kind::access_pin) define(pins_, Key::name);
    if (op.kind == Kind::access_unpin) need(pins_, Key::name);
    if (op.kind == Kind::option && op.text(Key::option_id) == "huge_pages") need(objects_, Key::object_id);
}

}  // namespace workload
