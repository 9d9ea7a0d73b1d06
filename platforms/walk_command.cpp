#include "platforms/walk_command.h"

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
#include "models/vtd/capabilities.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "models/vtd/store_memory.h"
#include "platforms/iommu_config.h"
#include "platforms/vtd_boot.h"
#include "platforms/walk_input.h"

namespace po = boost::program_options;

namespace platform {
namespace {

struct WalkArgs {
    std::string arch, image, requests;
    std::vector<std::string> regs, sets;
};

WalkArgs parse_args(const std::vector<std::string>& args) {
    po::options_description d("walk");
    WalkArgs w;
    d.add_options()("arch", po::value(&w.arch)->required(), "architecture: vtd")(
        "image", po::value(&w.image)->required(), "memory image file")(
        "requests", po::value(&w.requests)->required(), "request file")(
        "reg", po::value(&w.regs)->composing(), "NAME=VALUE")(
        "set", po::value(&w.sets)->composing(), "key=value");
    sim::parse_options(d, args);
    if (w.arch != "vtd")
        throw sim::InputError("command line: --arch: '" + w.arch + "' is not modelled (vtd)");
    return w;
}

// --set values go through the same schema and checks as a configuration file.
void read_settings(const WalkArgs& w, vtd::Capabilities& caps, vtd::UnitParams& unit,
                   memory::ControllerParams& mem) {
    sim::Config cfg;
    for (const std::string& s : w.sets) {
        auto kv = parse_set_assignment(s);
        cfg.set(kv.first, kv.second);
    }
    sim::ParamSchema schema;
    declare_vtd(schema);
    schema.declare("memory", [](sim::ParamBinder& b) { memory::ControllerParams().bind(b); });
    schema.check_known(cfg);
    const VtdConfig v = read_vtd(cfg, unit.seed);
    caps = v.caps;
    unit = v.unit;
    mem = sim::read_params<memory::ControllerParams>(cfg, "memory");
}

// Straps CAP/ECAP, writes the other registers through MMIO, then the standard enable
// sequence: set the root table pointer, then enable translation (spec 10.4.4-5).
void program(vtd::RemappingUnit& unit, const std::vector<RegAssignment>& regs) {
    for (const RegAssignment& r : regs) {
        if (r.name == "CAP_REG") unit.strap_cap(r.value);
        if (r.name == "ECAP_REG") unit.strap_ecap(r.value);
    }
    for (const RegAssignment& r : regs) {
        if (r.name == "CAP_REG" || r.name == "ECAP_REG") continue;
        const auto where = vtd::RemappingUnit::offset_of(r.name, unit.caps());
        if (!where) throw sim::InputError("command line: --reg " + r.name + ": unknown register");
        unit.write(where->first, r.value, where->second);
    }
    enable_translation(unit);
    if (unit.ttm() > 1)
        throw sim::InputError("command line: --reg RTADDR_REG: TTM=" + std::to_string(unit.ttm()) +
                              ": only legacy (00) and scalable (01) modes are modelled");
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
    vtd::Capabilities caps;
    vtd::UnitParams up;
    memory::ControllerParams mp;
    std::unique_ptr<vtd::StoreMemory> host;
    std::unique_ptr<vtd::RemappingUnit> unit;
    try {
        const WalkArgs w = parse_args(args);
        read_settings(w, caps, up, mp);
        std::vector<RegAssignment> regs;
        for (const std::string& r : w.regs) regs.push_back(parse_reg_assignment(r));
        load_memory_image(w.image, mem);
        requests = load_walk_requests(w.requests);
        host = std::make_unique<vtd::StoreMemory>(mem, mp.size);
        unit = std::make_unique<vtd::RemappingUnit>(caps, up, *host);
        program(*unit, regs);  // bad registers stop the command before any translation
    } catch (const sim::InputError& e) {
        std::cerr << "iommu-sim walk: " << e.what() << "\n";
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

}  // namespace platform
