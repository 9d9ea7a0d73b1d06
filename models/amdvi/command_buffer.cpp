#include "models/amdvi/command_buffer.h"

namespace amdvi {
namespace {

// ILLEGAL_COMMAND_ERROR (§2.5 event formats): the physical address of the command.
Event illegal_command_error(uint64_t pa) {
    Event e;
    e.code = event::ILLEGAL_COMMAND_ERROR;
    e.address = pa;
    return e;
}
// COMMAND_HARDWARE_ERROR (§2.5 event formats): Type and the physical address the IOMMU tried to
// access. A HostMemory access that fails found nothing at the address: a master abort.
Event command_hardware_error(uint64_t pa) {
    Event e = illegal_command_error(pa);
    e.code = event::COMMAND_HARDWARE_ERROR;
    e.type = hw_error::MASTER_ABORT;
    return e;
}

// What executing a command costs (command_cost.h), by what it does.
iommu::CommandKind kind(CommandOp op) {
    switch (op) {
        case CommandOp::INVALIDATE_DEVTAB_ENTRY:
        case CommandOp::INVALIDATE_INTERRUPT_TABLE: return iommu::CommandKind::Config;
        case CommandOp::INVALIDATE_IOMMU_PAGES:
        case CommandOp::INVALIDATE_IOMMU_ALL: return iommu::CommandKind::Tlb;
        case CommandOp::INVALIDATE_IOTLB_PAGES: return iommu::CommandKind::AtcInv;
        case CommandOp::COMPLETION_WAIT: return iommu::CommandKind::Sync;
        default: return iommu::CommandKind::Other;
    }
}

// INVALIDATE_IOTLB_PAGES as the PCIe Invalidate Request the IOMMU sends: the S-encoded
// range is a power of two aligned to its size, as the request needs; GN = 1 carries
// the PASID. The command has no Global bit.
iommu::AtsInvalidation ats_invalidation(const Command& c) {
    iommu::AtsInvalidation inv;
    inv.sid = c.devid;
    inv.pasid_valid = c.gn;
    inv.pasid = c.gn ? c.pasid : 0;
    const PageRange r = page_range(c.addr, c.size);
    if (!r.all()) {
        inv.addr = r.first;
        inv.size = r.last - r.first + 1;
    }
    return inv;
}

// COMPLETE_PPR_REQUEST as a PRG Response Message: the PASID with GN = 1 (Linux sets GN
// when the request it answers had one); the response code from the Completion Tag, the
// reserved codes taken as Response Failure.
iommu::PageResponse page_response(const Command& c) {
    iommu::PageResponse r;
    r.sid = c.devid;
    r.pasid_valid = c.gn;
    r.pasid = c.gn ? c.pasid : 0;
    r.prg_index = c.prg_index();
    switch (c.response_code()) {
        case 0x0: r.code = iommu::PrgResponse::Success; break;
        case 0x1: r.code = iommu::PrgResponse::InvalidRequest; break;
        default: r.code = iommu::PrgResponse::ResponseFailure; break;
    }
    return r;
}

}  // namespace

CommandBuffer::Result CommandBuffer::process(uint64_t tail_value) {
    Result res;
    const uint32_t tail = ring_.offset(tail_value);
    for (uint32_t n = 0; running_ && head_ != tail && n < ring_.entries; ++n) {
        const uint64_t at = ring_.address(head_);
        CommandWords dw{};
        clock_.fetch(CircularBuffer::kEntryBytes);
        if (!fetch(head_, dw)) {
            halt(command_hardware_error(at));
            res.stop = Stop::HardwareError;
            return res;
        }
        const auto cmd = decode_command(dw);
        if (!cmd || !command_supported(*cmd, features_)) {
            halt(illegal_command_error(at));
            res.stop = Stop::IllegalCommand;
            return res;
        }
        if (!execute(*cmd)) {
            halt(command_hardware_error(cmd->store_addr));
            res.stop = Stop::HardwareError;
            return res;
        }
        clock_.execute(kind(cmd->op));
        head_ = ring_.next(head_);
        ++res.executed;
    }
    return res;
}

bool CommandBuffer::fetch(uint32_t offset, CommandWords& dw) {
    uint64_t lo = 0, hi = 0;
    const uint64_t at = ring_.address(offset);
    if (!mem_.read_u64(at, lo) || !mem_.read_u64(at + 8, hi)) return false;
    dw = {uint32_t(lo), uint32_t(lo >> 32), uint32_t(hi), uint32_t(hi >> 32)};
    return true;
}

bool CommandBuffer::execute(const Command& c) {
    switch (c.op) {
        case CommandOp::COMPLETION_WAIT: return complete_wait(c);
        case CommandOp::INVALIDATE_DEVTAB_ENTRY: unit_.invalidate_dte(c.devid); break;
        case CommandOp::INVALIDATE_IOMMU_PAGES: {
            const PageRange r = page_range(c.addr, c.size);
            unit_.invalidate_pages(c.domain, c.pasid, r.first, r.last, c.pde, c.gn);
            break;
        }
        case CommandOp::INVALIDATE_IOTLB_PAGES: unit_.invalidate_iotlb(ats_invalidation(c)); break;
        case CommandOp::INVALIDATE_INTERRUPT_TABLE: unit_.invalidate_interrupt_table(c.devid); break;
        case CommandOp::PREFETCH_IOMMU_PAGES: break;  // a hint the IOMMU may ignore
        case CommandOp::COMPLETE_PPR_REQUEST: unit_.complete_ppr(page_response(c)); break;
        case CommandOp::INVALIDATE_IOMMU_ALL: unit_.invalidate_all(); break;
    }
    return true;
}

// The store comes before the interrupt, so that software woken by ComWaitInt finds it.
bool CommandBuffer::complete_wait(const Command& c) {
    if (c.store && !mem_.write_u64(c.store_addr, c.store_data)) return false;
    if (c.interrupt) {
        com_wait_int_ = true;
        unit_.completion_wait_interrupt();
    }
    return true;
}

void CommandBuffer::halt(const Event& e) {
    unit_.log_event(e);
    running_ = false;
}

}  // namespace amdvi
