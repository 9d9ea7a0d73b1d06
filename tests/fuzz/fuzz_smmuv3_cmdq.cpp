// The SMMUv3 command queue (IHI 0070 §3.5, chapter 4): the command decoder, then the
// queue itself. The input is commands, 16 bytes each (dword 0, dword 1, little-endian).
//
// Decoder: a command that decodes is described for the timeline as JSON members, so
// "{" + describe + "}" must parse.
// Queue: after the driver's prologue (CMDQ_BASE, CMDQ_PROD/CONS 0, CR0.CMDQEN until
// CR0ACK follows) the commands are queued under one PROD write, on two units: the
// typical straps, and one with the opposite optional features (EL2, ATS, PRI, no RIL,
// no MSI), so that each capability check is reached both ways. CONS never passes PROD;
// it stops exactly at the first command the decoder or the capability checks reject,
// with CMDQ_CONS.ERR = CERROR_ILL and GERROR.CMDQ_ERR active, and reaches PROD when
// there is none. Software then replaces the command by a CMD_SYNC, acknowledges in
// GERRORN and writes PROD again: the queue resumes, to the next rejected command. A
// CMD_SYNC with CS = IRQ leaves MSIDATA at MSIADDR when that is in memory. On the ATS
// unit (SMMUEN set) every CMD_ATC_INV and CMD_PRI_RESP reaches the endpoints well formed.
//
// Seeds: make_seeds_smmuv3 (see there).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/iommu/host_memory.h"
#include "models/memory/sparse_memory.h"
#include "models/sim/config.h"
#include "models/sim/format.h"
#include "models/smmuv3/command.h"
#include "models/smmuv3/queue.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"
#include "platforms/archs.h"
#include "tests/fuzz/checked_endpoints.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

using namespace ::smmuv3;

constexpr uint64_t kQueue = 0x10'0000;                // CMDQ_BASE's address
constexpr uint64_t kMemoryBytes = uint64_t(1) << 32;  // MSI writes above fail
constexpr unsigned kLog2Size = 8;                     // IDR1.CMDQS of both units: 256 commands
constexpr size_t kMaxCommands = size_t(1) << kLog2Size;
constexpr uint64_t kSync[2] = {uint64_t(Opcode::SYNC), 0};  // CS = NONE: completes, signals nothing

struct Cmd {
    uint64_t lo, hi;
};

std::vector<Cmd> commands(const uint8_t* data, size_t size) {
    fuzz::Bytes in(data, size);
    std::vector<Cmd> out;
    for (size_t i = 0; i < size / 16 && i < kMaxCommands; ++i) out.push_back({in.u64(), in.u64()});
    return out;
}

void check_description(const Cmd& c) {
    const auto cmd = decode_command(c.lo, c.hi);
    if (!cmd) return;
    const std::string args = describe(*cmd);
    try {
        (void)nlohmann::json::parse("{" + args + "}");
    } catch (const nlohmann::json::exception&) {
        fuzz::fail("describe() is not JSON members: " + args);
    }
}

// The two units' configurations, read once.
const iommu::UnitConfig& unit_config(bool opposite) {
    static std::shared_ptr<const iommu::UnitConfig> configs[2];
    auto& c = configs[opposite];
    if (!c) {
        sim::Config cfg;
        if (opposite)
            for (const char* key : {"smmuv3.hyp", "smmuv3.ats", "smmuv3.pri"}) cfg.set(key, "true");
        if (opposite)
            for (const char* key : {"smmuv3.ril", "smmuv3.msi"}) cfg.set(key, "false");
        c = platform::find_arch("smmuv3")->hardware->read(cfg, 1);
    }
    return *c;
}

// What chapter 4 makes CERROR_ILL on this unit, written from the spec apart from the
// unit's own checks: an opcode or encoding the decoder rejects, or a command for a
// feature the IDRs say is absent.
bool legal(const Cmd& raw, const Caps& caps) {
    const auto c = decode_command(raw.lo, raw.hi);
    if (!c) return false;
    switch (c->op) {
        case Opcode::TLBI_EL2_ALL: case Opcode::TLBI_EL2_ASID: case Opcode::TLBI_EL2_VA:
        case Opcode::TLBI_EL2_VAA:
            return caps.hyp && (c->tg == 0 || caps.ril);
        case Opcode::TLBI_S12_VMALL: case Opcode::TLBI_S2_IPA: return caps.s2p && (c->tg == 0 || caps.ril);
        case Opcode::TLBI_NH_VA: case Opcode::TLBI_NH_VAA: return c->tg == 0 || caps.ril;
        case Opcode::ATC_INV: return caps.ats;
        case Opcode::PRI_RESP: return caps.pri;
        case Opcode::SYNC: return c->cs != sync_cs::IRQ || caps.msi;
        default: return true;
    }
}

// An MSI write into the queue rewrites commands: where the queue stops no longer
// follows from the input.
bool writes_into_queue(const std::vector<Cmd>& cs) {
    for (const Cmd& raw : cs) {
        const auto c = decode_command(raw.lo, raw.hi);
        if (c && c->op == Opcode::SYNC && c->cs == sync_cs::IRQ && c->msiaddr + 4 > kQueue &&
            c->msiaddr < kQueue + cs.size() * 16)
            return true;
    }
    return false;
}

