// The translation side of the FLAT unit: lookup from the caches, walks, fault
// reporting. Registers, fault records and invalidation are in flat_unit_mmio.cpp.
#include "tests/support/flat/flat_unit.h"

#include <cstdio>

#include "tests/support/flat/flat_registers.h"
#include "tests/support/flat/flat_walker.h"

namespace flat {

Unit::Unit(const UnitParams& p, iommu::HostMemory& mem)
    : cap_(p.cap),
      records_(16),
      mem_(mem),
      device_cache_(p.device_cache, p.seed, "flat.dc"),
      iotlb_(p.iotlb, p.seed, "flat.iotlb") {
    add_child("iotlb", iotlb_);
    add_child("device_cache", device_cache_);
}

std::string Unit::fault_text(uint32_t reason) const {
    static const char* const names[] = {"none",          "device entry not valid",
                                        "IOVA beyond IOVA_BITS", "entry not present",
                                        "write not permitted",   "read not permitted",
                                        "table read failed",     "device blocked",
                                        "ATS not enabled for the device"};
    char buf[64];
    std::snprintf(buf, sizeof buf, "0x%x (%s)", reason, reason < 9 ? names[reason] : "unknown");
    return buf;
}

bool Unit::walks_snoop() const { return cap::coh(cap_); }

// Pass-through while disabled; otherwise a decision from the device cache and the
// IOTLB when they hold what the request needs.
bool Unit::lookup(const iommu::Request& r, iommu::Result& out) {
    ++translations_;
    if (!enabled()) {
        out = iommu::untranslated(r);
        return true;
    }
    const uint64_t* dte = device_cache_.lookup({r.sid});
    if (!dte) return false;
    const uint32_t ats_reason = ats_device_fault(r, *dte, cap_);
    const bool translated = cap::ats(cap_) && r.at == iommu::At::Translated;
    if (translated && !ats_reason) {
        out = iommu::untranslated(r);
    } else if (const uint32_t reason = ats_reason ? ats_reason : device_fault(*dte, r.iova, cap_)) {
        out = iommu::Result{};
        out.fault = true;
        out.reason = reason;
    } else if (const uint64_t* e = iotlb_.lookup({dte::did(*dte), r.iova >> 12})) {
        out = from_pte(r, *e, cap_);
        if (cap::ats(cap_) && r.at == iommu::At::TranslationRequest) out = tr_answer(out, *e);
    } else {
        return false;
    }
    report(r, out);
    return true;
}

// A walk that waited for a slot sees what the device cache holds now.
void Unit::begin(Walker& w, const iommu::Request& r) {
    ++walks_;
    const uint64_t* dte = device_cache_.peek({r.sid});
    w.start(r, cap_, devtab_live_, dte ? std::optional<uint64_t>(*dte) : std::nullopt);
}

iommu::Result Unit::end(Walker& w) {
    walk_reads_ += w.reads();
    if (auto dte = w.read_dte()) device_cache_.insert({w.request().sid}, *dte);
    if (auto e = w.present_pte()) iotlb_.insert({w.did(), w.request().iova >> 12}, *e);
    report(w.request(), w.result());
    return w.result();
}

iommu::Result Unit::merged(const iommu::Request& r, const iommu::Result& walked) {
    iommu::Result res = walked;
    if (!res.fault) res.pa = (walked.pa & ~uint64_t(0xfff)) | (r.iova & 0xfff);
    report(r, res);
    return res;
}

// Every fault is counted, per reason too ("faults.3"), and recorded.
void Unit::report(const iommu::Request& r, const iommu::Result& res) {
    if (!res.fault) return;
    record_fault(r, res.reason);
    ++faults_;
    auto& c = fault_reasons_[res.reason];
    if (!c) {
        const std::string name = "faults." + std::to_string(res.reason);
        c = std::make_unique<sim::Counter>(*this, name, "", "faults with this reason code");
    }
    ++*c;
}

}  // namespace flat
