#include "models/amdvi/guest_walk.h"

#include <algorithm>

#include "models/amdvi/bits.h"

namespace amdvi {
namespace {

// GCR3 table entry: valid 0, pointer 51:12 (Linux GCR3_VALID, PAGE_MASK).
constexpr uint64_t kGcr3Valid = 1;
// x86 long-mode entry bits (AMD64 APM vol. 2 §5.3.3-5.3.5; Linux IOMMU_PAGE_*).
constexpr uint64_t kP = 1, kRw = 1 << 1, kUs = 1 << 2, kA = 1 << 5, kD = 1 << 6, kPs = 1 << 7;
constexpr uint64_t kNx = uint64_t(1) << 63;
constexpr uint64_t kAddr = mask(51, 12);

// The input bits guest level L indexes start at 12 + 9(L-1), as host levels do.
uint64_t index_of(uint64_t gva, unsigned level) { return (gva >> level_shift(level)) & 0x1ff; }

}  // namespace

void GuestWalk::start(const GuestWalkConfig& c, uint64_t gva, const GuestAccess& access) {
    *this = GuestWalk{};
    c_ = c;
    a_ = access;
    gva_ = gva;
    // The GCR3 table reaches PASID bits 9(GLX+1)-1:0; a larger PASID has no entry.
    const unsigned pasid_bits = 9 * (c.glx + 1);
    if (pasid_bits < 32 && (c.pasid >> pasid_bits) != 0) return page_fault(false);
    // A canonical address: the bits above the top level sign-extend its top bit.
    const unsigned width = level_shift(c.levels + 1);
    const int64_t sign = int64_t(gva << (64 - width)) >> (64 - width);
    if (uint64_t(sign) != gva) return page_fault(false);
    gcr3_level_ = c.glx;
    addr_ = (c.gcr3_table & kAddr) + 8 * ((c.pasid >> (9 * gcr3_level_)) & 0x1ff);
    stage_ = Stage::Gcr3;
}

uint64_t GuestWalk::read_address() const {
    return stage_ == Stage::HostTable || stage_ == Stage::HostFinal ? host_.read_address() : addr_;
}

bool GuestWalk::write_pending() const {
    if (stage_ == Stage::HostTable || stage_ == Stage::HostFinal) return host_.write_pending();
    return stage_ == Stage::Write;
}

uint64_t GuestWalk::write_value() const {
    return stage_ == Stage::HostTable || stage_ == Stage::HostFinal ? host_.write_value() : update_;
}

void GuestWalk::supply(uint64_t qword, bool ok) {
    switch (stage_) {
        case Stage::HostTable:
        case Stage::HostFinal: return host_supply(qword, ok);
        case Stage::Done: return;
        default: break;
    }
    if (!ok) return hardware_error(addr_);
    if (stage_ == Stage::Write) {
        ++writes_;
        return after_write();
    }
    ++reads_;
    if (stage_ == Stage::Gcr3) return gcr3_entry(qword);
    entry(qword);
}

void GuestWalk::gcr3_entry(uint64_t e) {
    if (!(e & kGcr3Valid)) return page_fault(false);
    if (gcr3_level_ == 0) {  // the guest CR3
        level_ = c_.levels;
        return table(e & kAddr);
    }
    --gcr3_level_;
    addr_ = (e & kAddr) + 8 * ((c_.pasid >> (9 * gcr3_level_)) & 0x1ff);
}

// The guest table at `gpa`, for level_: translated first when nested.
void GuestWalk::table(uint64_t gpa) {
    if (!c_.nested) return read_entry(gpa);
    HostWalkConfig h = c_.host;
    h.ir = h.iw = true;  // the DTE's IR/IW are the device's, not the walker's
    host_input_ = gpa;
    stage_ = Stage::HostTable;
    host_.start(h, gpa, true, false);
    if (host_.done()) host_finished();
}

void GuestWalk::read_entry(uint64_t spa) {
    addr_ = (spa & kAddr) + 8 * index_of(gva_, level_);
    stage_ = Stage::Entry;
}

void GuestWalk::entry(uint64_t e) {
    if (!(e & kP)) return page_fault(false);
    const bool leaf_entry = level_ == 1 || ((level_ == 2 || level_ == 3) && (e & kPs));
    if (reserved(e, leaf_entry)) return page_fault(true, false, true);
    rw_ = rw_ && (e & kRw);
    us_ = us_ && (e & kUs);
    nx_ = nx_ || (e & kNx);
    if (denied()) return page_fault(true, true);
    if (leaf_entry) return leaf(e);
    next_gpa_ = e & kAddr;
    next_is_final_ = false;
    --level_;
    if (!(e & kA)) {
        update_ = e | kA;
        stage_ = Stage::Write;  // addr_ still names the entry
        return;
    }
    table(next_gpa_);
}

// PS must be 0 in PML5E/PML4E; a large leaf's address bits below its size, above the
// PAT bit (12), must be 0 (APM §5.3.4 "2-Mbyte PDE", §5.3.5 "1-Gbyte PDPE").
bool GuestWalk::reserved(uint64_t e, bool leaf_entry) const {
    if (level_ >= 4) return e & kPs;
    if (!leaf_entry || level_ == 1) return false;
    return e & mask(level_shift(level_) - 1, 13);
}

bool GuestWalk::denied() const {
    return (a_.write && !rw_) || (a_.user && c_.us_sup && !us_) || (a_.exec && c_.nx_sup && nx_);
}

void GuestWalk::leaf(uint64_t e) {
    size_log2_ = level_shift(level_);
    const uint64_t size = uint64_t(1) << size_log2_;
    const uint64_t gpa = (e & kAddr & ~(size - 1)) | (gva_ & (size - 1));
    const bool set_d = a_.write && !(e & kD);
    dirty_ = (e & kD) || a_.write;
    next_gpa_ = gpa;
    next_is_final_ = true;
    if (!(e & kA) || set_d) {
        update_ = e | kA | (set_d ? kD : 0);
        stage_ = Stage::Write;
        return;
    }
    final_address(gpa);
}

void GuestWalk::after_write() {
    if (next_is_final_) return final_address(next_gpa_);
    table(next_gpa_);
}

void GuestWalk::final_address(uint64_t gpa) {
    if (!c_.nested) {
        out_ = gpa;
        stage_ = Stage::Done;
        return;
    }
    host_input_ = gpa;
    stage_ = Stage::HostFinal;
    host_.start(c_.host, gpa, a_.read, a_.write);
    if (host_.done()) host_finished();
}

void GuestWalk::host_supply(uint64_t qword, bool ok) {
    host_.supply(qword, ok);
    if (host_.done()) host_finished();
}

void GuestWalk::host_finished() {
    reads_ += host_.reads();
    writes_ += host_.writes();
    if (!host_.ok()) {
        static_cast<HostFault&>(fault_) = host_.fault();
        fault_.host = true;
        fault_.gpa = host_input_;
        stage_ = Stage::Done;
        return;
    }
    if (stage_ == Stage::HostTable) return read_entry(host_.output());
    out_ = host_.output();
    size_log2_ = std::min(size_log2_, host_.size_log2());
    host_ir_ = host_.ir();
    host_iw_ = host_.iw();
    fc_ = host_.fc();
    stage_ = Stage::Done;
}

void GuestWalk::page_fault(bool present, bool permission, bool reserved) {
    static_cast<HostFault&>(fault_) = HostFault::page(present, permission, reserved);
    stage_ = Stage::Done;
}

void GuestWalk::hardware_error(uint64_t at) {
    fault_.kind = HostFault::Kind::HardwareError;
    fault_.fetch = at;
    stage_ = Stage::Done;
}

}  // namespace amdvi
