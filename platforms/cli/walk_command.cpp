#include "platforms/cli/walk_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include "models/memory/memory_controller.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/cli.h"
#include "models/sim/config.h"
#include "models/sim/error.h"
#include "models/sim/format.h"
#include "models/sim/params.h"
#include "models/sim/suggest.h"
#include "models/iommu/arch.h"
#include "models/iommu/host_memory.h"
#include "platforms/archs.h"
#include "platforms/cli/help_text.h"
#include "platforms/walk_input.h"

namespace po = boost::program_options;

namespace cli {

using namespace platform;  // the registry and the walk's input
namespace {

struct WalkArgs : WalkJob {
    std::string image, requests;
};

constexpr const char* kUsage =
    "usage: iommu-sim walk --arch ARCH --image MEM --requests REQS [--reg NAME=VALUE]...\n"
    "                      [--set KEY=VALUE]...\n"
    "Translates each request offline on the architecture's hardware model, from a memory\n"
    "image and the registers given, without simulating time; one JSON line per request.\n";

void describe(po::options_description& d, WalkArgs& w) {
    d.add_options()("arch", po::value(&w.arch)->required(), "architecture")(
        "image", po::value(&w.image)->required(), "memory image file")(
        "requests", po::value(&w.requests)->required(), "request file")(
        "reg", po::value(&w.regs)->composing(), "NAME=VALUE")(
        "set", po::value(&w.sets)->composing(), "key=value");
}

WalkArgs parse_args(const std::vector<std::string>& args) {
    po::options_description d("walk");
    WalkArgs w;
    describe(d, w);
    sim::parse_options(d, args);
    return w;
}

// --set values go through the same schema and checks as a configuration file: the
// architecture's sections and [memory].
std::shared_ptr<const iommu::UnitConfig> read_settings(const WalkJob& w, const iommu::HardwareArch& hw,
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

// "unknown register; did you mean 'X'?", else the list of valid ones.
std::string unknown_register(const iommu::HardwareArch& hw, const std::string& name) {
    const std::vector<std::string> names = hw.register_names ? hw.register_names() : std::vector<std::string>{};
    const std::string near = sim::did_you_mean(name, names);
    if (!near.empty()) return "unknown register" + near;
    std::string all;
    for (const std::string& n : names) all += (all.empty() ? "" : ", ") + n;
    return "unknown register (" + all + ")";
}

// Capability straps first (other registers' offsets may depend on them), then the
// other registers through MMIO, then the architecture's enable sequence.
void program(const iommu::HardwareArch& hw, iommu::Unit& unit, const std::vector<RegAssignment>& regs) {
    std::vector<const RegAssignment*> writes;
    for (const RegAssignment& r : regs)
        if (!hw.strap(unit, r.name, r.value)) writes.push_back(&r);
    for (const RegAssignment* r : writes) {
        const auto reg = hw.find_register(unit, r->name);
        if (!reg) throw sim::InputError("command line: --reg " + r->name + ": " + unknown_register(hw, r->name));
        unit.write(reg->offset, r->value, reg->size);
    }
    try {
        hw.enable(unit);
    } catch (const sim::InputError& e) {
        throw sim::InputError(std::string("command line: --reg ") + e.what());
    }
}

// Field order is part of the contract, so the line is written by hand: the request as
// asked (sid, PASID, IOVA, access), then the answer, a fault by reason and name.
std::string to_json(const WalkRequest& q, const iommu::Result& r, const iommu::Unit& unit) {
    std::string s = "{\"sid\":\"" + sim::hex(q.sid) + "\",";
    if (q.pasid_valid) s += "\"pasid\":\"" + sim::hex(q.pasid) + "\",";
    s += "\"iova\":\"" + sim::hex(q.iova) + "\",\"access\":\"" + (q.read ? "r" : "") + (q.write ? "w" : "") + "\",";
    if (r.fault) {
        const std::string text = unit.fault_text(r.reason);  // "0xN NAME"
        const std::string name = text.substr(text.find(' ') + 1);
        return s + "\"fault\":{\"reason\":\"" + sim::hex(r.reason) + "\",\"name\":" + nlohmann::json(name).dump() + "}}";
    }
    auto b = [](bool v) { return v ? "true" : "false"; };
    return s + "\"pa\":\"" + sim::hex(r.pa) + "\",\"page_size\":" + std::to_string(r.page_size) +
           ",\"read\":" + b(r.read) + ",\"write\":" + b(r.write) + ",\"snoop\":" + b(r.snoop) +
           "}";
}

}  // namespace

void walk(const WalkJob& job, std::istream& image, const std::string& image_name, std::istream& requests,
          const std::string& requests_name, std::ostream& out) {
    const Arch* arch = find_arch(job.arch);
    if (!arch) throw sim::InputError("command line: --arch: '" + job.arch + "' is not modelled (" + arch_names() + ")");
    const iommu::HardwareArch& hw = *arch->hardware;
    memory::ControllerParams mp;
    const auto config = read_settings(job, hw, mp);
    std::vector<RegAssignment> regs;
    for (const std::string& r : job.regs) regs.push_back(parse_reg_assignment(r));
    memory::SparseMemory mem;
    load_memory_image(image, image_name, mem);
    const std::vector<WalkRequest> reqs = load_walk_requests(requests, requests_name);
    iommu::StoreMemory host(mem, mp.size);
    const std::unique_ptr<iommu::Unit> unit = hw.make(*config, host);
    program(hw, *unit, regs);  // bad registers stop the command before any translation
    for (const WalkRequest& q : reqs) {
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
        out << to_json(q, unit->translate(r), *unit) << "\n";
    }
}

int run_walk(const std::vector<std::string>& args) {
    WalkArgs shown;
    if (subcommand_help(args, kUsage, [&](po::options_description& d) { describe(d, shown); })) return 0;
    try {
        const WalkArgs w = parse_args(args);
        std::ifstream image = open_input(w.image), requests = open_input(w.requests);
        walk(w, image, w.image, requests, w.requests, std::cout);
        if (w.regs.empty())
            std::cerr << "iommu-sim walk: no --reg: the table pointers are at reset (0), so requests fault before any table the image holds\n";
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim walk: " << sim::message_line(e) << "\n";
        return sim::kExitBadInput;
    }
    return 0;
}

}  // namespace cli
