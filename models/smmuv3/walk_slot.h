// One SMMUv3 translation in a walker slot: the configuration fetch (level-1 stream
// table descriptor, STE, level-1 CD, CD; IHI 0070 §3.3) as 8-byte reads, then the
// VMSAv8-64 walk. Configuration reads are walk reads too, so the timing shell charges
// them like table reads. Under nesting the CD addresses are IPAs (§3.3.3, STE.Config
// 0b111): a stage-2 walk translates each one first. The slot holds the state; SmmuUnit
// decides each step (config_walk.cpp).
#pragma once

#include <cstdint>

#include "models/iommu/translator.h"
#include "models/smmuv3/cd.h"
#include "models/smmuv3/event.h"
#include "models/smmuv3/ste.h"
#include "models/smmuv3/vmsa.h"

namespace smmuv3 {

class SmmuUnit;

class WalkSlot final : public iommu::Walk {
public:
    enum class Phase { L1Std, Ste, L1Cd, Cd, CdS2, Table, Done };

    bool done() const override { return phase == Phase::Done; }
    uint64_t read_address() const override { return walking() ? walk().read_address() : addr + 8 * index; }
    bool write_pending() const override { return walking() && walk().write_pending(); }
    uint64_t write_value() const override { return walking() ? walk().write_value() : 0; }
    void supply(uint64_t qword, bool ok) override;
    const iommu::Result* outcome() const override { return &result; }

    // Set by SmmuUnit::begin.
    SmmuUnit* owner = nullptr;
    iommu::Request request{};
    Phase phase = Phase::Done;
    Phase after_s2 = Phase::Done;  // the CD phase a CdS2 translation leads to
    uint64_t addr = 0;             // the descriptor being read (8 qwords from here)
    unsigned index = 0;
    uint64_t buf[8] = {};
    unsigned config_reads = 0;
    bool ste_cached = false, cd_cached = false;
    bool stage1 = false;           // the translation goes through a CD
    bool cd_ok = false;            // the CD passed its checks
    bool walked = false;           // the table walk translated (the TLB may hold it)
    Ste ste;
    Cd cd;
    Stage1Config s1;
    Stage2Config s2;
    VmsaWalk vmsa;                 // the table walk
    VmsaWalk cd_walk;              // nested: stage 2 of a CD (or level-1 CD) address
    // The outcome: the translation, or the event (id 0: none) and whether to record it.
    iommu::Result result{};
    Event event{};
    bool record = false;

private:
    bool walking() const { return phase == Phase::Table || phase == Phase::CdS2; }
    const VmsaWalk& walk() const { return phase == Phase::CdS2 ? cd_walk : vmsa; }
};

}  // namespace smmuv3