class Queue {
public:
    explicit Queue(bool opposite)
        : host_(mem_, kMemoryBytes),
          unit_(platform::find_arch("smmuv3")->hardware->make(unit_config(opposite), host_)),
          smmu_(static_cast<SmmuUnit&>(*unit_)), opposite_(opposite) {
        unit_->endpoints = &endpoints_;
    }

    void run(std::vector<Cmd> cs) {
        for (size_t i = 0; i < cs.size(); ++i) put(i, cs[i]);
        // The prologue: an empty queue of 2^kLog2Size commands, then CMDQEN until acknowledged.
        smmu_.write(reg::CMDQ_BASE, kQueue | kLog2Size, 8);
        smmu_.write(reg::CMDQ_PROD, 0, 4);
        smmu_.write(reg::CMDQ_CONS, 0, 4);
        // The ATS unit is enabled, so its ATC_INV and PRI_RESP reach the endpoints (§4.5).
        smmu_.write(reg::CR0, cr0::CMDQEN | (opposite_ ? cr0::SMMUEN : 0), 4);
        if (!(smmu_.read(reg::CR0ACK, 4) & cr0::CMDQEN)) fuzz::fail("CR0ACK.CMDQEN stays clear after CR0.CMDQEN");
        const QueueIndex qi(kLog2Size);
        const uint32_t prod = qi.advance(0, uint32_t(cs.size()));
        const bool exact = !writes_into_queue(cs);
        std::map<uint64_t, uint32_t> msi;  // MSI address -> the data written last
        size_t from = 0;
        smmu_.write(reg::CMDQ_PROD, prod, 4);
        for (;;) {
            const uint32_t cons = uint32_t(smmu_.read(reg::CMDQ_CONS, 4));
            const bool error = (smmu_.read(reg::GERROR, 4) ^ smmu_.read(reg::GERRORN, 4)) & gerror::CMDQ_ERR;
            const std::string where = " (PROD " + sim::hex(prod) + ", CONS " + sim::hex(cons) + ")";
            if (qi.used(prod, cons) > qi.used(prod, qi.advance(0, uint32_t(from))))
                fuzz::fail("CMDQ_CONS went back or passed CMDQ_PROD" + where);
            if (!exact) return;
            size_t stop = from;
            while (stop < cs.size() && legal(cs[stop], smmu_.caps())) ++stop;
            for (size_t i = from; i < stop; ++i) note_msi(cs[i], msi);
            if (qi.position(cons) != qi.position(qi.advance(0, uint32_t(stop))))
                fuzz::fail("CMDQ_CONS is not at command " + std::to_string(stop) + where);
            if (stop == cs.size()) {
                if (error) fuzz::fail("GERROR.CMDQ_ERR active with every command legal" + where);
                break;
            }
            if (!error) fuzz::fail("GERROR.CMDQ_ERR inactive at an illegal command" + where);
            if (QueueIndex::error(cons) != cmdq_cons::CERROR_ILL)
                fuzz::fail("CMDQ_CONS.ERR is not CERROR_ILL" + where);
            // As a driver recovers (§7.1): make the command a harmless one, acknowledge, ring.
            cs[stop] = {kSync[0], kSync[1]};
            put(stop, cs[stop]);
            smmu_.write(reg::GERRORN, uint32_t(smmu_.read(reg::GERROR, 4)), 4);
            smmu_.write(reg::CMDQ_PROD, prod, 4);
            from = stop;
        }
        for (const auto& [addr, data] : msi) {
            uint32_t seen = 0;
            mem_.read(addr, &seen, 4);
            if (seen != data)
                fuzz::fail("CMD_SYNC MSI at " + sim::hex(addr) + ": " + sim::hex(seen) + ", asked " + sim::hex(data));
        }
    }

private:
    void put(size_t i, const Cmd& c) {
        mem_.write_u64(kQueue + i * 16, c.lo);
        mem_.write_u64(kQueue + i * 16 + 8, c.hi);
    }
    static void note_msi(const Cmd& raw, std::map<uint64_t, uint32_t>& msi) {
        const auto c = decode_command(raw.lo, raw.hi);
        if (c->op == Opcode::SYNC && c->cs == sync_cs::IRQ && c->msiaddr && c->msiaddr <= kMemoryBytes - 4)
            msi[c->msiaddr] = c->msidata;
    }

    memory::SparseMemory mem_;
    iommu::StoreMemory host_;
    std::unique_ptr<iommu::Unit> unit_;
    SmmuUnit& smmu_;
    bool opposite_;
    fuzz::CheckedEndpoints endpoints_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<Cmd> cs = commands(data, size);
    for (const Cmd& c : cs) check_description(c);
    if (cs.empty()) return 0;
    fuzz::no_escape([&] {
        Queue(false).run(cs);
        Queue(true).run(cs);
    });
    return 0;
}
