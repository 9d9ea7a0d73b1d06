#include "workloads/replay/replayer.h"

#include <algorithm>
#include <cstdio>
#include <set>
#include <string_view>

#include "models/sim/error.h"
#include "models/sim/format.h"
#include "workloads/replay/trace_check.h"

namespace workload {

using iommufd::Errno;

namespace {

using trace::Key;
using trace::Kind;

// Calls f with each name of a `|`-joined flags value, without copying it.
template <class F>
void each_flag(const std::string& text, const F& f) {
    for (size_t at = 0;;) {
        const size_t end = std::min(text.find('|', at), text.size());
        f(std::string_view(text).substr(at, end - at));
        if (end == text.size()) return;
        at = end + 1;
    }
}

// Map flags by name (enum iommufd_ioas_map_flags) or as a number.
uint32_t map_flags(const trace::Op& op) {
    if (op.numeric(Key::flags)) return uint32_t(op.number(Key::flags));
    uint32_t f = 0;
    each_flag(op.text(Key::flags), [&](std::string_view name) {
        if (name == "fixed_iova") f |= iommufd::kFixedIova;
        else if (name == "writeable") f |= iommufd::kWriteable;
        else if (name == "readable") f |= iommufd::kReadable;
        else f |= 1u << 31;  // a flag the map does not know: EOPNOTSUPP, as in Linux
    });
    return f;
}

// HWPT_ALLOC flags by name (enum iommufd_hwpt_alloc_flags) or as a number.
uint32_t hwpt_flags(const trace::Op& op) {
    if (!op.has(Key::flags)) return 0;
    if (op.numeric(Key::flags)) return uint32_t(op.number(Key::flags));
    uint32_t f = 0;
    each_flag(op.text(Key::flags), [&](std::string_view name) {
        f |= name == "nest_parent" ? iommufd::kHwptNestParent : iommufd::kHwptDirtyTracking;
    });
    return f;
}

std::string result(const trace::Op& op, Errno e, const std::string& outputs = "") {
    std::string line;
    line.reserve(48 + outputs.size());  // one allocation for the whole line
    line += std::to_string(op.line);
    line += ' ';
    line += op.op;
    if (e != Errno::Ok) {
        line += " err ";
        line += iommufd::errno_name(e);
    } else {
        line += " ok";
        if (!outputs.empty()) (line += ' ') += outputs;
    }
    return line;
}

}  // namespace

Replayer::Replayer(std::vector<DeviceInfo> devices, const DeviceFactory& make_ops,
                   iommufd::FrameAllocator& user_frames)
    : infos_(std::move(devices)), frames_(user_frames) {
    for (const DeviceInfo& info : infos_) {
        ops_.push_back(make_ops(info.sid));
        devices_.push_back(std::make_unique<iommufd::Device>(
            iommufd::Device{info.name, ops_.back()->reserved_regions(), ops_.back().get()}));
    }
}

Replayer::~Replayer() = default;

void Replayer::abandon() {
    for (auto& [name, fd] : fds_) fd.ctx->abandon();
}

iommufd::Reach Replayer::reach(uint16_t sid, uint64_t iova) const {
    for (const DeviceInfo& info : infos_) {
        if (info.sid != sid) continue;
        for (const auto& [name, fd] : fds_)
            if (auto it = fd.devices.find(info.name); it != fd.devices.end())
                return fd.ctx->reach(it->second, iova);
    }
    return {};
}

iommufd::Process* Replayer::process(const std::string& name) {
    auto it = processes_.find(name);
    return it == processes_.end() ? nullptr : it->second.get();
}

void Replayer::set_flush_policy(const iommufd::FlushPolicy& p, std::function<uint64_t()> now_ps,
                                std::function<void(uint64_t)> stale_window) {
    flush_ = p;
    now_ps_ = std::move(now_ps);
    stale_window_ = std::move(stale_window);
    for (auto& [name, fd] : fds_) fd.ctx->set_flush_policy(flush_, now_ps_, stale_window_);
}

void Replayer::flush_if_due() {
    for (auto& [name, fd] : fds_) fd.ctx->flush_if_due();
}

uint64_t Replayer::flush_deadline_ps() const {
    uint64_t d = 0;
    for (const auto& [name, fd] : fds_) {
        const uint64_t t = fd.ctx->flush_deadline_ps();
        if (t && (!d || t < d)) d = t;
    }
    return d;
}

bool Replayer::unflushed(uint16_t sid, uint64_t iova) const {
    for (const DeviceInfo& info : infos_) {
        if (info.sid != sid) continue;
        for (const auto& [name, fd] : fds_) {
            auto it = fd.devices.find(info.name);
            if (it != fd.devices.end() && fd.ctx->unflushed(it->second, iova)) return true;
        }
    }
    return false;
}

// ---- check: every name defined before it is used -------------------------------------

void Replayer::check(const std::vector<trace::Op>& ops, const std::vector<DeviceInfo>& devices,
                     const std::string& file) {
    size_t opened = 0;
    for (const trace::Op& op : ops) opened += op.kind == Kind::iommufd_open;
    TraceCheck check(file);
    for (const trace::Op& op : ops) check.op(op);
    check.finish(devices, opened);
}

// ---- apply ---------------------------------------------------------------------------

Replayer::Fd& Replayer::fd_of(const trace::Op& op) {
    return op.has(Key::fd) ? fds_.at(op.text(Key::fd)) : fds_.begin()->second;
}

uint32_t Replayer::id_of(Fd& fd, const trace::Op& op, Key key) {
    const std::string& v = op.text(key);
    auto it = fd.ids.find(v);
    return it != fd.ids.end() ? it->second : uint32_t(op.number(key));
}

Errno Replayer::device_id(Fd& fd, const std::string& name, uint32_t& id) {
    auto it = fd.devices.find(name);
    if (it != fd.devices.end()) {
        id = it->second;
        return Errno::Ok;
    }
    for (auto& d : devices_) {
        if (d->name != name) continue;
        const Errno e = fd.ctx->bind(*d, id);
        if (e == Errno::Ok) fd.devices[name] = id;
        return e;
    }
    return Errno::NoEnt;
}

std::string Replayer::apply(const trace::Op& op) {
    if (op.kind == Kind::process) {
        auto& user = users_[op.text(Key::user)];
        if (!user) user = std::make_unique<iommufd::User>(iommufd::User{op.text(Key::user), 0});
        processes_[op.text(Key::name)] = std::make_unique<iommufd::Process>(
            op.text(Key::name), *user, op.number(Key::rlimit_memlock), frames_);
        return result(op, Errno::Ok);
    }
    if (op.kind == Kind::mmap)
        return result(op, process(op.text(Key::process))
                              ->mmap(op.number(Key::user_va), op.number(Key::length), op.has(Key::hugepage)));
    if (op.kind == Kind::munmap)
        return result(op, process(op.text(Key::process))->munmap(op.number(Key::user_va), op.number(Key::length)));
    if (op.kind == Kind::iommufd_open) {
        Fd& fd = fds_[op.text(Key::name)];
        fd.ctx = std::make_unique<iommufd::Context>(*process(op.text(Key::process)));
        fd.ctx->set_flush_policy(flush_, now_ps_, stale_window_);
        return result(op, Errno::Ok);
    }
    return control(fd_of(op), op);
}

// Operations on a device: its device object first, bound on first use (EPERM when
// another context owns the device).
std::string Replayer::device_ops(Fd& fd, const trace::Op& op) {
    uint32_t dev = 0;
    if (const Errno e = device_id(fd, op.text(Key::dev_id), dev); e != Errno::Ok) return result(op, e);
    iommufd::Context& c = *fd.ctx;
    if (op.kind == Kind::device_attach) {
        uint32_t pt = 0;
        const Errno e = c.attach(dev, id_of(fd, op, Key::pt_id), &pt);
        return result(op, e, "pt_id=" + std::to_string(pt));
    }
    if (op.kind == Kind::hwpt_alloc) {
        uint32_t id = 0;
        const Errno e = c.hwpt_alloc(dev, id_of(fd, op, Key::pt_id), hwpt_flags(op), id);
        if (e == Errno::Ok) fd.ids[op.text(Key::name)] = id;
        return result(op, e, "out_hwpt_id=" + std::to_string(id));
    }
    iommufd::HwInfo h;
    const Errno e = c.get_hw_info(dev, h);
    std::string out = "out_data_type=" + std::to_string(h.type);
    for (const auto& [field, value] : h.data) out += " " + field + "=" + sim::hex(value);
    return result(op, e, out + " out_capabilities=" + sim::hex(h.capabilities));
}

std::string Replayer::control(Fd& fd, const trace::Op& op) {
    iommufd::Context& c = *fd.ctx;
    if (op.kind == Kind::ioas_alloc) {
        uint32_t id = 0;
        const Errno e = c.ioas_alloc(id);
        if (e == Errno::Ok) fd.ids[op.text(Key::name)] = id;
        return result(op, e, "id=" + std::to_string(id));
    }
    if (op.kind == Kind::destroy) {
        const Errno e = c.destroy(id_of(fd, op, Key::id));
        if (e == Errno::Ok) fd.ids.erase(op.text(Key::id));
        return result(op, e);
    }
    if (op.kind == Kind::device_attach || op.kind == Kind::hwpt_alloc || op.kind == Kind::get_hw_info)
        return device_ops(fd, op);
    if (op.kind == Kind::option) {
        const std::string& id = op.text(Key::option_id);
        const uint32_t option = id == "rlimit_mode" ? iommufd::kOptionRlimitMode
                                : id == "huge_pages" ? iommufd::kOptionHugePages
                                                     : uint32_t(op.number(Key::option_id));
        const uint32_t verb = op.text(Key::op) == "set" ? iommufd::kOptionSet : iommufd::kOptionGet;
        const uint32_t object = op.has(Key::object_id) ? id_of(fd, op, Key::object_id) : 0;
        uint64_t val = op.number_or(Key::val64, 0);
        const Errno e = c.option(option, verb, object, val);
        return result(op, e, verb == iommufd::kOptionGet ? "val64=" + std::to_string(val) : "");
    }
    if (op.kind == Kind::access_pin) {
        const uint32_t ioas = id_of(fd, op, Key::ioas_id);
        uint64_t pin = 0;
        std::vector<uint64_t> frames;
        const bool write = op.has(Key::flags) && op.text(Key::flags).find("write") != std::string::npos;
        const Errno e = c.access_pin(ioas, op.number(Key::iova), op.number(Key::length), write, pin, frames);
        if (e == Errno::Ok) pins_[op.text(Key::name)] = Pin{&fd, ioas, pin};
        return result(op, e, "pages=" + std::to_string(frames.size()));
    }
    if (op.kind == Kind::access_unpin) {  // a pin that failed, or one already unpinned: ENOENT
        const auto it = pins_.find(op.text(Key::name));
        if (it == pins_.end()) return result(op, Errno::NoEnt);
        const Pin p = it->second;
        pins_.erase(it);
        return result(op, p.fd->ctx->access_unpin(p.ioas, p.id));
    }
    return map_ops(fd, op);
}

std::string Replayer::map_ops(Fd& fd, const trace::Op& op) {
    iommufd::Context& c = *fd.ctx;
    if (op.kind == Kind::ioas_map) {
        uint64_t iova = op.number_or(Key::iova, 0);
        iommufd::Process* caller = op.has(Key::process) ? process(op.text(Key::process)) : nullptr;
        const Errno e = c.ioas_map(id_of(fd, op, Key::ioas_id), map_flags(op), op.number(Key::user_va),
                                   op.number(Key::length), iova, caller);
        return result(op, e, "iova=" + sim::hex(iova));
    }
    if (op.kind == Kind::ioas_unmap) {
        uint64_t n = 0;
        const Errno e = c.ioas_unmap(id_of(fd, op, Key::ioas_id), op.number(Key::iova), op.number(Key::length), n);
        return result(op, e, "length=" + sim::hex(n));
    }
    if (op.kind == Kind::ioas_copy) {
        uint64_t dst = op.number_or(Key::dst_iova, 0);
        const Errno e = c.ioas_copy(id_of(fd, op, Key::dst_ioas_id), id_of(fd, op, Key::src_ioas_id),
                                    map_flags(op), op.number(Key::src_iova), op.number(Key::length), dst);
        return result(op, e, "dst_iova=" + sim::hex(dst));
    }
    if (op.kind == Kind::ioas_iova_ranges) {
        uint32_t num = uint32_t(op.number_or(Key::num_iovas, 64));
        std::vector<iommufd::IovaRange> out;
        uint64_t align = 0;
        const Errno e = c.ioas_iova_ranges(id_of(fd, op, Key::ioas_id), num, out, align);
        std::string ranges;
        for (const auto& r : out) ranges += (ranges.empty() ? "" : ",") + sim::hex(r.start) + "-" + sim::hex(r.last);
        return result(op, e, "num_iovas=" + std::to_string(num) + " out_iova_alignment=" + sim::hex(align) +
                                 " iovas=" + (ranges.empty() ? "none" : ranges));
    }
    if (op.kind == Kind::ioas_allow_iovas) {
        std::vector<iommufd::IovaRange> allowed;
        for (const trace::Range& r : op.ranges("iovas")) allowed.push_back({r.start, r.last});
        return result(op, c.ioas_allow_iovas(id_of(fd, op, Key::ioas_id), allowed));
    }
    return result(op, Errno::OpNotSupp);
}

}  // namespace workload
