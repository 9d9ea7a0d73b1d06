// Pointing a requester at a domain, in legacy mode (root and context entries whose
// context entry holds the second-level table) or scalable mode (scalable root and
// context entries, a PASID directory and table per device, RID_PASID 0's PASID entry
// holding the second-level table, PGTT=010 as Linux's intel_pasid_setup_second_level).
#include "models/iommufd/drivers/vtd/encoding.h"
#include "models/iommufd/drivers/vtd/vtd_domain.h"
#include "models/iommufd/drivers/vtd/vtd_driver.h"

namespace iommufd::vtd {

using namespace enc;

// A paging domain's second-level table, or pass-through (Linux's
// domain_context_mapping_one with CONTEXT_TT_PASS_THROUGH, intel_pasid_setup_pass_through).
// ATS (ats.cpp) goes off before an entry that does not admit it and on after one that does.
Errno Driver::attach(Domain& dom, uint16_t sid) {
    const uint64_t aw = levels_ - 2;
    auto* id = dynamic_cast<VtdIdentityDomain*>(&dom);
    auto* d = dynamic_cast<VtdDomain*>(&dom);
    if (!id && !d) return Errno::Inval;
    const bool ats = ats_supported(sid) && (d || scalable_);
    const uint16_t did = id ? id->did() : d->did();
    ats_prepare(sid, ats);
    Errno e;
    if (id)
        e = scalable_ ? attach_scalable(kPgttPassThrough << 6 | aw << 2, did, sid)
                      : attach_legacy(kTtPassThrough << 2, did, sid);
    else if (scalable_)
        e = attach_scalable(d->root() | kPgttSecondLevel << 6 | aw << 2 | (d->dirty_tracking ? kPasidSsade : 0),
                            did | (d->snoops() ? kPasidPgsnp : 0), sid);
    else
        e = attach_legacy(d->root() | (ats ? kTtDevIotlb << 2 : 0), did, sid);
    if (e == Errno::Ok) ats_commit(sid, did, ats);
    return e;
}

Errno Driver::detach(uint16_t sid) {
    ats_prepare(sid, false);
    const Errno e = scalable_ ? detach_scalable(sid) : detach_legacy(sid);
    if (e == Errno::Ok) ats_commit(sid, 0, false);
    return e;
}

// The context table of `sid`'s bus, made on first use. Legacy root entry (spec 9.1):
// P 0, context-table pointer 63:12. Scalable root entry (9.2): the lower qword (LP,
// LCTP) covers devfn 0-127, the upper (UP, UCTP) devfn 128-255.
uint64_t Driver::context_table(uint16_t sid) {
    const uint64_t slot = root_ + uint64_t(sid >> 8) * 16 + (scalable_ && (sid & 0x80) ? 8 : 0);
    uint64_t table = m_.read64(slot) & kAddrMask;
    if (!table) {
        table = new_table();
        write_entry(slot, table | 1);
    }
    return table;
}

// Legacy context entry (spec 9.3): P 0, TT 3:2 (00 untranslated, 01 with device-TLB,
// 10 pass-through),
// SLPTPTR 63:12; AW 66:64 (for pass-through the largest AGAW, as Linux's msagaw),
// DID 87:72. The upper qword goes first so that the entry is complete once P is set.
Errno Driver::attach_legacy(uint64_t lo, uint16_t did, uint16_t sid) {
    const uint64_t entry = context_table(sid) + uint64_t(sid & 0xff) * 16;
    const bool replacing = m_.read64(entry) & 1;
    const uint16_t old_did = uint16_t(m_.read64(entry + 8) >> 8);
    write_entry(entry + 8, uint64_t(levels_ - 2) | uint64_t(did) << 8);
    write_entry(entry, lo | 1);
    // The context-cache holds the entry under the domain it had (domain_context_clear_one).
    invalidate_context(sid, replacing ? old_did : did);
    if (replacing) invalidate_domain(old_did);
    wait();
    return Errno::Ok;
}

Errno Driver::detach_legacy(uint16_t sid) {
    const uint64_t ctx_table = m_.read64(root_ + uint64_t(sid >> 8) * 16) & kAddrMask;
    if (!ctx_table) return Errno::NoEnt;
    const uint64_t entry = ctx_table + uint64_t(sid & 0xff) * 16;
    const uint16_t did = uint16_t(m_.read64(entry + 8) >> 8);
    write_entry(entry, 0);
    write_entry(entry + 8, 0);
    invalidate_context(sid, did);
    invalidate_domain(did);
    wait();
    return Errno::Ok;
}

// The PASID table holding RID_PASID 0's entry for `sid`: on first use a directory
// (PDTS 0: 128 entries) and table, and the scalable context entry pointing at them
// with RID_PASID 0 (qword 1 first, then qword 0 with P; DTE for a device with ATS and
// PRE for one with PRI, as Linux's context_entry_set_pasid_table).
uint64_t Driver::pasid_table(uint16_t sid) {
    if (auto it = pasid_tables_.find(sid); it != pasid_tables_.end()) return it->second;
    const uint64_t dir = new_table(), table = new_table();
    write_entry(dir, table | 1);
    const uint64_t entry = context_table(sid) + uint64_t(sid & 0x7f) * kScalableContextBytes;
    write_entry(entry + 8, 0);  // RID_PASID 0
    write_entry(entry, dir | 1 | (ats_supported(sid) ? kCtxDte : 0) | (pri_supported(sid) ? kCtxPre : 0));
    pasid_tables_[sid] = table;
    return table;
}

// PASID entry of RID_PASID (spec 9.6): second-level only (PGTT=010: the domain's
// table, PGSNP when it forces snooping, SSADE when it tracks dirty pages) or
// pass-through (PGTT=100); DID, AW; SRE as Linux sets it. Qwords 1 and 2 first,
// qword 0 with P last.
Errno Driver::attach_scalable(uint64_t q0, uint64_t q1, uint16_t sid) {
    const uint64_t entry = pasid_table(sid);  // PASID 0: the first entry
    const uint64_t old = m_.read64(entry);
    const uint16_t old_did = uint16_t(m_.read64(entry + 8)), did = uint16_t(q1);
    write_entry(entry + 16, kPasidSre);
    write_entry(entry + 8, q1);
    write_entry(entry, q0 | 1);
    // The context-cache and PASID-cache may hold the entries (and an old domain).
    invalidate_context(sid, old & 1 ? old_did : did);
    invalidate_pasid(old & 1 ? old_did : did, 0);
    if (old & 1) invalidate_domain(old_did);
    wait();
    return Errno::Ok;
}

Errno Driver::detach_scalable(uint16_t sid) {
    auto it = pasid_tables_.find(sid);
    if (it == pasid_tables_.end()) return Errno::NoEnt;
    const uint16_t did = uint16_t(m_.read64(it->second + 8));
    write_entry(it->second, 0);  // P=0: the device's DMA is blocked
    invalidate_pasid(did, 0);
    invalidate_domain(did);
    wait();
    return Errno::Ok;
}

// Device-selective context-cache invalidation: G=11, DID 31:16, SID 47:32, FM 49:48 = 0.
void Driver::invalidate_context(uint16_t sid, uint16_t did) {
    submit(kDescContext | (3u << 4) | uint64_t(did) << 16 | uint64_t(sid) << 32, 0);
}

// PASID-selective PASID-cache invalidation within domain `did`.
void Driver::invalidate_pasid(uint16_t did, uint32_t pasid) {
    submit(kDescPasidCache | (1u << 4) | uint64_t(did) << 16 | uint64_t(pasid) << 32, 0);
}

// Domain-selective IOTLB invalidation: G=10, DID 31:16.
void Driver::invalidate_domain(uint16_t did) { submit(kDescIotlb | (2u << 4) | uint64_t(did) << 16, 0); }

}  // namespace iommufd::vtd
