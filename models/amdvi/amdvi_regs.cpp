// The AMD-Vi register page (§3.4): 64-bit registers at their architectural offsets,
// reached with 4- or 8-byte accesses.
#include <map>

#include "models/amdvi/amdvi_unit.h"

namespace amdvi {

std::optional<uint32_t> AmdviUnit::offset_of(const std::string& name) {
    static const std::map<std::string, uint32_t> regs = {
        {"DEV_TABLE_BASE", reg::DEV_TABLE_BASE}, {"CMD_BUF_BASE", reg::CMD_BUF_BASE},
        {"EVT_LOG_BASE", reg::EVT_LOG_BASE},     {"CONTROL", reg::CONTROL},
        {"EXCL_BASE", reg::EXCL_BASE},           {"EXCL_LIMIT", reg::EXCL_LIMIT},
        {"EXT_FEATURE", reg::EXT_FEATURE},       {"PPR_LOG_BASE", reg::PPR_LOG_BASE},
        {"CMD_HEAD", reg::CMD_HEAD},             {"CMD_TAIL", reg::CMD_TAIL},
        {"EVT_HEAD", reg::EVT_HEAD},             {"EVT_TAIL", reg::EVT_TAIL},
        {"STATUS", reg::STATUS},                 {"PPR_HEAD", reg::PPR_HEAD},
        {"PPR_TAIL", reg::PPR_TAIL}};
    if (auto it = regs.find(name); it != regs.end()) return it->second;
    return std::nullopt;
}

uint64_t AmdviUnit::read(uint32_t offset, unsigned size) const {
    const uint64_t v = read64(offset & ~7u);
    if (size == 8) return v;
    return (v >> ((offset & 4) * 8)) & 0xffffffff;
}

uint64_t AmdviUnit::read64(uint32_t base) const {
    switch (base) {
        case reg::DEV_TABLE_BASE: return devtab_;
        case reg::CMD_BUF_BASE: return cmd_base_;
        case reg::EVT_LOG_BASE: return evt_base_;
        case reg::CONTROL: return ctrl_;
        case reg::EXCL_BASE: return excl_base_;
        case reg::EXCL_LIMIT: return excl_limit_;
        case reg::EXT_FEATURE: return efr_;
        case reg::PPR_LOG_BASE: return ppr_base_;
        case reg::CMD_HEAD: return cmd_head_;
        case reg::CMD_TAIL: return cmd_tail_;
        case reg::EVT_HEAD: return evt_head_;
        case reg::EVT_TAIL: return evt_tail_;
        case reg::STATUS: return status_;
        case reg::PPR_HEAD: return ppr_head_;
        case reg::PPR_TAIL: return ppr_tail_;
        default: return 0;
    }
}

// A 4-byte write changes its half of the register, an 8-byte write all of it.
void AmdviUnit::write(uint32_t offset, uint64_t value, unsigned size) {
    const uint32_t base = offset & ~7u;
    if (size == 8) return write64(base, value, ~uint64_t(0));
    const unsigned shift = (offset & 4) * 8;
    const uint64_t written = uint64_t(0xffffffff) << shift;
    write64(base, (read64(base) & ~written) | ((value & 0xffffffff) << shift), written);
}

void AmdviUnit::write64(uint32_t base, uint64_t v, uint64_t written) {
    switch (base) {
        case reg::DEV_TABLE_BASE: devtab_ = v & devtab::WRITABLE; return;
        case reg::CMD_BUF_BASE: cmd_base_ = v & ring::WRITABLE; return;
        case reg::EVT_LOG_BASE: evt_base_ = v & ring::WRITABLE; return;
        case reg::PPR_LOG_BASE: ppr_base_ = v & ring::WRITABLE; return;
        case reg::CONTROL: return write_control(v);
        case reg::EXCL_BASE: excl_base_ = v & (excl::ADDR | excl::EX_EN | excl::ALLOW); return;
        case reg::EXCL_LIMIT: excl_limit_ = v & excl::ADDR; return;
        // Head pointers belong to the reader: software for the event and PPR logs, the
        // IOMMU for the command buffer, which software sets only while it is stopped.
        // Tail pointers likewise, the other way round.
        case reg::CMD_HEAD:
            if (!(status_ & status::CMD_BUF_RUN)) cmd_head_ = v & ring::PTR;
            return;
        case reg::CMD_TAIL: cmd_tail_ = v & ring::PTR; return;  // the command processor lands here
        case reg::EVT_HEAD: evt_head_ = v & ring::PTR; return;
        case reg::EVT_TAIL:
            if (!(status_ & status::EVENT_LOG_RUN)) evt_tail_ = v & ring::PTR;
            return;
        case reg::PPR_HEAD: ppr_head_ = v & ring::PTR; return;
        case reg::PPR_TAIL:
            if (!(status_ & status::PPR_LOG_RUN)) ppr_tail_ = v & ring::PTR;
            return;
        case reg::STATUS: status_ &= ~(v & written & status::W1C); return;
        default: return;  // EXT_FEATURE is read-only; other offsets are not modelled
    }
}

// §3.4.4: a log or buffer runs while both it and the IOMMU are enabled; enabling it
// (again) starts it, which is how software restarts the event log after an overflow.
void AmdviUnit::write_control(uint64_t v) {
    const uint64_t before = ctrl_;
    ctrl_ = v;
    const auto follow = [&](uint64_t enable, uint64_t run) {
        const bool on = (v & enable) && (v & ctrl::IOMMU_EN);
        const bool was_on = (before & enable) && (before & ctrl::IOMMU_EN);
        if (!on) status_ &= ~run;
        else if (!was_on) status_ |= run;
    };
    follow(ctrl::EVENT_LOG_EN, status::EVENT_LOG_RUN);
    follow(ctrl::CMD_BUF_EN, status::CMD_BUF_RUN);
    follow(ctrl::PPR_LOG_EN, status::PPR_LOG_RUN);
}

}  // namespace amdvi
