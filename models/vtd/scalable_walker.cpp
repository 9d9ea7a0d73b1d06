#include "models/vtd/scalable_walker.h"

#include <algorithm>

#include "models/vtd/first_level.h"

namespace vtd {
namespace {

using fl::bit_range;

constexpr uint64_t kPresent = uint64_t(1) << 0;  // root, context, directory, PASID entry
constexpr uint64_t kFpd = uint64_t(1) << 1;      // context, directory, PASID entry

// Scalable-mode context entry (9.5). Low qword: P 0, FPD 1, DTE 2, PASIDE 3, PRE 4,
// reserved 8:5, PDTS 11:9, PASID-directory pointer 63:12. High qword: RID_PASID 19:0,
// RID_PRIV 20, reserved 63:21. Qwords 2 and 3 are reserved.
constexpr uint64_t kCtxDte = uint64_t(1) << 2;
constexpr uint64_t kCtxPaside = uint64_t(1) << 3;
constexpr unsigned kCtxPdtsShift = 9;
constexpr uint64_t kCtxRidPriv = uint64_t(1) << 20;

// PASID table entry (9.6). Qword 0: AW 4:2, SLEE 5, PGTT 8:6, SSADE 9, reserved 11:10,
// SLPTPTR 63:12. Qword 1: DID 15:0, reserved 22:16, PWSNP 23, PGSNP 24, memory-type
// fields 63:25. Qword 2: SRE 0, ERE 1, FLPM 3:2, WPE 4, NXE 5, SMEP 6, EAFE 7,
// reserved 11:8, FLPTPTR 63:12.
constexpr unsigned kPteAwShift = 2;
constexpr unsigned kPtePgttShift = 6;
constexpr uint64_t kPteSsade = uint64_t(1) << 9;
constexpr uint64_t kPtePgsnp = uint64_t(1) << 24;
constexpr uint64_t kPteSre = uint64_t(1) << 0;
constexpr uint64_t kPteEre = uint64_t(1) << 1;
constexpr unsigned kPteFlpmShift = 2;
constexpr uint64_t kPteWpe = uint64_t(1) << 4;
constexpr uint64_t kPteNxe = uint64_t(1) << 5;
constexpr uint64_t kPteSmep = uint64_t(1) << 6;

enum Pgtt : unsigned { kFirstLevel = 1, kSecondLevel = 2, kNested = 3, kPassThrough = 4 };

// Second-level paging entry (9.8): R 0, W 1, PS 7, A 8 and D 9 (set by hardware under
// SSADE), SNP 11 (with ECAP.SC), TM 62 (with ECAP.DT); X 2 is not modelled.
constexpr uint64_t kSlRead = uint64_t(1) << 0;
constexpr uint64_t kSlWrite = uint64_t(1) << 1;
constexpr uint64_t kSlPageSize = uint64_t(1) << 7;
constexpr uint64_t kSlAccessed = uint64_t(1) << 8;
constexpr uint64_t kSlDirty = uint64_t(1) << 9;
constexpr uint64_t kSlSnoop = uint64_t(1) << 11;
constexpr uint64_t kSlTransientMapping = uint64_t(1) << 62;

uint64_t field(uint64_t v, unsigned lo, unsigned n) { return (v >> lo) & ((uint64_t(1) << n) - 1); }

// The 9-bit table index of `addr` at paging level `level` (1 = leaf table).
uint64_t table_index(uint64_t addr, unsigned level) { return (addr >> (12 + 9 * (level - 1))) & 0x1ff; }

uint64_t level_size(unsigned level) { return uint64_t(4096) << (9 * (level - 1)); }

// FPD suppresses only "qualified" faults (7.1.3): errors reading the root, context,
// directory or PASID table, and root-entry faults, are always reported (QEMU
// vtd_qualified_faults[] marks the same conditions as not qualified).
bool qualified(uint32_t reason) {
    using namespace sm_fault;
    return reason >= SCT_NOT_PRESENT && reason != SPD_ACCESS && reason != SPT_ACCESS;
}

}  // namespace

void ScalableWalker::start(const iommu::Request& r) {
    req_ = r;
    res_ = iommu::Result{};
    reads_ = writes_ = 0;
    fpd_ = ctx_ok_ = pte_ok_ = dir_fpd_ = false;
    state_ = State::Root;
    // Scalable mode exists only with ECAP.SMTS (RTADDR.TTM=01 is then invalid).
    if (!caps_.smts) return fail(sm_fault::RTA_INVALID);
    // 16-byte root entry per bus: the lower half serves devfn 0-127, the upper 128-255.
    addr_ = root_ + uint64_t(r.sid >> 8) * 16 + ((r.sid & 0x80) ? 8 : 0);
}

void ScalableWalker::supply(uint64_t v, bool ok) {
    if (state_ == State::Done) return;
    if (state_ == State::SlUpdate) {  // the A/D write-back finished
        ++writes_;
        if (!ok) return fail(sm_fault::SSL_ACCESS);
        return sl_next(update_);
    }
    ++reads_;
    if (!ok) return fail(access_fault());
    switch (state_) {
        case State::Root: return root(v);
        case State::ContextLo: return context_lo(v);
        case State::ContextHi: return context_hi(v);
        case State::PasidDir: return pasid_dir(v);
        case State::PasidEntry: return pasid_entry(v);
        case State::FirstLevel: return first_level(v);
        case State::SecondLevel: return second_level(v);
        case State::SlUpdate:
        case State::Done: return;
    }
}

// Cached entries passed their own checks when they were read; the request-specific
// checks (PASID selection, SRE/ERE) run again for this request.
void ScalableWalker::start_from_context(const iommu::Request& r, uint64_t ctx_lo, uint64_t ctx_hi) {
    start(r);
    if (done()) return;
    context_lo(ctx_lo);
    if (!done()) context_hi(ctx_hi);
}

void ScalableWalker::start_from_pasid_entry(const iommu::Request& r, uint64_t ctx_lo,
                                            uint64_t ctx_hi, const uint64_t (&pte)[3],
                                            bool dir_fpd) {
    start(r);
    if (done()) return;
    context_lo(ctx_lo);
    if (done()) return;
    ctx_hi_ = ctx_hi;
    ctx_ok_ = true;
    if (!select_pasid(ctx_hi)) return;
    dir_fpd_ = dir_fpd;
    fpd_ = fpd_ || dir_fpd || (pte[0] & kFpd);
    for (unsigned i = 0; i < 3; ++i) pte_[i] = pte[i];
    begin_translation();
}

bool ScalableWalker::ad_enabled() const { return caps_.ssads && (pte_[0] & kPteSsade); }

// A failed read reports the "error attempting to access" condition of the structure
// being read; for paging structures the top-level table has its own code (SFL.4, SSL.4:
// the pointer in the PASID entry is bad).
uint32_t ScalableWalker::access_fault() const {
    using namespace sm_fault;
    switch (state_) {
        case State::Root: return SRT_ACCESS;
        case State::ContextLo:
        case State::ContextHi: return SCT_ACCESS;
        case State::PasidDir: return SPD_ACCESS;
        case State::PasidEntry: return SPT_ACCESS;
        case State::FirstLevel: return fl_level_ == fl_levels_ ? SFL_TOP_ACCESS : SFL_ACCESS;
        case State::SecondLevel: return sl_level_ == sl_levels_ ? SSL_TOP_ACCESS : SSL_ACCESS;
        case State::SlUpdate:
        case State::Done: break;
    }
    return SRT_ACCESS;
}

void ScalableWalker::fail(uint32_t reason) {
    res_.fault = true;
    res_.reason = reason;
    res_.record = !(fpd_ && qualified(reason));
    state_ = State::Done;
}

uint64_t ScalableWalker::addr_mask() const { return bit_range(caps_.haw - 1, 12); }

unsigned ScalableWalker::pgtt() const { return unsigned(field(pte_[0], kPtePgttShift, 3)); }

// ---------------------------------------------------------------- context

// Scalable-mode root entry half (9.4): P 0, reserved 11:1, context-table pointer 63:12
// (bits at and above HAW reserved). Scalable context entries are 32 bytes, so each
// half's table holds 128 of them, indexed by devfn % 128.
void ScalableWalker::root(uint64_t v) {
    if (!(v & kPresent)) return fail(sm_fault::SRT_NOT_PRESENT);
    if (v & (bit_range(11, 1) | bit_range(63, caps_.haw))) return fail(sm_fault::SRT_RESERVED);
    addr_ = (v & addr_mask()) + uint64_t(req_.sid & 0x7f) * 32;
    state_ = State::ContextLo;
}

// FPD is evaluated whether or not P is set (9.5), so a not-present entry can silence
// its own fault.
void ScalableWalker::context_lo(uint64_t v) {
    fpd_ = v & kFpd;
    if (!(v & kPresent)) return fail(sm_fault::SCT_NOT_PRESENT);
    ctx_lo_ = v;
    addr_ += 8;
    state_ = State::ContextHi;
}

void ScalableWalker::context_hi(uint64_t hi) {
    if ((ctx_lo_ & (bit_range(8, 5) | bit_range(63, caps_.haw))) || (hi & bit_range(63, 21)))
        return fail(sm_fault::SCT_RESERVED);
    if (((ctx_lo_ & kCtxDte) && !caps_.dt) || ((ctx_lo_ & kCtxPaside) && !caps_.pasid))
        return fail(sm_fault::SCT_INVALID);
    ctx_hi_ = hi;
    ctx_ok_ = true;
    // ATS requests need DTE (device-TLB enabled, 9.4; SCT.5 otherwise). A translated
    // request then passes at its own address without the PASID structures.
    if (req_.at != iommu::At::Untranslated && !(ctx_lo_ & kCtxDte)) return fail(sm_fault::SCT_DTE_CLEAR);
    if (req_.at == iommu::At::Translated) return translated();
    if (!select_pasid(hi)) return;
    addr_ = (ctx_lo_ & addr_mask()) + uint64_t(pasid_ >> 6) * 8;
    state_ = State::PasidDir;
}

// A request with PASID uses its own PASID, privilege and execute attributes and needs
// PASIDE; one without uses RID_PASID with privilege RID_PRIV (9.5). Either PASID must
// index an entry of the 2^(PDTS+7)-entry directory.
bool ScalableWalker::select_pasid(uint64_t hi) {
    const uint64_t dir_entries = uint64_t(1) << (field(ctx_lo_, kCtxPdtsShift, 3) + 7);
    if (!req_.pasid_valid) {
        pasid_ = uint32_t(field(hi, 0, 20));
        priv_ = hi & kCtxRidPriv;
        exec_ = false;
        if ((pasid_ >> 6) >= dir_entries) fail(sm_fault::SCT_RID_PASID);
        return !done();
    }
    if (!(ctx_lo_ & kCtxPaside)) {
        fail(sm_fault::SCT_PASID_DISABLED);
        return false;
    }
    pasid_ = req_.pasid;
    priv_ = req_.priv;
    exec_ = req_.exec;
    const unsigned width = std::min(caps_.pss + 1, 20u);  // ECAP.PSS: PASID bits - 1
    if ((uint64_t(pasid_) >> width) || (uint64_t(pasid_) >> 6) >= dir_entries)
        fail(sm_fault::SCT_PASID_TOO_LARGE);
    return !done();
}

// PASID directory entry (9.5): P 0, FPD 1, reserved 11:2, PASID-table pointer 63:12.
void ScalableWalker::pasid_dir(uint64_t v) {
    dir_fpd_ = v & kFpd;
    fpd_ = fpd_ || dir_fpd_;
    if (!(v & kPresent)) return fail(sm_fault::SPD_NOT_PRESENT);
    if (v & (bit_range(11, 2) | bit_range(63, caps_.haw))) return fail(sm_fault::SPD_RESERVED);
    addr_ = (v & addr_mask()) + uint64_t(pasid_ & 0x3f) * 64;
    pte_qword_ = 0;
    state_ = State::PasidEntry;
}

// PASID table entry (9.6), 64 bytes; qwords 0-2 carry every field used here.
void ScalableWalker::pasid_entry(uint64_t v) {
    pte_[pte_qword_] = v;
    if (pte_qword_ == 0) {
        fpd_ = fpd_ || (v & kFpd);
        if (!(v & kPresent)) return fail(sm_fault::SPT_NOT_PRESENT);
    }
    if (++pte_qword_ < 3) {
        addr_ += 8;
        return;
    }
    begin_translation();
}

// Reserved fields, and fields whose capability is absent (SSADE without ECAP.SSADS,
// PGSNP without ECAP.SC, DID beyond CAP.ND). A table pointer must be below HAW when the
// PGTT uses it as a host-physical address.
bool ScalableWalker::pasid_entry_reserved() const {
    const unsigned type = pgtt();
    const bool sl_ptr = type == kSecondLevel || type == kNested;
    uint64_t r0 = bit_range(11, 10) | (caps_.ssads ? 0 : kPteSsade);
    if (sl_ptr) r0 |= bit_range(63, caps_.haw);
    const uint64_t r1 = bit_range(22, 16) | (caps_.sc ? 0 : kPtePgsnp);
    uint64_t r2 = bit_range(11, 8);
    if (type == kFirstLevel) r2 |= bit_range(63, caps_.haw);
    const uint64_t did = field(pte_[1], 0, 16);
    return (pte_[0] & r0) || (pte_[1] & r1) || (pte_[2] & r2) || (did >> caps_.domain_id_bits());
}

// Invalid programming: a PGTT the ECAP does not support, a second-level AW outside
// SAGAW, a first-level paging mode other than 4-level or (with CAP.FL5LP) 5-level.
bool ScalableWalker::pasid_entry_valid() const {
    const unsigned type = pgtt();
    switch (type) {
        case kFirstLevel: if (!caps_.flts) return false; break;
        case kSecondLevel: if (!caps_.slts) return false; break;
        case kNested: if (!caps_.nest) return false; break;
        case kPassThrough: return caps_.pt;
        default: return false;
    }
    if (type != kFirstLevel) {
        const unsigned aw = unsigned(field(pte_[0], kPteAwShift, 3));
        if (aw < 1 || aw > 3 || !caps_.supports_levels(aw + 2)) return false;
    }
    if (type != kSecondLevel) {
        const unsigned flpm = unsigned(field(pte_[2], kPteFlpmShift, 2));
        if (flpm > 1 || (flpm == 1 && !caps_.fl5lp)) return false;
    }
    return true;
}

void ScalableWalker::begin_translation() {
    if (pasid_entry_reserved()) return fail(sm_fault::SPT_RESERVED);
    if (!pasid_entry_valid()) return fail(sm_fault::SPT_INVALID);
    pte_ok_ = true;
    // SRE and ERE gate supervisor and execute requests whatever the PGTT.
    if (priv_ && !(pte_[2] & kPteSre)) return fail(sm_fault::SPT_SRE);
    if (exec_ && !(pte_[2] & kPteEre)) return fail(sm_fault::SPT_ERE);
    switch (pgtt()) {
        case kFirstLevel:
        case kNested: return begin_first_level();
        case kSecondLevel: return begin_second_level(req_.iova, SlFor::Output);
        default: return pass_through();
    }
}

void ScalableWalker::translated() {
    res_ = iommu::untranslated(req_);  // its own address and No Snoop
    state_ = State::Done;
}

// PGTT=4: output = input, all permissions; the address must be one the host has.
void ScalableWalker::pass_through() {
    if (caps_.haw < 64 && (req_.iova >> caps_.haw)) return fail(sm_fault::SGN_ADDR_BEYOND_HAW);
    finish(req_.iova, 4096, true, true, false);
}

// ---------------------------------------------------------------- first level

// FLPM selects 4-level (48-bit) or 5-level (57-bit) paging; the input address must be
// canonical for that width (3.6).
void ScalableWalker::begin_first_level() {
    fl_levels_ = fl_level_ = field(pte_[2], kPteFlpmShift, 2) == 1 ? 5 : 4;
    const unsigned sign_bit = 12 + 9 * fl_levels_ - 1;
    const uint64_t upper = req_.iova >> sign_bit;
    if (upper != 0 && upper != (~uint64_t(0) >> sign_bit)) return fail(sm_fault::SGN_NON_CANONICAL);
    fl_user_ = fl_rw_ = true;
    fl_xd_ = false;
    read_fl_entry(pte_[2] & ~uint64_t(0xfff));
}

// In nested mode the entry's address is guest-physical: translate it first (3.8).
void ScalableWalker::read_fl_entry(uint64_t table) {
    const uint64_t entry = table + table_index(req_.iova, fl_level_) * 8;
    if (pgtt() == kNested) return begin_second_level(entry, SlFor::FlEntry);
    addr_ = entry;
    state_ = State::FirstLevel;
}

void ScalableWalker::first_level(uint64_t v) {
    if (!(v & fl::P)) return fail(sm_fault::SFL_NOT_PRESENT);
    if (fl::reserved_bits(v, fl_level_, {caps_.haw, caps_.fl1gp})) return fail(sm_fault::SFL_RESERVED);
    // Rights combine over every level: U/S and R/W must be set at all of them; XD at any
    // level forbids execution (only when the PASID entry enables no-execute).
    fl_user_ = fl_user_ && (v & fl::US);
    fl_rw_ = fl_rw_ && (v & fl::RW);
    fl_xd_ = fl_xd_ || ((v & fl::XD) && (pte_[2] & kPteNxe));
    const bool leaf = fl::is_leaf(v, fl_level_);
    if (!fl_permitted(leaf)) return;
    if (leaf) return fl_leaf(v);
    --fl_level_;
    read_fl_entry(v & addr_mask());
}

// x86 access rights (3.6.2): a user request needs U/S=1 everywhere; execute needs no XD
// and, for a supervisor request with SMEP, a supervisor page; a write needs R/W=1
// everywhere unless it is a supervisor write with WPE=0.
bool ScalableWalker::fl_permitted(bool leaf) {
    if (!priv_ && !fl_user_) fail(sm_fault::SGN_PRIVILEGE);
    else if (exec_ && fl_xd_) fail(sm_fault::SGN_EXECUTE);
    else if (exec_ && priv_ && leaf && fl_user_ && (pte_[2] & kPteSmep)) fail(sm_fault::SGN_EXECUTE);
    else if (req_.write && !fl_writable() && !translation_request()) fail(sm_fault::SGN_WRITE);
    return !done();
}

bool ScalableWalker::fl_writable() const { return fl_rw_ || (priv_ && !(pte_[2] & kPteWpe)); }

void ScalableWalker::fl_leaf(uint64_t v) {
    const uint64_t size = level_size(fl_level_);
    const uint64_t out = (v & addr_mask() & ~(size - 1)) | (req_.iova & (size - 1));
    if (pgtt() == kNested) {
        fl_size_ = size;
        return begin_second_level(out, SlFor::NestedOutput);
    }
    finish(out, size, true, fl_writable(), false);
}

// ---------------------------------------------------------------- second level

// AW of the PASID entry gives 3, 4 or 5 levels; the input must fit min(MGAW, AGAW).
// For nesting, the input is a guest-physical address taken from the first level.
void ScalableWalker::begin_second_level(uint64_t input, SlFor purpose) {
    const unsigned aw = unsigned(field(pte_[0], kPteAwShift, 3));
    const unsigned width = std::min(caps_.mgaw, 30 + 9 * aw);
    if (width < 64 && (input >> width))
        return fail(purpose == SlFor::Output ? sm_fault::SGN_ADDR_BEYOND_AW : sm_fault::SFL_NESTED_ADDR);
    sl_for_ = purpose;
    sl_input_ = input;
    sl_levels_ = sl_level_ = aw + 2;
    sl_read_ = sl_write_ = true;
    read_sl_entry(pte_[0] & addr_mask());
}

void ScalableWalker::read_sl_entry(uint64_t table) {
    addr_ = table + table_index(sl_input_, sl_level_) * 8;
    state_ = State::SecondLevel;
}

void ScalableWalker::second_level(uint64_t v) {
    if (!(v & (kSlRead | kSlWrite))) return fail(sm_fault::SSL_NOT_PRESENT);
    const bool large = (sl_level_ == 2 || sl_level_ == 3) && (v & kSlPageSize);
    if (sl_reserved(v, large)) return fail(sm_fault::SSL_RESERVED);
    sl_read_ = sl_read_ && (v & kSlRead);
    sl_write_ = sl_write_ && (v & kSlWrite);
    if (!sl_permitted()) return;
    if (const uint64_t set = sl_ad_bits(v, sl_level_ == 1 || large)) {
        update_ = v | set;  // written back at the entry's address (addr_), then used
        state_ = State::SlUpdate;
        return;
    }
    sl_next(v);
}

void ScalableWalker::sl_next(uint64_t v) {
    const bool large = (sl_level_ == 2 || sl_level_ == 3) && (v & kSlPageSize);
    if (sl_level_ == 1 || large) return sl_leaf(v, level_size(sl_level_));
    --sl_level_;
    read_sl_entry(v & addr_mask());
}

// Second-level A/D (spec 3.7.x, 9.8; PASID entry SSADE): hardware sets A in every entry
// a permitted walk uses and D in the leaf a write goes through; an entry already
// carrying them is not written. A leaf mapping a first-level table (nested) is read,
// so it gets A only. First-level A/D updates are not modelled.
uint64_t ScalableWalker::sl_ad_bits(uint64_t v, bool leaf) const {
    if (!ad_enabled()) return 0;
    uint64_t set = v & kSlAccessed ? 0 : kSlAccessed;
    if (leaf && sl_for_ != SlFor::FlEntry && req_.write && sl_write_ && !(v & kSlDirty)) set |= kSlDirty;
    return set;
}

// Reserved bits of a present second-level entry (9.8), by level.
uint64_t ScalableWalker::sl_reserved(uint64_t v, bool large) const {
    uint64_t rsvd = caps_.haw < 52 ? bit_range(51, caps_.haw) : 0;
    const bool leaf = sl_level_ == 1 || large;
    if (sl_level_ >= 4) rsvd |= kSlPageSize;  // no large pages at PML4E/PML5E
    if (large && sl_level_ == 3) rsvd |= bit_range(29, 12) | (caps_.sllps & 2 ? 0 : kSlPageSize);
    if (large && sl_level_ == 2) rsvd |= bit_range(20, 12) | (caps_.sllps & 1 ? 0 : kSlPageSize);
    if (leaf && !caps_.sc) rsvd |= kSlSnoop;
    if (leaf && !caps_.dt) rsvd |= kSlTransientMapping;
    return v & rsvd;
}

// Fetching a first-level entry through the second level needs read permission (SFL.6
// for the table FLPTPTR names, SFL.7 below it); the request's own output needs the
// request's rights.
bool ScalableWalker::sl_permitted() {
    if (sl_for_ == SlFor::FlEntry) {
        if (!sl_read_)
            fail(fl_level_ == fl_levels_ ? sm_fault::SFL_NESTED_TOP_READ : sm_fault::SFL_NESTED_READ);
    } else if (translation_request()) {
        // A translation request asks what the tables grant (spec 4.2.3).
    } else if (req_.write && !sl_write_) {
        fail(sm_fault::SGN_WRITE);
    } else if (req_.read && !sl_read_) {
        fail(sm_fault::SGN_READ);
    }
    return !done();
}

void ScalableWalker::sl_leaf(uint64_t v, uint64_t size) {
    const uint64_t out = (v & addr_mask() & ~(size - 1)) | (sl_input_ & (size - 1));
    const bool snp = v & kSlSnoop;  // reserved, so clear, without ECAP.SC
    switch (sl_for_) {
        case SlFor::FlEntry:
            addr_ = out;
            state_ = State::FirstLevel;
            return;
        case SlFor::Output: return finish(out, size, sl_read_, sl_write_, snp);
        case SlFor::NestedOutput:
            // The translation is as large as the smaller of the two stages' leaves.
            return finish(out, std::min(fl_size_, size), sl_read_, fl_writable() && sl_write_, snp);
    }
}

// ---------------------------------------------------------------- outcome

// Snoop control: PGSNP in the PASID entry or SNP in the second-level leaf forces a
// snooped access whatever the request's No Snoop (both are reserved without ECAP.SC).
void ScalableWalker::finish(uint64_t pa, uint64_t page_size, bool read, bool write, bool snoop_forced) {
    res_.pa = pa;
    res_.page_size = page_size;
    res_.read = read;
    res_.write = write;
    res_.force_snoop = snoop_forced || (pte_[1] & kPtePgsnp);
    res_.snoop = res_.force_snoop || !req_.no_snoop;
    state_ = State::Done;
}

}  // namespace vtd
