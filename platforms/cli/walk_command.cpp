#include "platforms/cli/walk_command.h"

#include <cstdio>
#include <iostream>
#include <memory>

#include <boost/program_options.hpp>

#include "models/memory/memory_controller.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/cli.h"
#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/format.h"
#include "models/sim/params.h"
#include "models/iommu/arch.h"
#include "models/iommu/host_memory.h"
#include "platforms/archs.h"
#include "platforms/walk_input.h"

namespace po = boost::program_options;

namespace cli {

using namespace platform;  // the registry and the walk's input
namespace {

struct WalkArgs {
    std::string arch, image, requests;
    std::vector<std::string> regs, sets;
};

WalkArgs parse_args(const std::vector<std::string>& args) {
    po::options_description d("walk");
    WalkArgs w;
    d.add_options()("arch", po::value(&w.arch)->required(), "architecture")(
        "image", po::value(&w.image)->required(), "memory image file")(
        "requests", po::value(&w.requests)->required(), "request file")(
        "reg", po::value(&w.regs)->composing(), "NAME=VALUE")(
        "set", po::value(&w.sets)->composing(), "key=value");
    sim::parse_options(d, args);
    if (!find_arch(w.arch))
        throw sim::InputError("command line: --arch: '" + w.arch + "' is not modelled (" + arch_names() + ")");
    return w;
}

// --set values go through the same schema and checks as a configuration file: the
// architecture's sections and [memory].
std::shared_ptr<const iommu::UnitConfig> read_settings(const WalkArgs& w, const iommu::HardwareArch& hw,
                                                       memory::ControllerParams& mem) {
    sim::Config cfg;
    for (const std::string& s : w.sets) {
        auto kv = parse_set_assignment(s);
        cfg.set(kv.first, kv.second);
    }
    sim::ParamSchema schema;
    hw.declare(schema);
    schema.declare("memory", [](sim::ParamBinder& b) { memory::ControllerParams().bind(b); });
    schema.check_known(cfg);
    mem = sim::read_params<memory::ControllerParams>(cfg, "memory");
    return hw.read(cfg, 1);
}

// Capability straps first (other registers' offsets may depend on them), then the
// other registers through MMIO, then the architecture's enable sequence.
void program(const iommu::HardwareArch& hw, iommu::Unit& unit, const std::vector<RegAssignment>& regs) {
    std::vector<const RegAssignment*> writes;
    for (const RegAssignment& r : regs)
        if (!hw.strap(unit, r.name, r.value)) writes.push_back(&r);
    for (const RegAssignment* r : writes) {
        const auto reg = hw.find_register(unit, r->name);
        if (!reg) throw sim::InputError("command line: --reg " + r->name + ": unknown register");
        unit.write(reg->offset, r->value, reg->size);
    }
    try {
        hw.enable(unit);
    } catch (const sim::InputError& e) {
        throw sim::InputError(std::string("command line: --reg ") + e.what());
    }
}

// Field order is part of the contract, so the line is written by hand.
std::string to_json(const WalkRequest& q, const iommu::Result& r) {
    std::string s = "{\"iova\":\"" + sim::hex(q.iova) + "\",";
    if (r.fault) return s + "\"fault\":{\"reason\":\"" + sim::hex(r.reason) + "\"}}";
    auto b = [](bool v) { return v ? "true" : "false"; };
    return s + "\"pa\":\"" + sim::hex(r.pa) + "\",\"page_size\":" + std::to_string(r.page_size) +
           ",\"read\":" + b(r.read) + ",\"write\":" + b(r.write) + ",\"snoop\":" + b(r.snoop) +
           "}";
}

}  // namespace

int run_walk(const std::vector<std::string>& args) {
    memory::SparseMemory mem;
    std::vector<WalkRequest> requests;
    memory::ControllerParams mp;
    std::unique_ptr<iommu::StoreMemory> host;
    std::unique_ptr<iommu::Unit> unit;
    try {
        const WalkArgs w = parse_args(args);
        const iommu::HardwareArch& hw = *find_arch(w.arch)->hardware;
        const auto config = read_settings(w, hw, mp);
        std::vector<RegAssignment> regs;
        for (const std::string& r : w.regs) regs.push_back(parse_reg_assignment(r));
        load_memory_image(w.image, mem);
        requests = load_walk_requests(w.requests);
        host = std::make_unique<iommu::StoreMemory>(mem, mp.size);
        unit = hw.make(*config, *host);
        program(hw, *unit, regs);  // bad registers stop the command before any translation
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim walk: " << sim::message_line(e) << "\n";
        return sim::kExitBadInput;
    }
    for (const WalkRequest& q : requests) {
        iommu::Request r;
        r.sid = q.sid;
        r.iova = q.iova;
        r.read = q.read;
        r.write = q.write;
        r.pasid_valid = q.pasid_valid;
        r.pasid = q.pasid;
        r.priv = q.priv;
        r.exec = q.exec;
        r.no_snoop = q.nosnoop;
        std::cout << to_json(q, unit->translate(r)) << "\n";
    }
    return 0;
}

}  // namespace cli
