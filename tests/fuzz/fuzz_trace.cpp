// A trace as `iommu-sim replay` takes it: read (trace::parse), written back and read
// again to the same operations, checked (Replayer::check), then replayed without the
// timing shell — control operations on the mapping engine over a unit and its driver,
// each `dma` line translated page by page and checked against what the engine lets
// the device reach (the rule of --check-isolation). Leading comment lines choose the
// machine: "# deferred" replays with deferred invalidation, the trace's times as the
// clock; "# arch NAME" another registered architecture than VT-d.
#include <sstream>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/error.h"
#include "platforms/archs.h"
#include "platforms/isolation.h"
#include "platforms/machine.h"
#include "platforms/platform_config.h"
#include "tests/fuzz/fuzz_input.h"
#include "traces/trace.h"
#include "workloads/replay/replayer.h"

namespace {

const std::string kName = "fuzz.trace";
const std::vector<workload::Replayer::DeviceInfo> kDevices = {{"dev0", 0x0100}, {"dev1", 0x0208}};
constexpr uint64_t kMaxPagesPerDma = 64;  // a long dma line is checked at its start

std::vector<trace::Op> read_checked(const std::string& text) {
    std::istringstream in(text);
    std::vector<trace::Op> ops = trace::parse(in, kName);
    std::ostringstream written;
    trace::write(written, ops);
    std::istringstream again(written.str());
    if (trace::parse(again, "written") != ops) fuzz::fail("the trace writer's output reads back differently");
    workload::Replayer::check(ops, kDevices, kName);
    return ops;
}

struct Options {
    bool deferred = false;
    std::string arch = "vtd";
};

Options options(const std::string& text) {
    Options o;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l) && l.rfind("# ", 0) == 0;) {
        if (l == "# deferred") o.deferred = true;
        if (l.rfind("# arch ", 0) == 0 && platform::find_arch(l.substr(7))) o.arch = l.substr(7);
    }
    return o;
}

// A unit and its probed driver outside a platform, as `walk` and the tests have it.
struct Machine {
    explicit Machine(const std::string& arch) {
        const sim::Config cfg;
        const platform::ArchConfig a = platform::read_arch(cfg, arch, 1);
        unit = a.arch->hardware->make(*a.unit, host);
        machine = std::make_unique<platform::StoreMachine>(*unit, mem);
        driver = a.arch->driver->make(*machine, table_pages, *a.driver);
        if (driver->probe() != iommufd::Errno::Ok) fuzz::fail("the " + arch + " driver does not probe");
    }
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem};
    std::unique_ptr<iommu::Unit> unit;
    std::unique_ptr<platform::StoreMachine> machine;
    iommufd::FrameAllocator table_pages{0x1000'0000, uint64_t(1) << 32};
    std::unique_ptr<iommufd::Driver> driver;
};

uint16_t sid_of(const std::string& dev) {
    for (const auto& d : kDevices)
        if (d.name == dev) return d.sid;
    fuzz::fail("check() let an unknown device through: " + dev);
}

void dma(Machine& m, const workload::Replayer& engine, const trace::Op& op) {
    const uint64_t iova = op.number("iova"), length = op.number("length");
    const uint64_t first = iova >> 12, last = (iova + (length ? length - 1 : 0)) >> 12;
    for (uint64_t page = first; page <= last && page - first < kMaxPagesPerDma; ++page) {
        iommu::Request r;
        r.sid = sid_of(op.text("dev"));
        r.iova = page == first ? iova : page << 12;
        r.write = op.text("dir") == "write";
        r.read = !r.write;
        r.pasid_valid = op.has("pasid");
        r.pasid = uint32_t(op.number_or("pasid", 0));
        r.no_snoop = op.has("nosnoop");
        const iommu::Result res = m.unit->translate(r);
        if (auto breach = platform::breach(r.sid, r.iova, res, engine.reach(r.sid, r.iova)))
            fuzz::fail("isolation: " + *breach);
        if (page == UINT64_MAX >> 12) break;
    }
}

void replay(const std::vector<trace::Op>& ops, const Options& o) {
    Machine m(o.arch);
    uint64_t now = 0;  // outlives the engine, whose contexts flush as they close
    iommufd::FrameAllocator user_frames{uint64_t(1) << 36, uint64_t(1) << 32};
    workload::Replayer engine(kDevices, [&](uint16_t sid) { return m.driver->device(sid, {}); }, user_frames);
    if (o.deferred) engine.set_flush_policy({true, 4, 10'000'000}, [&] { return now; }, [](uint64_t) {});
    for (const trace::Op& op : ops) {
        now = op.time_ps;
        engine.flush_if_due();
        if (op.op == "dma")
            dma(m, engine, op);
        else
            engine.apply(op);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    std::vector<trace::Op> ops;
    try {
        ops = read_checked(text);
    } catch (const sim::InputError& e) {
        fuzz::check_names(e, kName);
        return 0;
    }
    replay(ops, options(text));
    return 0;
}
