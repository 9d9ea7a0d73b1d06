#include "models/vtd/legacy_walker.h"

#include <algorithm>

#include "models/sim/hot_path.h"
#include "models/vtd/regs.h"

namespace vtd {
namespace {

constexpr uint64_t kPresent = 1;                 // root and context entries: P, bit 0
constexpr uint64_t kSlRead = 1u << 0;            // second-level entry: R
constexpr uint64_t kSlWrite = 1u << 1;           // W
constexpr uint64_t kSlPageSize = 1u << 7;        // PS: a leaf at the PDPE or PDE level
constexpr uint64_t kSlSnoop = 1u << 11;          // SNP (leaf, with ECAP.SC)
constexpr uint64_t kSlTransientMapping = 1ull << 62;  // TM (leaf, with ECAP.DT)

uint64_t bits(unsigned hi, unsigned lo) { return ((~uint64_t(0)) >> (63 - hi)) & ~((uint64_t(1) << lo) - 1); }

}  // namespace

void LegacyWalker::start(const iommu::Request& r) {
    req_ = r;
    res_ = iommu::Result{};
    reads_ = 0;
    ctx_valid_ = from_table_ = false;
    npointers_ = 0;
    addr_ = root_ + uint64_t(r.sid >> 8) * 16;  // one 16-byte root entry per bus
    state_ = State::RootLo;
}

// The unit fills its context-cache (spec 6.2) only with entries context_hi() accepted,
// so only the checks that depend on the request run again.
void LegacyWalker::start_from_context(const iommu::Request& r, uint64_t lo, uint64_t hi) {
    start(r);
    lo_ = lo;
    res_.record = !(lo_ & 2);
    enter_context(hi);
}

void LegacyWalker::start_from_walk_cache(const iommu::Request& r, uint64_t lo, uint64_t hi,
                                         unsigned level, uint64_t table, bool read, bool write) {
    start_from_context(r, lo, hi);  // the context checks still apply (TT, AW, width)
    if (state_ != State::Table) return;
    res_.read = read;
    res_.write = write;
    level_ = level;
    next_table(table);
}

IOMMU_SIM_HOT_PATH void LegacyWalker::supply(uint64_t v, bool ok) {
    ++reads_;
    if (!ok) {  // the read itself failed (e.g. above installed memory)
        const bool root = state_ == State::RootLo || state_ == State::RootHi;
        const bool ctx = state_ == State::ContextLo || state_ == State::ContextHi;
        fail(root ? fault::ROOT_ACCESS : ctx ? fault::CONTEXT_ACCESS : fault::PAGING_ENTRY_ACCESS);
        return;
    }
    switch (state_) {
        case State::RootLo: return root_lo(v);
        case State::RootHi: return root_hi(v);
        case State::ContextLo: return context_lo(v);
        case State::ContextHi: return context_hi(v);
        case State::Table: return table(v);
        case State::Done: return;
    }
}

void LegacyWalker::fail(uint32_t reason) {
    res_.fault = true;
    res_.reason = reason;
    state_ = State::Done;
}

uint64_t LegacyWalker::addr_mask() const { return bits(caps_.haw - 1, 12); }

// Root entry (9.1): P bit 0, context-table pointer 63:12; bits 11:1, the pointer's
// bits at and above HAW, and the whole upper qword are reserved.
void LegacyWalker::root_lo(uint64_t v) {
    if (!(v & kPresent)) return fail(fault::ROOT_NOT_PRESENT);
    lo_ = v;
    addr_ += 8;
    state_ = State::RootHi;
}

void LegacyWalker::root_hi(uint64_t v) {
    if ((lo_ & (bits(11, 1) | bits(63, caps_.haw))) || v) return fail(fault::ROOT_RESERVED);
    addr_ = (lo_ & addr_mask()) + uint64_t(req_.sid & 0xff) * 16;
    state_ = State::ContextLo;
}

// Context entry (9.3), low qword: P 0, FPD 1, TT 3:2, SLPTPTR 63:12 (11:4 reserved).
void LegacyWalker::context_lo(uint64_t v) {
    if (!(v & kPresent)) return fail(fault::CONTEXT_NOT_PRESENT);
    lo_ = v;
    addr_ += 8;
    state_ = State::ContextHi;
}

// High qword: AW 2:0, ignored 6:3, reserved 7, DID 23:8, reserved 63:24.
void LegacyWalker::context_hi(uint64_t hi) {
    res_.record = !(lo_ & 2);  // FPD: faults from here on are not recorded
    const uint64_t did = (hi >> 8) & 0xffff;
    if ((lo_ & (bits(11, 4) | bits(63, caps_.haw))) || (hi & (bits(7, 7) | bits(63, 24))) ||
        (did >> caps_.domain_id_bits()))
        return fail(fault::CONTEXT_RESERVED);
    switch ((lo_ >> 2) & 3) {  // TT
        case 0: break;                                   // untranslated requests only
        case 1: if (!caps_.dt) return fail(fault::CONTEXT_INVALID); break;  // + device-TLB
        case 2: if (!caps_.pt) return fail(fault::CONTEXT_INVALID); break;
        default: return fail(fault::CONTEXT_INVALID);
    }
    enter_context(hi);
}

// An accepted context entry applied to this request: the TT rules for ATS, pass-through,
// or the second-level table's first read.
void LegacyWalker::enter_context(uint64_t hi) {
    hi_ = hi;
    ctx_valid_ = true;
    const unsigned tt = unsigned(lo_ >> 2) & 3;
    // ATS requests need TT=01 (device-TLB enabled, spec 9.3): a translated request then
    // passes at its own address, a translation request is walked like an untranslated
    // one. Otherwise both are blocked (reason 0xD), recorded unless FPD.
    if (req_.at != iommu::At::Untranslated && tt != 1) return fail(fault::BLOCKED_BY_TT);
    if (req_.at == iommu::At::Translated || tt == 2) return pass_through();
    if (begin_second_level(hi)) next_table(lo_ & addr_mask());
}

void LegacyWalker::pass_through() {
    res_.pa = req_.iova;
    res_.page_size = 4096;
    res_.read = res_.write = true;
    res_.snoop = !req_.no_snoop;
    state_ = State::Done;
}

// AW selects 3, 4 or 5 levels (39, 48 or 57 bits); it must be one SAGAW advertises,
// and the input address must fit min(MGAW, AGAW).
bool LegacyWalker::begin_second_level(uint64_t hi) {
    const unsigned aw = unsigned(hi & 7);
    const unsigned levels = aw + 2;
    if (aw < 1 || aw > 3 || !caps_.supports_levels(levels)) {
        fail(fault::CONTEXT_INVALID);
        return false;
    }
    const unsigned width = std::min(caps_.mgaw, 30 + 9 * aw);
    if (width < 64 && (req_.iova >> width)) {
        fail(fault::ADDRESS_BEYOND_AW);
        return false;
    }
    res_.read = res_.write = true;
    level_ = levels + 1;
    return true;
}

void LegacyWalker::next_table(uint64_t table_addr) {
    --level_;
    const unsigned shift = 12 + 9 * (level_ - 1);
    addr_ = table_addr + ((req_.iova >> shift) & 0x1ff) * 8;
    state_ = State::Table;
}

// Reserved bits of a present second-level entry (9.8), by level.
uint64_t LegacyWalker::reserved_bits(uint64_t v, unsigned level, bool large) const {
    uint64_t rsvd = bits(51, caps_.haw);  // address bits the host cannot have
    const bool is_leaf = level == 1 || large;
    if (level >= 4) rsvd |= kSlPageSize;  // no large pages at PML4E/PML5E
    if (large && level == 3) rsvd |= bits(29, 12) | (caps_.sllps & 2 ? 0 : kSlPageSize);
    if (large && level == 2) rsvd |= bits(20, 12) | (caps_.sllps & 1 ? 0 : kSlPageSize);
    if (is_leaf && !caps_.sc) rsvd |= kSlSnoop;
    if (is_leaf && !caps_.dt) rsvd |= kSlTransientMapping;
    return v & rsvd;
}

void LegacyWalker::table(uint64_t v) {
    const bool present = v & (kSlRead | kSlWrite);
    const bool large = level_ <= 3 && level_ >= 2 && (v & kSlPageSize);
    if (present && reserved_bits(v, level_, large)) return fail(fault::PAGING_ENTRY_RESERVED);
    // Permissions combine over every level; an entry with R=W=0 is not present and
    // fails the access as a permission fault. A translation request asks what the
    // tables grant: only a not-present entry stops it (spec 4.2.3).
    res_.read = res_.read && (v & kSlRead);
    res_.write = res_.write && (v & kSlWrite);
    if (!present) return fail(req_.write ? fault::WRITE : fault::READ);
    if (req_.at != iommu::At::TranslationRequest) {
        if (req_.write && !res_.write) return fail(fault::WRITE);
        if (req_.read && !res_.read) return fail(fault::READ);
    }
    if (level_ == 1 || large) return leaf(v, uint64_t(4096) << (9 * (level_ - 1)));
    if (npointers_ < 4) pointers_[npointers_++] = {level_, v & addr_mask(), res_.read, res_.write};
    next_table(v & addr_mask());
}

void LegacyWalker::leaf(uint64_t v, uint64_t page_size) {
    from_table_ = true;
    res_.page_size = page_size;
    res_.pa = (v & addr_mask() & ~(page_size - 1)) | (req_.iova & (page_size - 1));
    // Snoop control: SNP forces a snooped access whatever the request's No Snoop.
    res_.force_snoop = caps_.sc && (v & kSlSnoop);
    res_.snoop = res_.force_snoop || !req_.no_snoop;
    state_ = State::Done;
}

}  // namespace vtd
