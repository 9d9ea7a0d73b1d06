#include "platforms/replay_run.h"

#include <ostream>

#include "models/pcie/request_stream.h"

namespace platform {

using sc_core::sc_time;

namespace {

// Where the driver's tables and the processes' pages live in host memory.
constexpr uint64_t kTableBase = 0x2000'0000, kTableBytes = 0x1000'0000;
constexpr uint64_t kUserBase = uint64_t(1) << 36, kUserBytes = uint64_t(1) << 36;

bool ok(const std::string& line) { return line.find(" ok") != std::string::npos; }

}  // namespace

ReplayRun::ReplayRun(sc_core::sc_module_name name, System& sys, std::vector<trace::Op> ops,
                     std::vector<Replayer::DeviceInfo> devices,
                     const iommufd::vtd::DriverCosts& costs, std::ostream& log)
    : sc_module(name),
      sys_(sys),
      ops_(std::move(ops)),
      infos_(std::move(devices)),
      log_(log),
      machine_(*sys.vtd_unit(), sys.memory()),
      table_pages_(kTableBase, kTableBytes),
      user_frames_(kUserBase, kUserBytes),
      driver_(machine_, table_pages_, costs) {
    add_child("vtd", driver_);
    add_child("map", map_);
    add_child("unmap", unmap_);
    add_child("attach", attach_);
    probed_ = driver_.probe() == iommufd::Errno::Ok;
    replayer_ = std::make_unique<Replayer>(
        infos_, [this](uint16_t sid) { return driver_.device(sid); }, user_frames_);
    for (size_t i = 0; i < sys_.devices(); ++i)
        sys_.device(i).on_fed_done([this](uint64_t c, bool ok, bool data_ok) { dma_done(c, ok, data_ok); });
    if (probed_) SC_THREAD(run_thread);
}

ReplayRun::~ReplayRun() = default;

void ReplayRun::run_thread() {
    for (size_t i = 0; i < ops_.size(); ++i) {
        const sc_time at = sc_time::from_value(ops_[i].time_ps);
        if (at > sc_core::sc_time_stamp()) wait(at - sc_core::sc_time_stamp());
        if (ops_[i].op == "dma")
            start_dma(i);
        else
            control(i);
    }
}

OpCosts* ReplayRun::costs_of(const std::string& op) {
    if (op == "ioas_map" || op == "ioas_copy") return &map_;
    if (op == "ioas_unmap" || op == "destroy") return &unmap_;
    if (op == "device_attach" || op == "hwpt_alloc") return &attach_;
    return nullptr;
}

void ReplayRun::control(size_t i) {
    const trace::Op& op = ops_[i];
    const double cpu0 = driver_.cpu_ns();
    const uint64_t tw0 = driver_.table_writes(), d0 = driver_.descriptors(), w0 = driver_.waits();
    std::string line = replayer_->apply(op);
    if (!ok(line)) {
        ++op_errors_;
    } else if (OpCosts* c = costs_of(op.op)) {
        ++c->ops;
        c->cpu_ns.sample(driver_.cpu_ns() - cpu0);
        c->table_writes += driver_.table_writes() - tw0;
        c->descriptors += driver_.descriptors() - d0;
        c->waits += driver_.waits() - w0;
    }
    if (ok(line)) forget_writes(op);
    logged(i, std::move(line));
}

// A device checks reads against its own earlier writes only while the mapping behind
// them stays; an operation that may change it makes the devices forget.
void ReplayRun::forget_writes(const trace::Op& op) {
    const bool range = op.op == "ioas_unmap" && op.number("length") != ~uint64_t(0);
    if (!range && op.op != "ioas_unmap" && op.op != "destroy" && op.op != "device_attach" &&
        op.op != "munmap")
        return;
    for (size_t d = 0; d < sys_.devices(); ++d) {
        if (range)
            sys_.device(d).forget_writes(op.number("iova"), op.number("length"));
        else
            sys_.device(d).forget_all_writes();
    }
}

void ReplayRun::start_dma(size_t i) {
    const trace::Op& op = ops_[i];
    pcie::TrafficGenerator& dev = sys_.device(std::stoul(op.text("dev").substr(3)));
    const uint64_t iova = op.number("iova"), end = iova + op.number("length");
    PendingDma p;
    for (uint64_t a = iova; a < end; ++p.requests) {
        const uint64_t n = std::min(end - a, 4096 - (a & 4095));  // never across 4 KiB
        pcie::Request r{a, uint32_t(n), op.text("dir") == "read"};
        r.pasid_valid = op.has("pasid");
        r.pasid = uint32_t(op.number_or("pasid", 0));
        r.no_snoop = op.has("nosnoop");
        r.cookie = i;
        dev.feed(r);
        a += n;
    }
    dma_requests_ += p.requests;
    p.left = p.requests;
    if (p.left == 0)
        logged(i, std::to_string(op.line) + " dma ok requests=0");
    else
        dmas_[i] = p;
}

void ReplayRun::dma_done(uint64_t cookie, bool ok, bool data_ok) {
    PendingDma& p = dmas_.at(cookie);
    p.faulted += !ok;
    p.data_errors += !data_ok;
    dma_faulted_ += !ok;
    if (--p.left) return;
    std::string line = std::to_string(ops_[cookie].line) + " dma " +
                       (p.faulted ? "err EFAULT" : "ok") + " requests=" + std::to_string(p.requests);
    if (p.faulted) line += " faulted=" + std::to_string(p.faulted);
    if (p.data_errors) line += " data_errors=" + std::to_string(p.data_errors);
    dmas_.erase(cookie);
    logged(cookie, std::move(line));
}

void ReplayRun::logged(size_t i, std::string line) {
    ready_[i] = std::move(line);
    for (auto it = ready_.begin(); it != ready_.end() && it->first == next_log_; it = ready_.erase(it)) {
        log_ << it->second << "\n";
        ++next_log_;
    }
}

}  // namespace platform
