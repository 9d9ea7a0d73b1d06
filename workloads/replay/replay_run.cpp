#include "workloads/replay/replay_run.h"

#include <algorithm>
#include <ostream>

#include "models/pcie/request_stream.h"
#include "workloads/clock.h"

namespace workload {

using platform::OpCosts;
using platform::System;

using sc_core::sc_time;

namespace {

bool ok(const std::string& line) { return line.find(" ok") != std::string::npos; }

}  // namespace

ReplayRun::Engine::Engine(System& sys, const std::vector<Replayer::DeviceInfo>& devices,
                          const platform::PlatformConfig& pc, std::function<void()> flush_timeout)
    : MappingEngine(sys, pc),
      replayer(devices, [this, &sys](uint16_t sid) { return driver->device(sid, sys.endpoint_caps(sid)); },
               user_frames),
      flush_timer("flush", std::move(flush_timeout), [this] { return replayer.flush_deadline_ps(); }) {}

ReplayRun::ReplayRun(sc_core::sc_module_name name, System& sys, std::unique_ptr<trace::Reader> trace,
                     std::vector<Replayer::DeviceInfo> devices, bool engine,
                     const platform::PlatformConfig& pc, std::ostream& log,
                     const iommufd::FlushPolicy& flush)
    : Workload(name), sys_(sys), trace_(std::move(trace)), infos_(std::move(devices)), log_(log) {
    if (engine) {
        engine_ = std::make_unique<Engine>(sys, infos_, pc, [this] { flush_timeout(); });
        add_child("cpu", cpu_);
        engine_->replayer.set_flush_policy(
            flush, [] { return now(); },
            stale_.recorder(flush.deferred));
        if (flush.deferred)
            stale_.watch(sys_, [this](uint16_t sid, uint64_t iova) {
                return engine_->replayer.unflushed(sid, iova);
            });
        add_child(engine_->name, *engine_->driver);
        add_child("map", map_);
        add_child("unmap", unmap_);
        add_child("attach", attach_);
        probed_ = engine_->driver->probe() == iommufd::Errno::Ok;
        sys_.check_isolation(engine_->replayer);
    }
    feeds_.resize(sys_.devices());
    in_device_.assign(sys_.devices(), 0);
    for (size_t i = 0; i < sys_.devices(); ++i)
        sys_.device(i).on_fed_done([this, i](uint64_t c, bool ok, bool data_ok) { dma_done(i, c, ok, data_ok); });
    if (!probed_) return;
    // DMA before the first control operation goes to the devices now, so that they
    // start on their own first activation, as the devices of a recorded run did.
    for (; fetch() && op_.kind == trace::Kind::dma; have_op_ = false) start_dma(taken_++, op_);
    SC_THREAD(run_thread);
}

// The next line, read from the file only when the one before it is taken: the trace
// streams past, one line held at a time.
bool ReplayRun::fetch() {
    if (!have_op_ && !read_all_) {
        have_op_ = trace_->next(op_);
        read_all_ = !have_op_;
    }
    return have_op_;
}

// The trace did not ask for its mappings to go, and the run's statistics are taken:
// no unmap-everything at exit.
ReplayRun::~ReplayRun() {
    if (engine_) engine_->replayer.abandon();
}

// A control operation waits for its time and the core, and holds the thread until its
// work is done; a dma line then goes to its device at once, its requests marked with
// their time, so the device issues them on its own clock exactly as a recorded device
// did (a request fed at its time would start a delta later).
void ReplayRun::run_thread() {
    for (; fetch(); have_op_ = false) {
        const size_t i = taken_++;
        if (op_.kind == trace::Kind::dma) {
            start_dma(i, op_);
            continue;
        }
        wait(until(std::max(op_.time_ps, cpu_.free_at(0))));
        wait(until(control(i, op_)));
    }
}

OpCosts* ReplayRun::costs_of(trace::Kind op) {
    using trace::Kind;
    if (op == Kind::ioas_map || op == Kind::ioas_copy) return &map_;
    if (op == Kind::ioas_unmap || op == Kind::destroy) return &unmap_;
    if (op == Kind::device_attach || op == Kind::hwpt_alloc) return &attach_;
    return nullptr;
}

// The operation's slice on the timeline carries its arguments as written in the trace
// (a bare flag as true), so the slice says which IOVA and size it mapped.
static std::string timeline_args(const trace::Op& op) {
    auto quoted = [](const std::string& t) {
        std::string q = "\"";
        for (char c : t) q += (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) ? '_' : c;
        return q + "\"";
    };
    std::string s = "\"op\":" + quoted(op.op);
    for (const auto& [key, value] : op.args) s += "," + quoted(key) + ":" + (value.empty() ? "true" : quoted(value));
    return s;
}

// Applies operation `i` now; returns when the core has done its work.
sim::ps_t ReplayRun::control(size_t i, const trace::Op& op) {
    if (recorder_) {
        trace::Op applied = op;
        applied.time_ps = now();
        recorder_->control(applied);
    }
    const iommufd::DriverCost before = engine_->driver->spent();
    std::string line = engine_->replayer.apply(op);
    const iommufd::DriverCost spent = engine_->driver->spent() - before;
    const bool succeeded = ok(line);
    if (!succeeded) {
        ++op_errors_;
    } else if (OpCosts* c = costs_of(op.kind)) {
        c->add(spent);
    }
    if (succeeded) forget_writes(op);
    logged(i, std::move(line));
    engine_->flush_timer.schedule();
    host::Work w{spent.cpu_ns, spent.queue_ns, op.op.c_str()};
    if (cpu_.traced()) w.args = timeline_args(op);
    return cpu_.run(0, now(), w);
}

// The flush queue's timer runs on the same core.
void ReplayRun::flush_timeout() {
    const iommufd::DriverCost before = engine_->driver->spent();
    engine_->replayer.flush_if_due();
    const iommufd::DriverCost spent = engine_->driver->spent() - before;
    if (spent.cpu_ns > 0) cpu_.run(0, now(), {spent.cpu_ns, spent.queue_ns, "flush timer"});
}

// A device checks reads against its own earlier writes only while the mapping behind
// them stays; an operation that may change it makes the devices forget.
void ReplayRun::forget_writes(const trace::Op& op) {
    using trace::Key;
    using trace::Kind;
    const bool unmap = op.kind == Kind::ioas_unmap;
    const bool range = unmap && op.number(Key::length) != ~uint64_t(0);
    if (!unmap && op.kind != Kind::destroy && op.kind != Kind::device_attach && op.kind != Kind::munmap) return;
    for (size_t d = 0; d < sys_.devices(); ++d) {
        if (range)
            sys_.device(d).forget_writes(op.number(Key::iova), op.number(Key::length));
        else
            sys_.device(d).forget_all_writes();
    }
}

// The line's requests are never across 4 KiB; they go to the device as its window
// allows (top_up), in trace order behind the lines before them.
void ReplayRun::start_dma(size_t i, const trace::Op& op) {
    using trace::Key;
    const size_t device = std::stoul(op.text(Key::dev).substr(3));
    const uint64_t iova = op.number(Key::iova), end = iova + op.number(Key::length);
    pcie::Request r{0, 0, op.text(Key::dir) == "read"};  // the line's attributes, once
    r.pasid_valid = op.has(Key::pasid);
    r.pasid = uint32_t(op.number_or(Key::pasid, 0));
    r.no_snoop = op.has(Key::nosnoop);
    r.privileged = op.has(Key::priv);
    r.execute = op.has(Key::exec);
    r.at_ps = op.time_ps;
    r.cookie = i;
    PendingDma p;
    p.line = op.line;
    p.requests = p.left = end > iova ? ((end - 1) >> 12) - (iova >> 12) + 1 : 0;
    if (p.requests == 0) return logged(i, std::to_string(op.line) + " dma ok requests=0");
    dmas_[i] = p;
    feeds_[device].push_back({iova, end, r});
    top_up(device);
}

void ReplayRun::top_up(size_t device) {
    std::deque<Feed>& q = feeds_[device];
    pcie::TrafficGenerator& dev = sys_.device(device);
    while (!q.empty() && in_device_[device] < kFeedWindow) {
        Feed& f = q.front();
        pcie::Request r = f.attrs;
        r.addr = f.next;
        r.size = uint32_t(std::min(f.end - f.next, 4096 - (f.next & 4095)));
        dev.feed(r);
        ++dma_requests_;
        ++in_device_[device];
        f.next += r.size;
        if (f.next == f.end) q.pop_front();
    }
}

void ReplayRun::dma_done(size_t device, uint64_t cookie, bool ok, bool data_ok) {
    --in_device_[device];
    top_up(device);
    PendingDma& p = dmas_.at(cookie);
    p.faulted += !ok;
    p.data_errors += !data_ok;
    dma_faulted_ += !ok;
    if (--p.left) return;
    std::string line = std::to_string(p.line) + " dma " +
                       (p.faulted ? "err EFAULT" : "ok") + " requests=" + std::to_string(p.requests);
    if (p.faulted) line += " faulted=" + std::to_string(p.faulted);
    if (p.data_errors) line += " data_errors=" + std::to_string(p.data_errors);
    dmas_.erase(cookie);
    logged(cookie, std::move(line));
}

void ReplayRun::logged(size_t i, std::string line) {
    if (i == next_log_ && ready_.empty()) {  // in order, as control operations are: no map
        log_ << line << "\n";
        ++next_log_;
        return;
    }
    ready_[i] = std::move(line);
    for (auto it = ready_.begin(); it != ready_.end() && it->first == next_log_; it = ready_.erase(it)) {
        log_ << it->second << "\n";
        ++next_log_;
    }
}

std::string ReplayRun::close_outputs() {
    if (!owned_log_) return "";
    owned_log_->close();  // a full disk shows only when the buffer is flushed
    return *owned_log_ ? "" : owned_log_path_;
}

}  // namespace workload
