// VT-d queued invalidation (spec 6.5.2): the descriptor decoder, then the queue itself.
// The input is descriptors, 16 bytes each (lo, hi, little-endian).
//
// Decoder: a descriptor that decodes is described for the timeline as JSON arguments,
// so "{" + describe + "}" must parse.
// Queue: the descriptors are queued in 128-bit mode under one tail write, then in
// 256-bit mode (IQA.DW, upper halves zero) one tail write each. IQH never passes IQT;
// the queue stops with FSTS.IQE exactly at the first descriptor the decoder rejects,
// and runs to the tail when there is none; a wait descriptor with SW leaves its status
// data where it asked.
//
// Seeds: make_seeds_vtd (see there).
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/config.h"
#include "models/sim/format.h"
#include "models/vtd/arch.h"
#include "models/vtd/invalidation.h"
#include "models/vtd/regs.h"
#include "platforms/archs.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

constexpr uint64_t kQueue = 0x10'0000;               // IQA's base
constexpr uint64_t kMemoryBytes = uint64_t(1) << 32; // status writes above fail
constexpr size_t kMaxDescriptors = 2048;              // 64 KiB of 256-bit descriptors: QS 4

struct Descriptor {
    uint64_t lo, hi;
};

std::vector<Descriptor> descriptors(const uint8_t* data, size_t size) {
    fuzz::Bytes in(data, size);
    std::vector<Descriptor> out;
    for (size_t i = 0; i < size / 16 && i < kMaxDescriptors; ++i) out.push_back({in.u64(), in.u64()});
    return out;
}

// A unit with device-TLBs and page requests, so their descriptors decode and run too.
const iommu::UnitConfig& unit_config() {
    static const auto config = [] {
        sim::Config cfg;
        cfg.set("vtd.dt", "true");
        cfg.set("vtd.prs", "true");
        return platform::find_arch("vtd")->hardware->read(cfg, 1);
    }();
    return *config;
}

std::optional<vtd::Invalidation> decode(const Descriptor& d) {
    return vtd::decode_descriptor(d.lo, d.hi, static_cast<const vtd::UnitConfig&>(unit_config()).caps);
}

void check_description(const Descriptor& d) {
    const auto inv = decode(d);
    if (!inv) return;
    const std::string args = vtd::describe(*inv);
    try {
        (void)nlohmann::json::parse("{" + args + "}");
    } catch (const nlohmann::json::exception&) {
        fuzz::fail("describe() is not JSON arguments: " + args);
    }
}

// The queue as the driver sets it up: base and size in IQA, then GCMD.QIE until
// GSTS.QIES reports it.
std::unique_ptr<iommu::Unit> queued_unit(iommu::HostMemory& host, bool wide, uint64_t bytes) {
    auto unit = platform::find_arch("vtd")->hardware->make(unit_config(), host);
    unsigned qs = 0;  // 2^QS pages
    while ((uint64_t(4096) << qs) <= bytes) ++qs;
    unit->write(vtd::reg::IQA, kQueue | (wide ? 1u << 11 : 0) | qs, 8);
    const uint32_t gsts = uint32_t(unit->read(vtd::reg::GSTS, 4));
    unit->write(vtd::reg::GCMD, gsts | vtd::gcmd::QIE, 4);
    if (!(unit->read(vtd::reg::GSTS, 4) & vtd::gcmd::QIE)) fuzz::fail("GSTS.QIES stays clear after GCMD.QIE");
    return unit;
}

size_t first_rejected(const std::vector<Descriptor>& ds) {
    size_t i = 0;
    while (i < ds.size() && decode(ds[i])) ++i;
    return i;
}

// A status write into the queue itself rewrites descriptors: the decoder's verdict on
// the input no longer says where the queue stops.
bool writes_into_queue(const std::vector<Descriptor>& ds, size_t count, uint64_t queue_bytes) {
    for (size_t i = 0; i < count; ++i) {
        const auto inv = decode(ds[i]);
        if (inv->status_write && inv->status_addr + 4 > kQueue && inv->status_addr < kQueue + queue_bytes)
            return true;
    }
    return false;
}

void check_status_writes(memory::SparseMemory& mem, const std::vector<Descriptor>& ds, size_t done) {
    std::map<uint64_t, uint32_t> last;  // status address -> the data written last
    for (size_t i = 0; i < done; ++i) {
        const auto inv = decode(ds[i]);
        if (inv->status_write && inv->status_addr <= kMemoryBytes - 4) last[inv->status_addr] = inv->status_data;
    }
    for (const auto& [addr, data] : last) {
        uint32_t seen = 0;
        mem.read(addr, &seen, 4);
        if (seen != data)
            fuzz::fail("wait status at " + sim::hex(addr) + ": " + sim::hex(seen) + ", asked " + sim::hex(data));
    }
}

void run_queue(const std::vector<Descriptor>& ds, bool wide) {
    const uint64_t stride = wide ? 32 : 16, bytes = ds.size() * stride;
    memory::SparseMemory mem;
    iommu::StoreMemory host(mem, kMemoryBytes);
    for (size_t i = 0; i < ds.size(); ++i) {
        mem.write_u64(kQueue + i * stride, ds[i].lo);
        mem.write_u64(kQueue + i * stride + 8, ds[i].hi);
    }
    const auto unit = queued_unit(host, wide, bytes);
    const size_t stop = first_rejected(ds);
    const bool exact = !writes_into_queue(ds, stop, bytes);
    const uint64_t step = wide ? stride : bytes;  // 256-bit: a tail write per descriptor
    for (uint64_t tail = step; tail <= bytes; tail += step) {
        unit->write(vtd::reg::IQT, tail, 8);
        const uint64_t head = unit->read(vtd::reg::IQH, 8);
        const bool iqe = unit->read(vtd::reg::FSTS, 4) & vtd::fsts::IQE;
        const std::string where = " (tail " + sim::hex(tail) + ", IQH " + sim::hex(head) + ")";
        if (head > tail || head % stride) fuzz::fail("IQH passed IQT or left a descriptor boundary" + where);
        if (!exact) continue;
        const uint64_t expected = std::min<uint64_t>(tail, stop * stride);
        if (head != expected) fuzz::fail("IQH is not at the first invalid descriptor or the tail" + where);
        if (iqe != (expected < tail)) fuzz::fail(std::string("FSTS.IQE ") + (iqe ? "set" : "clear") + where);
    }
    if (exact) check_status_writes(mem, ds, stop);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<Descriptor> ds = descriptors(data, size);
    for (const Descriptor& d : ds) check_description(d);
    if (ds.empty()) return 0;
    fuzz::no_escape([&] {
        run_queue(ds, false);
        run_queue(ds, true);
    });
    return 0;
}
