#include "models/smmuv3/vmsa.h"

#include "models/smmuv3/vmsa_descriptor.h"
#include "models/sim/hot_path.h"

namespace smmuv3 {

namespace {

bool beyond(uint64_t addr, unsigned bits) { return bits < 64 && (addr >> bits) != 0; }

// Levels where descriptor bits 1:0 = 0b01 is a block (Arm ARM D8.3 "Block descriptor"):
// 4 KiB at levels 1 (1 GiB) and 2 (2 MiB); 16 KiB at level 2 (32 MiB); 64 KiB at level
// 2 (512 MiB) and, with a 52-bit output (FEAT_LPA), level 1 (4 TiB). Level 0 blocks
// need FEAT_LPA2 (not modelled); at level 3, 0b01 is reserved.
bool block_allowed(const Geometry& g, unsigned level) {
    switch (g.grain) {
    case 12: return level == 1 || level == 2;
    case 14: return level == 2;
    default: return level == 2 || (level == 1 && g.oa == 52);
    }
}

// AF=0 (Arm ARM D8.5 "The Access flag"; IHI0070 5.4 AFFD/HA, 5.2 S2AFFD/S2HA): with
// HA the walk sets AF in `upd`; otherwise AFFD=1 considers AF to be 1; otherwise an
// Access flag fault (false).
bool access_flag(uint64_t d, bool ha, bool affd, uint64_t& upd) {
    if (d & desc::kAf) return true;
    if (ha) upd |= desc::kAf;
    return ha || affd;
}

}  // namespace

uint64_t VmsaWalk::Stage::index_address() const {
    const uint64_t index = (input >> g.shift(level)) & ((uint64_t(1) << g.bits(level)) - 1);
    return table + index * 8;
}

void VmsaWalk::configure(const Stage1Config* s1, const Stage2Config* s2) {
    c1_ = s1;
    c2_ = s2;
    if (s1) g1_ = geometry(*s1);
    if (s2) g2_ = geometry(*s2);
}

void VmsaWalk::start(const iommu::Request& r) {
    req_ = r;
    res_ = iommu::Result{};
    fault_ = Fault{};
    attr_ = MemAttr{};
    fault_.input = r.iova;
    fault_.rnw = !r.write;
    fault_.ind = r.exec;
    fault_.pnu = r.priv;
    reads_ = writes_ = 0;
    s1_read_ = s1_write_ = s2_read_ = s2_write_ = true;
    s1_table_s2_write_ = true;
    if (c1_) {
        begin_s1();
    } else if (c2_) {
        begin_s2(r.iova, S2For::Input);
    } else {
        res_ = iommu::untranslated(r);  // both stages bypassed
        state_ = State::Done;
    }
}

IOMMU_SIM_HOT_PATH void VmsaWalk::supply(uint64_t qword, bool ok) {
    switch (state_) {
    case State::Done:
        return;
    case State::Write:
        ++writes_;
        // IHI0070 5.4 IR0: a hardware update that fails is an F_WALK_EABT.
        if (!ok) return abort_fetch(write_s2_);
        return write_s2_ ? s2_continue() : s1_continue();
    case State::S1Read:
        ++reads_;
        if (!ok) return abort_fetch(false);
        return s1_descriptor(qword);
    case State::S2Read:
        ++reads_;
        if (!ok) return abort_fetch(true);
        return s2_descriptor(qword);
    }
}

// --- stage 1 -------------------------------------------------------------------------

void VmsaWalk::begin_s1() {
    s1_ = Stage{};
    s1_.g = g1_;
    s1_.input = req_.iova;
    s1_.level = g1_.start;
    // IHI0070 5.4 EPD0: a TTB0 miss is a Translation fault, no walk. An input address
    // beyond 2^(64 - T0SZ) is outside the TTB0 range: a Translation fault (Arm ARM D8.2
    // "Input address size"; TTB1 and TBI are not modelled).
    if (c1_->epd0 || beyond(req_.iova, g1_.ia)) return fail(event::F_TRANSLATION, false, g1_.start);
    // TTB0 bits below the starting table's alignment are treated as zero (IHI0070 5.4
    // TTB0), with a 64-byte minimum for a 52-bit output.
    uint64_t align = g1_.start_bytes();
    if (g1_.oa == 52 && align < 64) align = 64;
    s1_.table = c1_->ttb0 & ~(align - 1);
    resume_from_cache(s1_, true);
    fetch_s1();
}

// The next stage 1 descriptor: read it, or first translate its IPA through stage 2.
void VmsaWalk::fetch_s1() {
    const uint64_t at = s1_.index_address();
    if (c2_) return begin_s2(at, S2For::S1Table);
    addr_ = at;
    state_ = State::S1Read;
}

void VmsaWalk::s1_descriptor(uint64_t d) {
    switch (descend(s1_, d, true)) {
    case Step::Table: return fetch_s1();
    case Step::Leaf: return s1_leaf();
    case Step::Fault: return;
    }
}

// Stage 1 leaf: Access flag, permissions, dirty state (Arm ARM D8.4 "Memory access
// control", D8.5 "Hardware updates of the Access flag and dirty state"; IHI0070 5.4
// AFFD/HA/HD, 3.13).
void VmsaWalk::s1_leaf() {
    const Stage1Config& c = *c1_;
    const uint64_t d = s1_.desc;
    uint64_t upd = d;
    const unsigned level = s1_.level;
    // The Access flag fault has priority over a Permission fault.
    if (!access_flag(d, c.ha, c.affd, upd)) return fail(event::F_ACCESS, false, level);
    // AP[2:1] for the EL1&0 regime (D8.4 "Data access permissions"): AP[1] grants
    // unprivileged access, AP[2] makes the location read-only; privileged access may
    // always read. APTable[0] takes unprivileged access away, APTable[1] write access.
    const bool read_only = d & desc::kAp2;
    const bool el0 = (d & desc::kAp1) && !s1_.no_el0;
    const bool may_read = req_.priv || el0;
    bool may_write = may_read && !read_only && !s1_.no_write;
    // Writable-clean (DBM=1, AP[2]=1): with HD (only with HA, IHI0070 5.4 HD/HA) a
    // write clears AP[2]; without, the location is read-only.
    const bool clean = may_read && read_only && (d & desc::kDbm) && c.ha && c.hd &&
                       !s1_.no_write;
    // Execute: UXN for unprivileged, PXN for privileged requests; a location writable
    // at EL0 is treated as PXN (IHI0070 5.4 UWXN note; D8.4 "Instruction execution").
    const bool el0_writable = (d & desc::kAp1) && !read_only;
    const bool may_exec = req_.priv
        ? !(d & desc::kPxn) && !s1_.pxn && !el0_writable
        : !(d & desc::kUxn) && !s1_.uxn;
    if ((req_.read && !may_read) || (req_.exec && !may_exec) ||
        (req_.write && !may_write && !clean))
        return fail(event::F_PERMISSION, false, level);
    if (req_.write && !may_write) {
        upd &= ~desc::kAp2;  // becomes writable-dirty
        may_write = true;
    }
    s1_read_ = may_read;
    s1_write_ = may_write;
    if (upd != d) {
        // The update writes a stage 1 descriptor: stage 2 must allow the write to the
        // page that holds it (the stage 2 walk for that table was the last one run).
        if (c2_ && !s1_table_s2_write_) return fail(event::F_PERMISSION, true, s2_.level);
        return write_back(s1_.desc_pa, upd, false);
    }
    s1_continue();
}

void VmsaWalk::s1_continue() {
    if (c2_) return begin_s2(s1_.out, S2For::S1Output);
    finish();
}

// --- stage 2 -------------------------------------------------------------------------

void VmsaWalk::begin_s2(uint64_t ipa, S2For purpose) {
    s2_ = Stage{};
    s2_.g = g2_;
    s2_.input = ipa;
    s2_.level = g2_.start;
    s2_for_ = purpose;
    // An IPA beyond 2^(64 - S2T0SZ): stage 2 Translation fault (D8.2 "Input address
    // size"; IHI0070 3.4).
    if (beyond(ipa, g2_.ia)) return fail(event::F_TRANSLATION, true, g2_.start);
    // Concatenated start tables are aligned to their total size (D8.2).
    s2_.table = c2_->ttb & ~(g2_.start_bytes() - 1);
    resume_from_cache(s2_, false);
    addr_ = s2_.index_address();
    state_ = State::S2Read;
}

void VmsaWalk::s2_descriptor(uint64_t d) {
    switch (descend(s2_, d, false)) {
    case Step::Table:
        addr_ = s2_.index_address();
        return;
    case Step::Leaf: return s2_leaf();
    case Step::Fault: return;
    }
}

// Stage 2 leaf (Arm ARM D8.4 "Stage 2 access permissions", D8.5; IHI0070 5.2
// S2AFFD/S2HA/S2HD/S2PTW).
void VmsaWalk::s2_leaf() {
    const Stage2Config& c = *c2_;
    const uint64_t d = s2_.desc;
    uint64_t upd = d;
    const unsigned level = s2_.level;
    if (!access_flag(d, c.ha, c.affd, upd)) return fail(event::F_ACCESS, true, level);
    const bool may_read = d & desc::kS2apR;
    bool may_write = d & desc::kS2apW;
    // Writable-clean at stage 2: DBM=1 with S2AP[1]=0; S2HD sets S2AP[1] on a write.
    const bool clean = !may_write && (d & desc::kDbm) && c.ha && c.hd;
    const bool may_exec = !(d & desc::kUxn);
    bool want_read, want_write, want_exec;
    if (s2_for_ == S2For::S1Table) {
        // A stage 1 table fetch is a read. With S2PTW, one that lands in stage 2
        // Device memory is a stage 2 Permission fault (IHI0070 5.2 S2PTW).
        if (c.ptw && desc::s2_device(d)) return fail(event::F_PERMISSION, true, level);
        want_read = true;
        want_write = want_exec = false;
    } else {
        want_read = req_.read;
        want_write = req_.write;
        want_exec = req_.exec;
    }
    if ((want_read && !may_read) || (want_exec && !may_exec) ||
        (want_write && !may_write && !clean))
        return fail(event::F_PERMISSION, true, level);
    if (want_write && !may_write) {
        upd |= desc::kS2apW;  // becomes writable-dirty
        may_write = true;
    }
    if (s2_for_ == S2For::S1Table) {
        s1_table_s2_write_ = may_write;
    } else {
        s2_read_ = may_read;
        s2_write_ = may_write;
    }
    if (upd != d) return write_back(s2_.desc_pa, upd, true);
    s2_continue();
}

void VmsaWalk::s2_continue() {
    if (s2_for_ == S2For::S1Table) {
        addr_ = s2_.out;  // the stage 1 descriptor's PA
        state_ = State::S1Read;
        return;
    }
    finish();
}

// --- shared --------------------------------------------------------------------------

// One descriptor at st.level (Arm ARM D8.3): table -> next level; block or page -> the
// leaf; invalid or reserved -> Translation fault; an address beyond the stage's output
// size -> Address size fault (IHI0070 5.4 IPS: next-table and output addresses alike).
VmsaWalk::Step VmsaWalk::descend(Stage& st, uint64_t d, bool stage1) {
    const unsigned level = st.level;
    if (!(d & desc::kValid)) {
        fail(event::F_TRANSLATION, !stage1, level);
        return Step::Fault;
    }
    const uint64_t a = desc::address(d, st.g.grain);
    const bool type_bit = d & desc::kTableOrPage;
    if (type_bit && level < 3) {
        if (beyond(a, st.g.oa)) {
            fail(event::F_ADDR_SIZE, !stage1, level);
            return Step::Fault;
        }
        // Hierarchical attributes, stage 1 only, unless CD.HAD0 (D8.4 "Hierarchical
        // control"; stage 2 table descriptors have none).
        if (stage1 && !c1_->had0) {
            st.no_el0 |= (d & desc::kApTableNoEl0) != 0;
            st.no_write |= (d & desc::kApTableNoWrite) != 0;
            st.pxn |= (d & desc::kPxnTable) != 0;
            st.uxn |= (d & desc::kUxnTable) != 0;
        }
        st.table = a;
        st.level = level + 1;
        fill_cache(st, stage1, level);
        return Step::Table;
    }
    if (!type_bit && !block_allowed(st.g, level)) {
        fail(event::F_TRANSLATION, !stage1, level);
        return Step::Fault;
    }
    st.size = uint64_t(1) << st.g.shift(level);
    // Block descriptor bits between the granule and the block size are RES0; ignored.
    const uint64_t base = a & ~(st.size - 1);
    if (beyond(base, st.g.oa)) {
        fail(event::F_ADDR_SIZE, !stage1, level);
        return Step::Fault;
    }
    st.out = base | (st.input & (st.size - 1));
    st.desc = d;
    st.desc_pa = addr_;
    return Step::Leaf;
}

// The deepest cached table descriptor, if any, puts the stage at the level below it
// with the table and (stage 1) the hierarchical attributes it carried.
void VmsaWalk::resume_from_cache(Stage& st, bool stage1) {
    if (!wc_) return;
    unsigned level = 0;
    const WalkCacheValue* e = wc_->find(!stage1, vmid_, stage1 ? asid_ : 0, st.input, st.g, level);
    if (!e) return;
    st.level = level + 1;
    st.table = e->table;
    st.no_el0 = e->no_el0;
    st.no_write = e->no_write;
    st.pxn = e->pxn;
    st.uxn = e->uxn;
}

// A table descriptor just read at `level`; st already points at the next table.
void VmsaWalk::fill_cache(const Stage& st, bool stage1, unsigned level) {
    if (!wc_) return;
    const WalkCacheValue v{st.table, st.no_el0, st.no_write, st.pxn, st.uxn};
    wc_->fill(!stage1, vmid_, stage1 ? asid_ : 0, st.input, st.g, level, v);
}

void VmsaWalk::write_back(uint64_t pa, uint64_t value, bool s2) {
    addr_ = pa;
    update_ = value;
    write_s2_ = s2;
    state_ = State::Write;
}

void VmsaWalk::fail(uint8_t id, bool s2, unsigned level) {
    fault_.event = id;
    fault_.s2 = s2;
    fault_.level = int(level);
    if (s2) {
        fault_.ipa = s2_.input;
        fault_.cls = s2_for_ == S2For::S1Table ? FaultClass::TT : FaultClass::IN;
    } else {
        fault_.cls = FaultClass::IN;
    }
    res_ = iommu::Result{};
    res_.fault = true;
    res_.reason = id;
    state_ = State::Done;
}

// A descriptor read (or write-back) that the memory system aborted (IHI0070 7.3
// F_WALK_EABT): CLASS TT, since every such access is a table access.
void VmsaWalk::abort_fetch(bool s2) {
    const uint64_t at = addr_;
    fail(event::F_WALK_EABT, s2, s2 ? s2_.level : s1_.level);
    fault_.fetch_pa = at;
    fault_.cls = FaultClass::TT;
}

// The leaves' attributes (Arm ARM D8.3): stage 1 AttrIndx 4:2 selects a MAIR byte,
// stage 2 MemAttr 5:2; SH 9:8 in both.
void VmsaWalk::leaf_attributes() {
    const auto sh = [](uint64_t d) { return unsigned(d >> 8) & 3; };
    MemAttr s1, s2;
    if (c1_) s1 = from_mair(uint8_t(c1_->mair >> (8 * ((s1_.desc >> 2) & 7))), sh(s1_.desc));
    if (c2_) s2 = from_s2_memattr(unsigned(s2_.desc >> 2) & 0xf, sh(s2_.desc));
    attr_ = c1_ && c2_ ? combine(s1, s2) : c1_ ? s1 : s2;
}

void VmsaWalk::finish() {
    res_ = iommu::Result{};
    leaf_attributes();
    if (c1_ && c2_) {
        res_.pa = s2_.out;
        res_.page_size = s1_.size < s2_.size ? s1_.size : s2_.size;
        res_.read = s1_read_ && s2_read_;
        res_.write = s1_write_ && s2_write_;
    } else {
        const Stage& st = c1_ ? s1_ : s2_;
        res_.pa = st.out;
        res_.page_size = st.size;
        res_.read = c1_ ? s1_read_ : s2_read_;
        res_.write = c1_ ? s1_write_ : s2_write_;
    }
    state_ = State::Done;
}

}  // namespace smmuv3
