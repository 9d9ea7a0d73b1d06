// The VMSAv8-64 translation-table walk of an SMMUv3 (Arm ARM DDI0487 D8 "The AArch64
// Virtual Memory System Architecture"; SMMUv3 IHI0070 3.4 address sizes, 3.13 HTTU,
// 5.2 STE, 5.4 CD, 7.3 event records), as an iommu::Walk step machine: each step
// names one 8-byte descriptor read or a write-back (Access flag / dirty state), so the
// same walk runs from a functional loop or from timed memory transactions.
//
//   stage 1 only:  TTB0 -> level start..3 (VA -> PA)
//   stage 2 only:  S2TTB (concatenated start tables) -> ... (IPA -> PA)
//   nested:        every stage 1 table address, TTB0 included, is an IPA: a stage 2
//                  walk translates it before the stage 1 descriptor is read; the stage
//                  1 output IPA goes through a last stage 2 walk (STE.Config=0b111,
//                  IHI0070 5.2; Arm ARM D8.2, stage 2 translation of stage 1 walks).
//
// Reads: a stage 1 walk from level s makes 4 - s; nested, each of those reads costs a
// stage 2 walk first, plus one stage 2 walk for the output: 4-level over 3-level is
// 4 * (3 + 1) + 3 = 19 reads.
//
// Faults carry SMMUv3 event IDs (IHI0070 7.3): the walk fills a Fault record with the
// stage (S2), the CLASS (TT for a stage 2 fault on a stage 1 table fetch, IN for the
// input or output address) and the IPA stage 2 was translating.
//
// Walk caches (walk_cache.h, optional): each stage begins at the deepest cached table
// descriptor for its input, and every table descriptor read fills them. The reads a
// cached level saves are not made, so reads() and the timing shell see fewer.
//
// Not modelled: TTB1, TBI, PAN, WXN, HAFT, the Contiguous hint, FEAT_LPA2/52-bit VA,
// stage 2 dirty update of a stage 1 descriptor's page (a stage 1 write-back to a page
// stage 2 maps without write permission is a stage 2 Permission fault).
#pragma once

#include <cstdint>

#include "models/iommu/translation.h"
#include "models/iommu/translator.h"
#include "models/smmuv3/event.h"  // the event IDs faults carry
#include "models/smmuv3/mem_attr.h"
#include "models/smmuv3/vmsa_config.h"
#include "models/smmuv3/walk_cache.h"

namespace smmuv3 {


// Event record CLASS (IHI0070 7.3, bits 41:40): what the faulting access was for. The
// walk reports TT for a stage 2 fault on a stage 1 table fetch and for every
// F_WALK_EABT, IN otherwise (stage 1 faults included). CD fetches are not its job.
enum class FaultClass : uint8_t { CD = 0, TT = 1, IN = 2 };

// The walk's fault, as the fields of an F_* event record.
struct Fault {
    uint8_t event = 0;          // 0: no fault
    bool s2 = false;            // the fault came from stage 2
    FaultClass cls = FaultClass::IN;
    int level = -1;             // the table level that faulted (-1: none)
    uint64_t input = 0;         // the request's input address
    uint64_t ipa = 0;           // for stage 2 faults: the IPA being translated
    uint64_t fetch_pa = 0;      // F_WALK_EABT: the descriptor access that aborted
    bool rnw = true;            // RnW: the request read
    bool ind = false;           // InD: instruction (execute) request
    bool pnu = false;           // PnU: privileged request
    // A stage 2 fault taken while translating a stage 1 table address.
    bool during_s1_walk() const { return s2 && cls == FaultClass::TT; }
};

class VmsaWalk : public iommu::Walk {
public:
    // The stages the next walks use: s1 only, s2 only, or both (nested). Each must
    // have passed check(); both must outlive the walks. Not on the hot path.
    void configure(const Stage1Config* s1, const Stage2Config* s2);
    void start(const iommu::Request& r);
    // The walk caches the next walks use and fill, tagged by the stream's VMID and the
    // CD's ASID (nullptr: none, the default). `caches` must outlive the walks.
    void use_walk_caches(WalkCaches* caches, uint16_t vmid, uint16_t asid) {
        wc_ = caches;
        vmid_ = vmid;
        asid_ = asid;
    }

