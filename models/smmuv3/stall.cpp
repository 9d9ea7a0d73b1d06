// The stall model (IHI 0070 §3.12.2): a translation-related fault (F_TRANSLATION,
// F_ADDR_SIZE, F_ACCESS, F_PERMISSION) of an untranslated transaction stalls it when
// its stage says so (CD.S at stage 1, STE.S2S at stage 2; the structure checks keep
// both within IDR0.STALL_MODEL and STE.S1STALLD). The event is then always recorded,
// with Stall = 1 and the STAG naming the transaction, and software ends it with
// CMD_RESUME (retry or terminate) or CMD_STALL_TERM (every stall of a StreamID). ATS
// Translation Requests and external aborts never stall. A stall whose event cannot be
// written (queue disabled, full or overflowed) is terminated at once: software could
// never learn of it. Clearing SMMUEN terminates every stall.
#include <vector>

#include "models/smmuv3/regs.h"
#include "models/smmuv3/smmu_unit.h"

namespace smmuv3 {

namespace {

bool can_stall(uint8_t id) {
    return id == event::F_TRANSLATION || id == event::F_ADDR_SIZE || id == event::F_ACCESS ||
           id == event::F_PERMISSION;
}

}  // namespace

bool SmmuUnit::stalls(const WalkSlot& w, const Fault& f) const {
    if (w.request.at != iommu::At::Untranslated || !can_stall(f.event)) return false;
    return f.s2 ? w.ste.s2s : (w.stage1 && w.cd.s);
}

// The fault `res` of `r` becomes a stall: a STAG no stall holds, the event marked.
void SmmuUnit::stall(const iommu::Request& r, iommu::Result& res, Event& e) {
    while (stalled_.count(next_stag_)) ++next_stag_;
    const uint16_t stag = next_stag_++;
    stalled_[stag] = r.sid;
    res.stall = true;
    res.stag = stag;
    res.record = true;
    e.stall = true;
    e.stag = stag;
    stall_stats_seen();
    ++stall_stats_->stalls;
}

// end(): the stall's event was not written, so nothing can resume it.
void SmmuUnit::stall_unrecorded(iommu::Result& res) {
    stalled_.erase(res.stag);
    res.stall = false;
    ++stall_stats_->unrecorded;
}

void SmmuUnit::end_stall(uint16_t stag, bool retry) {
    stalled_.erase(stag);
    ++(retry ? stall_stats_->resumed : stall_stats_->terminated);
    if (on_stall_end) on_stall_end(stag, retry);
}

// §4.7.1 CMD_RESUME: Ac = 1 retries, else the transaction is terminated (Ab: with an
// abort; both fault here). A STAG with no stall of that StreamID is ignored.
void SmmuUnit::resume(const Command& c) {
    const auto it = stalled_.find(c.stag);
    if (it == stalled_.end() || it->second != c.sid) return;
    end_stall(c.stag, c.ac);
}

// §4.7.2 CMD_STALL_TERM: every stalled transaction of the StreamID is terminated.
void SmmuUnit::stall_term(uint32_t sid) {
    std::vector<uint16_t> tags;
    for (const auto& [stag, s] : stalled_)
        if (s == sid) tags.push_back(stag);
    for (uint16_t stag : tags) end_stall(stag, false);
}

void SmmuUnit::terminate_all_stalls() {
    while (!stalled_.empty()) end_stall(stalled_.begin()->first, false);
}

// Counted under stall.* from the first stall on: runs without stalls report as before.
void SmmuUnit::stall_stats_seen() {
    if (stall_stats_) return;
    stall_stats_ = std::make_unique<StallStats>();
    add_child("", *stall_stats_);
}

}  // namespace smmuv3
