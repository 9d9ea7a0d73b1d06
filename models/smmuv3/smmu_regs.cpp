// The SMMUv3 register file (IHI 0070 §6.2 register map, §6.3 register descriptions).
// Registers are kept as 32-bit words by offset; 64-bit registers are two of them, so
// 4- and 8-byte accesses see the same state.
#include <map>

#include "models/smmuv3/queue.h"
#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"

namespace smmuv3 {
namespace {

constexpr uint32_t kAidr = 0x02;  // SMMUv3.2 (§6.3 SMMU_AIDR: ArchMajorRev 0, ArchMinorRev 2)
constexpr uint32_t kCr0Mask = cr0::SMMUEN | cr0::PRIQEN | cr0::EVENTQEN | cr0::CMDQEN | cr0::ATSCHK;

}  // namespace

namespace {
using RegisterMap = std::map<std::string, std::pair<uint32_t, unsigned>>;
const RegisterMap& registers() {
    static const RegisterMap regs = {
        {"SMMU_IDR0", {reg::IDR0, 4}}, {"SMMU_IDR1", {reg::IDR1, 4}}, {"SMMU_IDR2", {reg::IDR2, 4}},
        {"SMMU_IDR3", {reg::IDR3, 4}}, {"SMMU_IDR4", {reg::IDR4, 4}}, {"SMMU_IDR5", {reg::IDR5, 4}},
        {"SMMU_IIDR", {reg::IIDR, 4}}, {"SMMU_AIDR", {reg::AIDR, 4}}, {"SMMU_CR0", {reg::CR0, 4}},
        {"SMMU_CR0ACK", {reg::CR0ACK, 4}}, {"SMMU_CR1", {reg::CR1, 4}}, {"SMMU_CR2", {reg::CR2, 4}},
        {"SMMU_STATUSR", {reg::STATUSR, 4}}, {"SMMU_GBPA", {reg::GBPA, 4}}, {"SMMU_AGBPA", {reg::AGBPA, 4}},
        {"SMMU_IRQ_CTRL", {reg::IRQ_CTRL, 4}}, {"SMMU_IRQ_CTRLACK", {reg::IRQ_CTRLACK, 4}},
        {"SMMU_GERROR", {reg::GERROR, 4}}, {"SMMU_GERRORN", {reg::GERRORN, 4}},
        {"SMMU_GERROR_IRQ_CFG0", {reg::GERROR_IRQ_CFG0, 8}}, {"SMMU_GERROR_IRQ_CFG1", {reg::GERROR_IRQ_CFG1, 4}},
        {"SMMU_GERROR_IRQ_CFG2", {reg::GERROR_IRQ_CFG2, 4}}, {"SMMU_STRTAB_BASE", {reg::STRTAB_BASE, 8}},
        {"SMMU_STRTAB_BASE_CFG", {reg::STRTAB_BASE_CFG, 4}}, {"SMMU_CMDQ_BASE", {reg::CMDQ_BASE, 8}},
        {"SMMU_CMDQ_PROD", {reg::CMDQ_PROD, 4}}, {"SMMU_CMDQ_CONS", {reg::CMDQ_CONS, 4}},
        {"SMMU_EVENTQ_BASE", {reg::EVENTQ_BASE, 8}}, {"SMMU_EVENTQ_PROD", {reg::EVENTQ_PROD, 4}},
        {"SMMU_EVENTQ_CONS", {reg::EVENTQ_CONS, 4}}, {"SMMU_EVENTQ_IRQ_CFG0", {reg::EVENTQ_IRQ_CFG0, 8}},
        {"SMMU_EVENTQ_IRQ_CFG1", {reg::EVENTQ_IRQ_CFG1, 4}}, {"SMMU_EVENTQ_IRQ_CFG2", {reg::EVENTQ_IRQ_CFG2, 4}},
        {"SMMU_PRIQ_BASE", {reg::PRIQ_BASE, 8}}, {"SMMU_PRIQ_PROD", {reg::PRIQ_PROD, 4}},
        {"SMMU_PRIQ_CONS", {reg::PRIQ_CONS, 4}}, {"SMMU_PRIQ_IRQ_CFG0", {reg::PRIQ_IRQ_CFG0, 8}},
        {"SMMU_PRIQ_IRQ_CFG1", {reg::PRIQ_IRQ_CFG1, 4}}, {"SMMU_PRIQ_IRQ_CFG2", {reg::PRIQ_IRQ_CFG2, 4}}};
    return regs;
}
}  // namespace

std::optional<std::pair<uint32_t, unsigned>> SmmuUnit::offset_of(const std::string& name) {
    if (auto it = registers().find(name); it != registers().end()) return it->second;
    return std::nullopt;
}

std::vector<std::string> SmmuUnit::register_names() {
    std::vector<std::string> names;
    for (const auto& r : registers()) names.push_back(r.first);
    return names;
}

uint32_t SmmuUnit::reg(uint32_t offset) const {
    auto it = stored_.find(offset);
    return it == stored_.end() ? 0 : it->second;
}

uint64_t SmmuUnit::read(uint32_t offset, unsigned size) const {
    if (size == 8) return read32(offset) | uint64_t(read32(offset + 4)) << 32;
    return read32(offset);
}

uint32_t SmmuUnit::read32(uint32_t offset) const {
    switch (offset) {
        case reg::IDR0: case reg::IDR1: case reg::IDR2: case reg::IDR3: case reg::IDR4: case reg::IDR5:
            return idr_[offset / 4];
        case reg::AIDR: return kAidr;
        case reg::CR0: case reg::CR0ACK: return cr0_;  // acknowledged at once
        case reg::GBPA: return gbpa_;                   // UPDATE reads 0: done
        case reg::IRQ_CTRL: case reg::IRQ_CTRLACK: return irq_ctrl_;
        case reg::GERROR: return gerror_;
        case reg::GERRORN: return gerrorn_;
        case reg::CMDQ_CONS: return cmdq_cons_;
        case reg::EVENTQ_PROD: return evtq_prod_;
        case reg::PRIQ_PROD: return priq_prod_;
        default: return reg(offset);
    }
}

void SmmuUnit::write(uint32_t offset, uint64_t value, unsigned size) {
    write32(offset, uint32_t(value));
    if (size == 8) write32(offset + 4, uint32_t(value >> 32));
}

void SmmuUnit::write32(uint32_t offset, uint32_t v) {
    switch (offset) {
        case reg::IDR0: case reg::IDR1: case reg::IDR2: case reg::IDR3: case reg::IDR4: case reg::IDR5:
        case reg::IIDR: case reg::AIDR: case reg::CR0ACK: case reg::IRQ_CTRLACK: case reg::GERROR:
        case reg::STATUSR:
            return;  // read-only
        case reg::CR0: return write_cr0(v);
        // §6.3 SMMU_GBPA: software writes with UPDATE = 1; the fields take effect and
        // UPDATE clears when done (here at once). Writes without UPDATE are ignored.
        case reg::GBPA:
            if (v & gbpa::UPDATE) gbpa_ = v & ~gbpa::UPDATE;
            return;
        case reg::IRQ_CTRL: irq_ctrl_ = v & 7; return;
        case reg::GERRORN: return write_gerrorn(v);
        case reg::CMDQ_PROD:
            stored_[offset] = v & ~QueueIndex::ERR_MASK & ~QueueIndex::OVFLG;
            return process_commands();
        // §6.3: CONS is software-writable while the queue is disabled (to initialise it).
        case reg::CMDQ_CONS:
            if (!(cr0_ & cr0::CMDQEN)) cmdq_cons_ = v;
            return;
        case reg::EVENTQ_PROD:
            if (!(cr0_ & cr0::EVENTQEN)) evtq_prod_ = v;
            return;
        case reg::PRIQ_PROD:
            if (!(cr0_ & cr0::PRIQEN)) priq_prod_ = v;
            return;
        default: stored_[offset] = v; return;
    }
}

// §6.3 SMMU_CR0: each enable takes effect and is reflected in CR0ACK (here at once).
// Enabling the command queue processes what is already in it.
void SmmuUnit::write_cr0(uint32_t v) {
    const bool cmdq_on = !(cr0_ & cr0::CMDQEN) && (v & cr0::CMDQEN);
    const bool smmu_off = (cr0_ & cr0::SMMUEN) && !(v & cr0::SMMUEN);
    cr0_ = v & kCr0Mask;
    if (smmu_off) terminate_all_stalls();  // §3.12.2: nothing stays stalled with SMMUEN = 0
    if (cmdq_on) process_commands();
}

// §6.3 SMMU_GERRORN: software acknowledges an active error by making its bit equal
// GERROR's. An acknowledged CMDQ_ERR lets the command queue resume at CONS.
void SmmuUnit::write_gerrorn(uint32_t v) {
    const bool cmdq_was_active = (gerror_ ^ gerrorn_) & gerror::CMDQ_ERR;
    gerrorn_ = v & gerror::ALL;
    if (cmdq_was_active && !((gerror_ ^ gerrorn_) & gerror::CMDQ_ERR)) process_commands();
}

}  // namespace smmuv3