    bool done() const override { return state_ == State::Done; }
    uint64_t read_address() const override { return addr_; }
    bool write_pending() const override { return state_ == State::Write; }
    uint64_t write_value() const override { return update_; }
    void supply(uint64_t qword, bool ok) override;

    // Valid once done(): reason holds the event ID of a fault.
    const iommu::Result& result() const { return res_; }
    const Fault& fault() const { return fault_; }
    // Stage 1's output address of the input (an IPA when nested), once done without a
    // fault with stage 1 configured: what split-stage ATS returns (IHI 0070 §5.2 EATS).
    uint64_t stage1_output() const { return s1_.out; }
    // The memory attributes the leaves give (stage 1 and stage 2 combined; mem_attr.h).
    const MemAttr& attr() const { return attr_; }
    unsigned reads() const { return reads_; }
    // The next access is a stage 2 descriptor's (else a stage 1 one's).
    bool at_stage2() const { return state_ == State::S2Read || (state_ == State::Write && write_s2_); }
    unsigned writes() const { return writes_; }

private:
    // One stage's position in its tables.
    struct Stage {
        Geometry g;
        uint64_t input = 0;
        uint64_t table = 0;     // the table being read (a PA; an IPA for nested stage 1)
        unsigned level = 0;
        uint64_t desc = 0;      // the leaf descriptor
        uint64_t desc_pa = 0;   // where it was read
        uint64_t out = 0;       // the leaf's output address (of `input`)
        uint64_t size = 0;      // the leaf's block or page size
        // Stage 1 hierarchical attributes (D8.4.x "Hierarchical control of data
        // access permissions"), accumulated from table descriptors.
        bool no_el0 = false, no_write = false, pxn = false, uxn = false;
        uint64_t index_address() const;
    };
    enum class State { S1Read, S2Read, Write, Done };
    // What a stage 2 walk translates.
    enum class S2For { Input, S1Table, S1Output };
    enum class Step { Table, Leaf, Fault };

    void begin_s1();
    void fetch_s1();
    void s1_descriptor(uint64_t d);
    void s1_leaf();
    void s1_continue();
    void begin_s2(uint64_t ipa, S2For purpose);
    void s2_descriptor(uint64_t d);
    void s2_leaf();
    void s2_continue();
    Step descend(Stage& st, uint64_t d, bool stage1);
    void resume_from_cache(Stage& st, bool stage1);
    void fill_cache(const Stage& st, bool stage1, unsigned level);
    void write_back(uint64_t pa, uint64_t value, bool s2);
    void fail(uint8_t id, bool s2, unsigned level);
    void abort_fetch(bool s2);
    void leaf_attributes();
    void finish();

    const Stage1Config* c1_ = nullptr;
    const Stage2Config* c2_ = nullptr;
    Geometry g1_{}, g2_{};
    WalkCaches* wc_ = nullptr;
    uint16_t vmid_ = 0, asid_ = 0;
    iommu::Request req_{};
    iommu::Result res_{};
    Fault fault_{};
    MemAttr attr_{};
    State state_ = State::Done;
    uint64_t addr_ = 0, update_ = 0;
    unsigned reads_ = 0, writes_ = 0;
    Stage s1_{}, s2_{};
    S2For s2_for_ = S2For::Input;
    bool write_s2_ = false;          // the pending write-back is a stage 2 descriptor's
    // What each stage grants, once its leaf is decoded.
    bool s1_read_ = true, s1_write_ = true, s2_read_ = true, s2_write_ = true;
    bool s1_table_s2_write_ = true;  // stage 2 lets the last stage 1 table be written
};

}  // namespace smmuv3
