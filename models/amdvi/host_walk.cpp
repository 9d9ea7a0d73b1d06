#include "models/amdvi/host_walk.h"

#include "models/amdvi/bits.h"
#include "models/sim/hot_path.h"

namespace amdvi {
namespace {

constexpr uint64_t kPresent = 1;             // PR
constexpr uint64_t kAccessed = uint64_t(1) << 5;  // A
constexpr uint64_t kDirty = uint64_t(1) << 6;     // D (leaves)
constexpr uint64_t kAddr = mask(51, 12);
// Reserved: 58:52 in a PTE (59 is U, 60 FC), 60:52 in a PDE (§2.2.3 Figures "I/O Page
// Table Entry" / "I/O Page Directory Entry").
constexpr uint64_t kReservedPte = mask(58, 52);
constexpr uint64_t kReservedPde = mask(60, 52);

unsigned ffz(uint64_t v) {
    unsigned n = 0;
    while (n < 64 && ((v >> n) & 1)) ++n;
    return n;
}

}  // namespace

void HostWalk::begin(const HostWalkConfig& c, uint64_t input, bool read, bool write) {
    *this = HostWalk{};
    c_ = c;
    input_ = input;
    read_ = read || !write;  // an access that names neither needs read
    write_ = write;
}

void HostWalk::start(const HostWalkConfig& c, uint64_t input, bool read, bool write) {
    begin(c, input, read, write);
    // §2.2.3: Mode levels translate 12 + 9 * Mode input bits; above them, a fault.
    if (c.mode < kMaxLevels && (input >> level_shift(c.mode + 1)) != 0) return page_fault(false);
    if (!allowed()) return page_fault(true, true);  // the DTE denies it
    read_table(c.mode, c.root);
}

void HostWalk::resume(const HostWalkConfig& c, uint64_t input, bool read, bool write, const PdeStep& cached) {
    begin(c, input, read, write);
    if (c.mode < kMaxLevels && (input >> level_shift(c.mode + 1)) != 0) return page_fault(false);
    if (!allowed()) return page_fault(true, true);
    tab_ir_ = cached.ir;
    tab_iw_ = cached.iw;
    level_ = cached.level;
    entry(cached.pde, true);
}

bool HostWalk::allowed() const {
    return (!read_ || (c_.ir && tab_ir_)) && (!write_ || (c_.iw && tab_iw_));
}

void HostWalk::read_table(unsigned level, uint64_t table) {
    level_ = level;
    addr_ = (table & kAddr) + 8 * ((input_ >> level_shift(level)) & 0x1ff);
    state_ = State::Read;
}

IOMMU_SIM_HOT_PATH void HostWalk::supply(uint64_t qword, bool ok) {
    if (state_ == State::Done) return;
    if (!ok) {
        fault_.kind = HostFault::Kind::HardwareError;
        fault_.fetch = addr_;
        state_ = State::Done;
        return;
    }
    if (state_ == State::Write) {
        ++writes_;
        if (next_level_) return read_table(next_level_, next_table_);
        state_ = State::Done;
        return;
    }
    ++reads_;
    entry(qword, false);
}

// One entry at level_: present, reserved bits, permissions, then a leaf or a
// directory. `cached`: it came from the PDE cache (not read, not recorded again).
void HostWalk::entry(uint64_t e, bool cached) {
    if (!(e & kPresent)) return page_fault(false);
    const unsigned next = unsigned(bits(e, 11, 9));
    const bool is_leaf = next == 0 || next == 7;
    if (e & (is_leaf ? kReservedPte : kReservedPde)) return page_fault(true, false, true);
    const PdeStep above{level_, e, tab_ir_, tab_iw_};
    tab_ir_ = tab_ir_ && bit(e, 61);
    tab_iw_ = tab_iw_ && bit(e, 62);
    if (!allowed()) return page_fault(true, true);
    if (!is_leaf) return directory(above, next, cached);
    unsigned log2 = 0;
    if (!leaf_size(e, next, log2)) return page_fault(true);  // invalid level encoding
    leaf(e, log2);
}

// NextLevel 0: the level's default size; 7: the size the address encodes, which must
// lie strictly between this level's default and the next level's. No leaf at level 6.
bool HostWalk::leaf_size(uint64_t e, unsigned next, unsigned& log2) const {
    if (level_ >= kMaxLevels) return false;
    if (next == 0) {
        log2 = level_shift(level_);
        return true;
    }
    log2 = 1 + ffz(e | 0xfff);
    return log2 > level_shift(level_) && log2 < level_shift(level_ + 1);
}

void HostWalk::directory(const PdeStep& step, unsigned next, bool cached) {
    const uint64_t e = step.pde;
    if (next >= level_) return page_fault(true);  // NextLevel must go down
    // Skipped levels (next < level - 1): the input bits they would index must be 0.
    if (next + 1 < level_ && bits(input_, level_shift(level_) - 1, level_shift(next + 1)) != 0)
        return page_fault(true);
    if (!cached && npde_ < kMaxLevels) {
        pdes_[npde_] = step;
        pdes_[npde_++].pde = e | (c_.update_a ? kAccessed : 0);
    }
    if (!cached && c_.update_a && !(e & kAccessed)) {
        next_table_ = e & kAddr;
        next_level_ = next;
        return write_back(e | kAccessed);
    }
    read_table(next, e & kAddr);
}

void HostWalk::leaf(uint64_t e, unsigned log2) {
    size_log2_ = log2;
    const uint64_t size = uint64_t(1) << log2;
    out_ = ((e & kAddr) & ~(size - 1)) | (input_ & (size - 1));
    fc_ = bit(e, 60);
    u_ = bit(e, 59);
    const bool dirty = c_.update_d && write_ && !(e & kDirty);
    if (c_.update_a && (!(e & kAccessed) || dirty)) {
        next_level_ = 0;
        return write_back(e | kAccessed | (dirty ? kDirty : 0));
    }
    state_ = State::Done;
}

void HostWalk::write_back(uint64_t e) {
    update_ = e;
    state_ = State::Write;  // addr_ still names the entry
}

void HostWalk::page_fault(bool present, bool permission, bool reserved) {
    fault_ = HostFault::page(present, permission, reserved);
    state_ = State::Done;
}

}  // namespace amdvi
