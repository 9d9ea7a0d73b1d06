// A trace replayed on the platform under SystemC. Control operations go through the
// mapping engine and the architecture's driver on one timed host core (host::Cpu): each takes
// effect at its trace time or, when the core is still busy with earlier ones, when
// the core is free, and keeps the core busy for what the driver spent. A `dma` line
// goes to its device once the control operations before it have completed, cut into
// PCIe requests (never across 4 KiB) that the device issues no earlier than the
// line's time, as its tags and link allow. So a trace replayed on a slower driver
// keeps its order: the DMA after a map never overtakes the map. Under deferred
// invalidation a timer flushes what timed out (on the same core) and translations
// of unflushed IOVAs count as stale. Costs (driver CPU time, table writes,
// descriptors, waits) go to the statistics under `iommufd.`, the core's time under
// `iommufd.cpu.`; --record-trace writes control operations at the time they applied.
//
// The op log keeps trace order: a dma line is written when its last request has
// completed, `LINE dma ok requests=N` or `LINE dma err EFAULT requests=N faulted=K`
// (data that failed its check adds `data_errors=K`).
#pragma once

#include <cstdint>
#include <deque>
#include <fstream>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <systemc>

#include "models/sim/stats.h"
#include "models/host/cpu.h"
#include "platforms/mapping_engine.h"
#include "platforms/system.h"
#include "platforms/trace_recorder.h"
#include "workloads/replay/replayer.h"
#include "workloads/workload.h"

namespace workload {

class ReplayRun : public Workload {
public:
    SC_HAS_PROCESS(ReplayRun);
    // `devices` lists the devices of `sys` in order (dev0, dev1...). With `engine`,
    // `sys` has an IOMMU ([iommu] arch of `pc`) whose driver the engine runs; without,
    // the trace holds only DMA (a recording of a run without the mapping engine).
    // The trace is read as it runs, one line at a time (checked before: scan_trace,
    // check_trace), so memory does not grow with its length.
    ReplayRun(sc_core::sc_module_name name, platform::System& sys, std::unique_ptr<trace::Reader> trace,
              std::vector<Replayer::DeviceInfo> devices, bool engine,
              const platform::PlatformConfig& pc, std::ostream& log,
              const iommufd::FlushPolicy& flush = {});
    ~ReplayRun() override;

    // False when the unit lacks what the driver needs; then nothing is replayed.
    bool probed() const { return probed_; }
    Replayer& replayer() { return engine_->replayer; }
    // The op log's stream, when the run should own it.
    // The op log's file, when the run should own it.
    void keep(std::unique_ptr<std::ofstream> log, std::string path) {
        owned_log_ = std::move(log);
        owned_log_path_ = std::move(path);
    }
    std::string close_outputs() override;
    // Control operations go to `r` too, as they are applied.
    void record(platform::TraceRecorder* r) override { recorder_ = r; }
    // Every line has been logged (all DMA completed).
    bool finished() const override { return read_all_ && next_log_ == taken_; }
    void set_timeline(sim::Timeline& t) override { cpu_.set_timeline(&t, std::string(name()) + " host CPU"); }

private:
    struct PendingDma {
        uint64_t line = 0;  // in the trace
        uint64_t requests = 0, left = 0, faulted = 0, data_errors = 0;
    };
    // A dma line's requests not yet fed: the next address, the end, the attributes.
    struct Feed {
        uint64_t next = 0, end = 0;
        pcie::Request attrs;
    };
    // Requests a device holds fed but not completed: a line of any length is fed as
    // the device completes earlier ones, so memory stays bounded (a `dma length=1T`
    // line), and the device never waits for a request the window holds back.
    static constexpr uint32_t kFeedWindow = 4096;
    void run_thread();
    bool fetch();
    sim::ps_t control(size_t i, const trace::Op& op);
    void flush_timeout();
    void start_dma(size_t i, const trace::Op& op);
    void top_up(size_t device);
    void dma_done(size_t device, uint64_t cookie, bool ok, bool data_ok);
    void forget_writes(const trace::Op& op);
    platform::OpCosts* costs_of(trace::Kind op);
    void logged(size_t i, std::string line);

    // The mapping engine: iommufd with the architecture's driver, on the platform's unit.
    struct Engine : platform::MappingEngine {
        Engine(platform::System& sys, const std::vector<Replayer::DeviceInfo>& devices,
               const platform::PlatformConfig& pc, std::function<void()> flush_timeout);
        Replayer replayer;
        platform::FlushTimer flush_timer;
    };

    platform::System& sys_;
    std::unique_ptr<trace::Reader> trace_;
    trace::Op op_;            // the next line, once fetched
    bool have_op_ = false;    // op_ is fetched and not yet taken
    bool read_all_ = false;   // the reader is at the end
    size_t taken_ = 0;        // lines taken (the next line's index in the op log)
    std::vector<Replayer::DeviceInfo> infos_;
    std::ostream& log_;
    std::unique_ptr<std::ofstream> owned_log_;
    std::string owned_log_path_;
    std::unique_ptr<Engine> engine_;
    bool probed_ = true;
    platform::TraceRecorder* recorder_ = nullptr;
    std::map<size_t, PendingDma> dmas_;     // by op index, until complete
    std::vector<std::deque<Feed>> feeds_;   // per device, lines in trace order
    std::vector<uint32_t> in_device_;       // per device, fed and not yet completed
    std::map<size_t, std::string> ready_;   // logged out of order, waiting for earlier lines
    size_t next_log_ = 0;

    host::Cpu cpu_{1};
    platform::OpCosts map_, unmap_, attach_;
    sim::Counter dma_requests_{*this, "dma.requests", "", "PCIe requests fed to devices"};
    sim::Counter dma_faulted_{*this, "dma.faulted", "", "fed requests that completed with an error"};
    sim::Counter op_errors_{*this, "op_errors", "", "control operations that returned an errno"};
    platform::StaleWatch stale_{*this};
};

}  // namespace workload
