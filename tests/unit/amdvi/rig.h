// An AmdviUnit over tables the test encoder (tests/support/amdvi) builds in a
// SparseMemory: a device table at 0x10000 (Size 1: 256 entries), an event log of 256
// entries at 0x30000, page tables from 0x100000. Installed memory ends at 4 GiB, so
// accesses above it fail.
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <vector>

#include "models/amdvi/amdvi_unit.h"
#include "models/amdvi/regs.h"
#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "tests/support/amdvi/amdvi_tables.h"
#include "tests/support/requests.h"

namespace amdvi_rig {

namespace reg = amdvi::reg;
using amdvitest::DteFields;
using amdvitest::Perm;

constexpr uint64_t kDevTab = 0x10000, kEvtLog = 0x30000, kTables = 0x100000;
constexpr uint64_t kMemSize = uint64_t(1) << 32;
constexpr uint64_t kEventLen8 = uint64_t(8) << 56;  // 256 entries

// The record of a host request's event (GN=0): `code`, the requester, its DTE's
// DomainID and the request's address; the caller sets the flags.
inline amdvitest::EventFields record(unsigned code, uint16_t device, uint16_t domain, uint64_t address) {
    amdvitest::EventFields e;
    e.code = code;
    e.device_id = device;
    e.domain = domain;
    e.address = address;
    return e;
}

struct Rig {
    memory::SparseMemory mem;
    iommu::StoreMemory host{mem, kMemSize};
    amdvi::Straps straps;
    amdvi::UnitParams params;
    std::unique_ptr<amdvi::AmdviUnit> unit;
    amdvitest::HostTables tables{mem, kTables};
    uint64_t evt_read = 0;  // the records events() has returned so far

    Rig() { unit = std::make_unique<amdvi::AmdviUnit>(straps, params, host); }
    void rebuild() { unit = std::make_unique<amdvi::AmdviUnit>(straps, params, host); }
    // Device table (Size 1), event log, then IommuEn and EventLogEn (and `more`).
    void enable(uint64_t more = 0) {
        unit->write(reg::DEV_TABLE_BASE, kDevTab | 1, 8);
        unit->write(reg::EVT_LOG_BASE, kEvtLog | kEventLen8, 8);
        unit->write(reg::CONTROL, amdvi::ctrl::IOMMU_EN | amdvi::ctrl::EVENT_LOG_EN | more, 8);
    }
    void put_dte(uint16_t devid, const DteFields& f) {
        const auto q = amdvitest::dte(f);
        for (unsigned i = 0; i < 4; ++i) mem.write_u64(kDevTab + 32 * uint64_t(devid) + 8 * i, q[i]);
    }
    // A device whose DTE translates through a new `mode`-level table in `domain`.
    uint64_t translated_device(uint16_t devid, unsigned mode, uint16_t domain, DteFields f = {}) {
        f.mode = mode;
        f.root = tables.new_table();
        f.domain = domain;
        put_dte(devid, f);
        return f.root;
    }
    static std::vector<unsigned> full_path(unsigned top, unsigned leaf_level = 1) {
        std::vector<unsigned> p;
        for (unsigned l = top; l >= leaf_level && l > 0; --l) p.push_back(l);
        return p;
    }
    iommu::Result access(uint16_t sid, uint64_t iova, bool write = false) {
        return unit->translate(testutil::dma(sid, iova, write));
    }
    uint64_t evt_tail() const { return unit->read(reg::EVT_TAIL, 8); }
    // The records written since the last call, oldest first.
    std::vector<std::array<uint64_t, 2>> events() {
        std::vector<std::array<uint64_t, 2>> out;
        const uint64_t tail = evt_tail();
        while (evt_read != tail) {
            out.push_back({mem.read_u64(kEvtLog + evt_read), mem.read_u64(kEvtLog + evt_read + 8)});
            evt_read = (evt_read + 16) % (256 * 16);
        }
        return out;
    }
    uint64_t stat(const std::string& name) const {
        nlohmann::json j;
        unit->sim::StatGroup::write(j, "u");
        return j.contains("u." + name) ? j["u." + name].get<uint64_t>() : 0;
    }
};

}  // namespace amdvi_rig
