#include "platforms/replay_command.h"

#include <fstream>
#include <iostream>
#include <memory>

#include <boost/program_options.hpp>
#include <systemc>

#include "models/sim/cli.h"
#include "models/sim/config.h"
#include "models/sim/error.h"
#include "platforms/platform_config.h"
#include "platforms/replay.h"
#include "platforms/system.h"
#include "platforms/vtd_machine.h"
#include "traces/trace.h"

namespace po = boost::program_options;

namespace platform {
namespace {

struct ReplayArgs {
    std::vector<std::string> configs;
    std::string trace, op_log;
};

ReplayArgs parse_args(const std::vector<std::string>& args) {
    po::options_description d("replay");
    ReplayArgs r;
    d.add_options()("config", po::value(&r.configs)->required(), "platform configuration")(
        "trace", po::value(&r.trace)->required(), "trace file")(
        "op-log", po::value(&r.op_log), "where each operation's result goes");
    sim::parse_options(d, args);
    return r;
}

PlatformConfig read_platform(const std::vector<std::string>& files) {
    sim::Config cfg;
    for (const std::string& f : files) cfg.load_ini(f);
    sim::ParamSchema schema;
    PlatformConfig::declare(schema, device_count(cfg));
    schema.check_known(cfg);
    PlatformConfig pc = PlatformConfig::read(cfg);
    if (pc.iommu.arch != "vtd")
        throw sim::InputError(files.back() + ": iommu.arch: replay drives a VT-d unit (set vtd)");
    pc.boot_map.map = "none";  // the engine's driver programs the unit
    return pc;
}

// The platform's devices as the engine binds them: name, requester ID, and the
// interrupt (MSI) window every x86 device reserves.
std::vector<Replayer::DeviceInfo> device_infos(const PlatformConfig& pc) {
    std::vector<Replayer::DeviceInfo> out;
    for (size_t i = 0; i < pc.devs.size(); ++i)
        out.push_back({"dev" + std::to_string(i), uint16_t(pc.devs[i].requester_id),
                       {{0xfee0'0000, 0xfeef'ffff}}});
    return out;
}

// A driver domain attached to one requester; detached when the engine lets it go.
class AttachedDomain : public iommufd::Domain {
public:
    AttachedDomain(iommufd::vtd::Driver& d, std::unique_ptr<iommufd::Domain> dom, uint16_t sid)
        : driver_(d), dom_(std::move(dom)), sid_(sid) {}
    ~AttachedDomain() override { driver_.detach(sid_); }
    uint64_t page_sizes() const override { return dom_->page_sizes(); }
    iommufd::Errno map(uint64_t iova, uint64_t pa, uint64_t size, unsigned prot) override {
        return dom_->map(iova, pa, size, prot);
    }
    void unmap(uint64_t iova, uint64_t size) override { dom_->unmap(iova, size); }

private:
    iommufd::vtd::Driver& driver_;
    std::unique_ptr<iommufd::Domain> dom_;
    uint16_t sid_;
};

}  // namespace

int run_replay(const std::vector<std::string>& args) {
    std::unique_ptr<System> sys;
    std::vector<trace::Op> ops;
    std::vector<Replayer::DeviceInfo> infos;
    std::ofstream log_file;
    try {
        const ReplayArgs a = parse_args(args);
        const PlatformConfig pc = read_platform(a.configs);
        ops = trace::read_file(a.trace);
        infos = device_infos(pc);
        Replayer::check(ops, infos, a.trace);
        for (const trace::Op& op : ops)
            if (op.op == "dma")
                throw sim::InputError(a.trace + ":" + std::to_string(op.line) +
                                      ": dma: not replayed yet (control operations only)");
        if (!a.op_log.empty()) {
            log_file.open(a.op_log);
            if (!log_file) throw sim::InputError(a.op_log + ": cannot write file");
        }
        sys = std::make_unique<System>("system", pc);
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim: " << e.what() << "\n";
        return sim::kExitBadInput;
    }
    std::ostream& log = log_file.is_open() ? log_file : std::cout;
    VtdMachine machine(*sys->vtd_unit(), sys->memory());
    iommufd::FrameAllocator table_pages(uint64_t(0x2000'0000), uint64_t(0x1000'0000));
    iommufd::FrameAllocator user_frames(uint64_t(1) << 36, uint64_t(1) << 36);
    iommufd::vtd::Driver driver(machine, table_pages, iommufd::vtd::DriverCosts{});
    if (driver.probe() != iommufd::Errno::Ok) {
        std::cerr << "iommu-sim: the VT-d unit lacks what the driver needs (queued invalidation, SAGAW)\n";
        return 1;
    }
    Replayer replayer(infos, [&](uint16_t sid) -> std::unique_ptr<iommufd::Domain> {
        std::unique_ptr<iommufd::Domain> d;
        if (driver.alloc_domain(false, d) != iommufd::Errno::Ok) return nullptr;
        if (driver.attach(*d, sid) != iommufd::Errno::Ok) return nullptr;
        return std::make_unique<AttachedDomain>(driver, std::move(d), sid);
    }, user_frames);
    for (const trace::Op& op : ops) log << replayer.apply(op) << "\n";
    return 0;
}

}  // namespace platform
