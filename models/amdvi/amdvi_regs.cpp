// The AMD-Vi register page (§3.4): 64-bit registers at their architectural offsets,
// reached with 4- or 8-byte accesses.
#include <map>

#include "models/amdvi/amdvi_unit.h"

namespace amdvi {

namespace {
const std::map<std::string, uint32_t>& registers() {
    static const std::map<std::string, uint32_t> regs = {
        {"DEV_TABLE_BASE", reg::DEV_TABLE_BASE}, {"CMD_BUF_BASE", reg::CMD_BUF_BASE},
        {"EVT_LOG_BASE", reg::EVT_LOG_BASE},     {"CONTROL", reg::CONTROL},
        {"EXCL_BASE", reg::EXCL_BASE},           {"EXCL_LIMIT", reg::EXCL_LIMIT},
        {"EXT_FEATURE", reg::EXT_FEATURE},       {"PPR_LOG_BASE", reg::PPR_LOG_BASE},
        {"CMD_HEAD", reg::CMD_HEAD},             {"CMD_TAIL", reg::CMD_TAIL},
        {"EVT_HEAD", reg::EVT_HEAD},             {"EVT_TAIL", reg::EVT_TAIL},
        {"STATUS", reg::STATUS},                 {"PPR_HEAD", reg::PPR_HEAD},
        {"PPR_TAIL", reg::PPR_TAIL}};
    return regs;
}
}  // namespace

std::optional<uint32_t> AmdviUnit::offset_of(const std::string& name) {
    if (auto it = registers().find(name); it != registers().end()) return it->second;
    return std::nullopt;
}

std::vector<std::string> AmdviUnit::register_names() {
    std::vector<std::string> names;
    for (const auto& r : registers()) names.push_back(r.first);
    return names;
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
        case reg::CMD_HEAD: return cmdbuf_.head();
        case reg::CMD_TAIL: return cmd_tail_;
        case reg::EVT_HEAD: return evt_head_;
        case reg::EVT_TAIL: return evt_tail_;
        case reg::STATUS: return status_ | cmdbuf_.status_bits() | ppr_log_.status_bits();
        case reg::PPR_HEAD: return ppr_log_.head();
        case reg::PPR_TAIL: return ppr_log_.tail();
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
        case reg::CMD_BUF_BASE:
            cmd_base_ = v & ring::WRITABLE;
            return cmdbuf_.configure(cmd_base_ & ring::ADDR, unsigned(ring::LEN.get(cmd_base_)));
        case reg::EVT_LOG_BASE: evt_base_ = v & ring::WRITABLE; return;
        case reg::PPR_LOG_BASE:
            ppr_base_ = v & ring::WRITABLE;
            return ppr_log_.configure(ppr_base_ & ring::ADDR, unsigned(ring::LEN.get(ppr_base_)));
        case reg::CONTROL: return write_control(v);
        case reg::EXCL_BASE: excl_base_ = v & (excl::ADDR | excl::EX_EN | excl::ALLOW); return;
        case reg::EXCL_LIMIT: excl_limit_ = v & excl::ADDR; return;
        // Head pointers belong to the reader: software for the event and PPR logs, the
        // IOMMU for the command buffer, which software sets only while it is stopped.
        // Tail pointers likewise, the other way round.
        case reg::CMD_HEAD:
            if (!cmdbuf_.running()) cmdbuf_.set_head(v & ring::PTR);
            return;
        case reg::CMD_TAIL:
            cmd_tail_ = v & ring::PTR;
            return ring_cmd_doorbell();
        case reg::EVT_HEAD: evt_head_ = v & ring::PTR; return;
        case reg::EVT_TAIL:
            if (!(status_ & status::EVENT_LOG_RUN)) evt_tail_ = v & ring::PTR;
            return;
        case reg::PPR_HEAD: ppr_log_.set_head(v & ring::PTR); return;
        case reg::PPR_TAIL:
            if (!(ppr_log_.status_bits() & status::PPR_LOG_RUN)) ppr_log_.set_tail(v & ring::PTR);
            return;
        case reg::STATUS: return write_status(v & written & status::W1C);
        default: return;  // EXT_FEATURE is read-only; other offsets are not modelled
    }
}

// §3.4.4: a log or buffer runs while both it and the IOMMU are enabled; enabling it
// (again) starts it, which is how software restarts the event log after an overflow,
// the PPR log likewise, and the command buffer after an illegal command. The command
// buffer starts at the head software left and runs to the tail it already wrote.
void AmdviUnit::write_control(uint64_t v) {
    const uint64_t before = ctrl_;
    ctrl_ = v;
    const auto follow = [&](uint64_t enable, const auto& start, const auto& stop) {
        const bool on = (v & enable) && (v & ctrl::IOMMU_EN);
        const bool was_on = (before & enable) && (before & ctrl::IOMMU_EN);
        if (!on) stop();
        else if (!was_on) start();
    };
    follow(ctrl::EVENT_LOG_EN, [&] { status_ |= status::EVENT_LOG_RUN; }, [&] { status_ &= ~status::EVENT_LOG_RUN; });
    follow(ctrl::PPR_LOG_EN, [&] { ppr_log_.start(); }, [&] { ppr_log_.stop(); });
    follow(ctrl::CMD_BUF_EN, [&] { cmdbuf_.start(), ring_cmd_doorbell(); }, [&] { cmdbuf_.stop(); });
}

// The W1C bits: the event log's here, ComWaitInt in the command buffer, the PPR bits
// in the PPR log (each keeps the bits it sets).
void AmdviUnit::write_status(uint64_t w1c) {
    status_ &= ~w1c;
    cmdbuf_.clear_status(uint32_t(w1c));
    ppr_log_.clear_status(uint32_t(w1c));
}

// The CMD_TAIL doorbell: while CmdBufRun, execute from the head up to the tail.
void AmdviUnit::ring_cmd_doorbell() {
    if (cmdbuf_.running()) commands_ += cmdbuf_.process(cmd_tail_).executed;
}

static_assert(CommandBuffer::kCmdBufRun == status::CMD_BUF_RUN && CommandBuffer::kComWaitInt == status::COM_WAIT_INT,
              "the command buffer's STATUS bits");
static_assert(PprLog::kPprLogRun == status::PPR_LOG_RUN && PprLog::kPprInt == status::PPR_INT &&
                  PprLog::kPprOverflow == status::PPR_OVERFLOW,
              "the PPR log's STATUS bits");

}  // namespace amdvi
