// The VT-d register file and its walks, driven by arbitrary MMIO writes, table writes
// and DMA requests (the input language: vtd_ops.h). No simulation is elaborated: the
// unit's functional path (read, write, translate) is plain C++.
//
// Properties: nothing throws (misuse is answered by faults and error bits); a request
// asked twice in a row gets the same answer (a cache hit equals the walk) while the
// caches are coherent with the tables (Coherence); a success is
// a power-of-two page of at least 4 KiB holding the address at the same offset, and
// grants the access asked; every fault reason is one the unit can name.
//
// Seeds (corpus/vtd_mmio) are what the VT-d driver does to probe, attach and map, then
// requests; build-fuzz/tests/fuzz/make_seeds_vtd tests/fuzz/corpus rewrites them.
// FUZZ_VTD_TRACE=1 prints every answer (to see what an input reaches).
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>
#include <string>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/config.h"
#include "models/sim/format.h"
#include "models/sim/params.h"
#include "models/vtd/regs.h"
#include "models/vtd/remapping_unit.h"
#include "platforms/archs.h"
#include "tests/fuzz/dma_request.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/vtd_ops.h"

namespace {

using namespace fuzz::vtd;

// Each variant's configuration, read once: reading the schema costs more than a run.
const iommu::UnitConfig& unit_config(uint8_t variant) {
    static std::shared_ptr<const iommu::UnitConfig> configs[16];
    auto& c = configs[variant & 15];
    if (!c) {
        const iommu::HardwareArch& hw = *platform::find_arch("vtd")->hardware;
        sim::Config cfg;
        for (const auto& [key, value] : variant_settings(variant)) cfg.set(key, value);
        sim::ParamSchema schema;
        hw.declare(schema);
        schema.check_known(cfg);
        c = hw.read(cfg, 1);
    }
    return *c;
}

// Software that changes a table or the root pointer once the caches may hold it owes
// the unit invalidations (spec 6.5); until it has paid them, a cached answer may
// legally differ from a walk. Paid in full: global context-cache, IOTLB (which takes
// the paging-structure caches along) and, once scalable mode has filled it,
// PASID-cache invalidations, all after the change.
class Coherence {
public:
    explicit Coherence(vtd::RemappingUnit& unit) : unit_(unit) {
        unit.on_invalidate = [this](const char* kind, const std::string& args) { applied(kind, args); };
    }
    void translating() {
        filled_ = true;
        pasid_cache_used_ |= unit_.translation_enabled() && unit_.ttm() == unsigned(vtd::Ttm::Scalable);
    }
    // A table write or a global command (SRTP, TE).
    void changed() {
        if (filled_) context_ = iotlb_ = pasid_ = false;
    }
    bool coherent() const { return context_ && iotlb_ && (pasid_ || !pasid_cache_used_); }

private:
    void applied(const std::string& kind, const std::string& args) {
        // describe() names the granularity (spec 6.5.2); only a global one restores coherence.
        const nlohmann::json g = nlohmann::json::parse("{" + args + "}").value("granularity", nlohmann::json());
        const bool global = g.is_string() && g.get<std::string>() == "global";
        context_ |= kind == "context-cache" && global;
        iotlb_ |= kind == "iotlb" && global;
        pasid_ |= kind == "pasid-cache" && global;
    }
    vtd::RemappingUnit& unit_;
    bool filled_ = false, pasid_cache_used_ = false;
    bool context_ = true, iotlb_ = true, pasid_ = true;
};

// The second answer comes from the caches the first one filled (or walks the same
// tables again): either way it must be the first answer.
void translate(iommu::Unit& unit, Coherence& coherence, const iommu::Request& r) {
    static const bool trace = std::getenv("FUZZ_VTD_TRACE");
    coherence.translating();
    const iommu::Result first = unit.translate(r);
    if (trace) std::fprintf(stderr, "%s\n", fuzz::show(r, first).c_str());
    fuzz::check_answer(r, first, !first.fault || unit.fault_text(first.reason).find(' ') != std::string::npos);
    const iommu::Result again = unit.translate(r);
    if (coherence.coherent() && !fuzz::same(first, again))
        fuzz::fail("asked twice: " + fuzz::show(r, first) + ", then " + fuzz::show(r, again));
}

void run(fuzz::Bytes& in) {
    const uint8_t variant = in.u8();
    memory::SparseMemory mem;
    iommu::StoreMemory host(mem, kMemoryBytes);
    const iommu::HardwareArch& hw = *platform::find_arch("vtd")->hardware;
    const std::unique_ptr<iommu::Unit> unit = hw.make(unit_config(variant), host);
    Coherence coherence(static_cast<vtd::RemappingUnit&>(*unit));
    while (!in.empty()) {
        switch (in.u8() % kOpCount) {
            case kWrite32: {
                const uint32_t offset = in.u16() & 0xffc;
                if (offset == vtd::reg::GCMD) coherence.changed();
                unit->write(offset, in.u32(), 4);
                break;
            }
            case kWrite64: {
                const uint32_t offset = in.u16() & 0xff8;
                if (offset == vtd::reg::GCMD) coherence.changed();
                unit->write(offset, in.u64(), 8);
                break;
            }
            case kRead: {
                const uint32_t offset = in.u16();
                const unsigned bytes = in.u8() & 1 ? 8 : 4;
                unit->read(offset & (bytes == 8 ? 0xff8 : 0xffc), bytes);
                break;
            }
            case kStore: {
                const uint64_t pa = kWindow + 8 * (in.take(3) & (kWindowQwords - 1));
                mem.write_u64(pa, in.u64());
                coherence.changed();
                break;
            }
            case kTranslate: translate(*unit, coherence, fuzz::request(in)); break;
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Bytes in(data, size);
    fuzz::no_escape([&] { run(in); });
    return 0;
}
