// The scalable-mode VT-d translation walk (VT-d spec 3.6 first-level, 3.7 second-level,
// 3.8 nested translation; 9.4 scalable-mode root entry, 9.5 scalable-mode context entry,
// 9.5/9.6 PASID directory and PASID table entries, 9.7 first-level and 9.8 second-level
// paging entries), as a state machine with the interface of LegacyWalker: each step asks
// for one 8-byte read or finishes with a result.
//
//   root[bus] (lower half devfn < 128, upper half devfn >= 128)
//     -> context[devfn % 128] (32 B) -> PASID directory[pasid >> 6]
//     -> PASID table[pasid & 0x3f] (64 B) -> by PGTT:
//          1 first-level (x86 4/5-level)        2 second-level (3/4/5 levels)
//          3 nested: every first-level table pointer and the output are guest-physical
//            and each goes through a second-level walk
//          4 pass-through
//
// Reads per structure: root 1 (only the half the devfn uses), context 2 (qwords 2-3 are
// reserved and not fetched), directory 1, PASID entry 3 (qwords 3-7 hold no field this
// model uses and are not fetched), then one per paging entry. The longest walk, nested
// 5-level over 5-level, makes 7 + 5 * (5 + 1) + 5 = 42 reads. Under SSADE an entry
// whose A (or, for a write's leaf, D) flag is clear is written back with it set.
// A walk may start from a cached context entry or PASID-table entry instead.
//
// Faults carry the scalable-mode fault reasons of vtd::sm_fault below.
#pragma once

#include <cstdint>

#include "models/iommu/translation.h"
#include "models/vtd/capabilities.h"

namespace vtd {

// Scalable-mode fault reasons (VT-d spec 7.1.3, Table "Scalable-Mode Fault Conditions").
// Each value was checked against three sources: the condition codes and values of
// VirtualBox include/VBox/iommu-intel.h (VTDADDRFAULT_*, written from spec 3.x), the
// reason strings Linux prints (drivers/iommu/intel/dmar.c dma_remap_sm_fault_reasons[],
// indexed from 0x30) and, where QEMU models the condition, its VTDFaultReason enum in
// hw/i386/intel_iommu_internal.h. Linux strings are quoted in the comments.
namespace sm_fault {
// RTA.1: "SM: Invalid Root Table Address". Here: scalable-mode walk without ECAP.SMTS.
constexpr uint32_t RTA_INVALID = 0x30;
// RTA.3 "SM: TTM 0 for page group request": a page request while the unit is in
// legacy mode (page requests exist in scalable mode only).
constexpr uint32_t RTA_LEGACY_PAGE_REQUEST = 0x32;
// SRT.1 "Error attempting to access Root Entry"
constexpr uint32_t SRT_ACCESS = 0x38;
// SRT.2 "Present bit in Root Entry is clear" (LP or UP, the half the devfn uses)
constexpr uint32_t SRT_NOT_PRESENT = 0x39;
// SRT.3 "Non-zero reserved field set in Root Entry"
constexpr uint32_t SRT_RESERVED = 0x3a;
// SCT.1 "Error attempting to access Context Entry"
constexpr uint32_t SCT_ACCESS = 0x40;
// SCT.2 "Present bit in Context Entry is clear"
constexpr uint32_t SCT_NOT_PRESENT = 0x41;
// SCT.3 "Non-zero reserved field set in the Context Entry"
constexpr uint32_t SCT_RESERVED = 0x42;
// SCT.4 "Invalid Context Entry": DTE without ECAP.DT, PASIDE without ECAP.PASID.
constexpr uint32_t SCT_INVALID = 0x43;
// SCT.5 "DTE field in Context Entry is clear": a translation request or a translated
// request from a device whose device-TLB is not enabled.
constexpr uint32_t SCT_DTE_CLEAR = 0x44;
// SCT.6 "PASID Enable field in Context Entry is clear" (request with PASID, PASIDE=0)
constexpr uint32_t SCT_PASID_DISABLED = 0x45;
// SCT.7 "PASID is larger than the max in Context Entry" (beyond PDTS or ECAP.PSS)
constexpr uint32_t SCT_PASID_TOO_LARGE = 0x46;
// SCT.8 "PRE field in Context-Entry is clear": a page request from a device whose
// page requests are not enabled (QEMU VTD_FR_SM_PRE_ABS).
constexpr uint32_t SCT_PRE_CLEAR = 0x47;
// SCT.9 "RID_PASID field error in Context-Entry" (RID_PASID beyond the directory)
constexpr uint32_t SCT_RID_PASID = 0x48;
// SPD.1 "Error attempting to access the PASID Directory Entry"
// (QEMU VTD_FR_PASID_DIR_ACCESS_ERR)
constexpr uint32_t SPD_ACCESS = 0x50;
// SPD.2 "Present bit in Directory Entry is clear" (QEMU VTD_FR_PASID_DIR_ENTRY_P)
constexpr uint32_t SPD_NOT_PRESENT = 0x51;
// SPD.3 "Non-zero reserved field set in PASID Directory Entry"
constexpr uint32_t SPD_RESERVED = 0x52;
// SPT.1 "Error attempting to access PASID Table Entry"
// (QEMU VTD_FR_PASID_TABLE_ACCESS_ERR)
constexpr uint32_t SPT_ACCESS = 0x58;
// SPT.2 "Present bit in PASID Table Entry is clear" (QEMU VTD_FR_PASID_ENTRY_P)
constexpr uint32_t SPT_NOT_PRESENT = 0x59;
// SPT.3 "Non-zero reserved field set in PASID Table Entry"
constexpr uint32_t SPT_RESERVED = 0x5a;
// SPT.4 "Invalid Scalable-Mode PASID Table Entry": PGTT the ECAP does not support, AW
// not in SAGAW, FLPM not supported (QEMU VTD_FR_PASID_TABLE_ENTRY_INV)
constexpr uint32_t SPT_INVALID = 0x5b;
// SPT.5 "ERE field is clear in PASID Table Entry" (execute request, ERE=0)
constexpr uint32_t SPT_ERE = 0x5c;
// SPT.6 "SRE field is clear in PASID Table Entry" (supervisor request, SRE=0)
constexpr uint32_t SPT_SRE = 0x5d;
// SFL.1 "Error attempting to access first-level paging entry"
// (QEMU VTD_FR_FS_PAGING_ENTRY_INV)
constexpr uint32_t SFL_ACCESS = 0x70;
// SFL.2 "Present bit in first-level paging entry is clear" (QEMU VTD_FR_FS_PAGING_ENTRY_P)
constexpr uint32_t SFL_NOT_PRESENT = 0x71;
// SFL.3 "Non-zero reserved field set in first-level paging entry"
// (QEMU VTD_FR_FS_PAGING_ENTRY_RSVD)
constexpr uint32_t SFL_RESERVED = 0x72;
// SFL.4 "Error attempting to access FL-PML4 entry", i.e. the table FLPTPTR points at
// (QEMU VTD_FR_PASID_ENTRY_FSPTPTR_INV)
constexpr uint32_t SFL_TOP_ACCESS = 0x73;
// SFL.5 "First-level entry address beyond MGAW in Nested translation"
constexpr uint32_t SFL_NESTED_ADDR = 0x74;
// SFL.6 "Read permission error in FL-PML4 entry in Nested translation"
constexpr uint32_t SFL_NESTED_TOP_READ = 0x75;
// SFL.7 "Read permission error in first-level paging entry in Nested translation"
constexpr uint32_t SFL_NESTED_READ = 0x76;
// SSL.1 "Error attempting to access second-level paging entry"
constexpr uint32_t SSL_ACCESS = 0x78;
// SSL.2 "Read/Write permission error in second-level paging entry": an entry with
// R=W=0, which scalable mode treats as not present.
constexpr uint32_t SSL_NOT_PRESENT = 0x79;
// SSL.3 "Non-zero reserved field set in second-level paging entry"
constexpr uint32_t SSL_RESERVED = 0x7a;
// SSL.4 "Invalid second-level page table pointer": reading the table SLPTPTR points at
// failed
constexpr uint32_t SSL_TOP_ACCESS = 0x7b;
// SGN.1 "Address in first-level translation is not canonical"
// (QEMU VTD_FR_FS_NON_CANONICAL)
constexpr uint32_t SGN_NON_CANONICAL = 0x80;
// SGN.2 "U/S set 0 for first-level translation with user privilege"
// (QEMU VTD_FR_FS_PAGING_ENTRY_US)
constexpr uint32_t SGN_PRIVILEGE = 0x81;
// SGN.3 "No execute permission for request with PASID and ER=1"
constexpr uint32_t SGN_EXECUTE = 0x82;
// SGN.4 "Address beyond the DMA hardware max": pass-through input above HAW.
constexpr uint32_t SGN_ADDR_BEYOND_HAW = 0x83;
// SGN.5 "Second-level entry address beyond the max": second-level input above
// min(MGAW, AGAW of the PASID entry's AW). VirtualBox reports this condition as SGN.5;
// which of SGN.4 / SGN.5 the spec table assigns to it is not confirmed from the table.
constexpr uint32_t SGN_ADDR_BEYOND_AW = 0x84;
// SGN.6 "No write permission for Write/AtomicOp request" (QEMU VTD_FR_SM_WRITE)
constexpr uint32_t SGN_WRITE = 0x85;
// SGN.7 "No read permission for Read/AtomicOp request"
constexpr uint32_t SGN_READ = 0x86;
}  // namespace sm_fault

class ScalableWalker {
public:
    ScalableWalker(const Capabilities& caps, uint64_t root_table)
        : caps_(caps), root_(root_table) {}

    void start(const iommu::Request& r);
    // Starts from a context entry the context-cache holds: no root or context reads.
    void start_from_context(const iommu::Request& r, uint64_t ctx_lo, uint64_t ctx_hi);
    // Starts from a PASID-table entry the PASID-cache holds (qwords 0-2, and whether
    // the directory entry above it set FPD): the paging structures only.
    void start_from_pasid_entry(const iommu::Request& r, uint64_t ctx_lo, uint64_t ctx_hi,
                                const uint64_t (&pte)[3], bool dir_fpd);
    bool done() const { return state_ == State::Done; }
    // The physical address of the next 8-byte read; valid while !done().
    uint64_t read_address() const { return addr_; }
    // The next access is an A/D update: write write_value() at read_address().
    bool write_pending() const { return state_ == State::SlUpdate; }
    uint64_t write_value() const { return update_; }
    // The 8 bytes read at read_address() (ignored after a write); ok=false when the
    // access itself failed.
    void supply(uint64_t qword, bool ok = true);
    const iommu::Result& result() const { return res_; }
    // How many table reads, and A/D writes, the walk made.
    unsigned reads() const { return reads_; }
    unsigned writes() const { return writes_; }

    // What the walk read and accepted, for the context- and PASID-caches: the context
    // entry once its own checks passed, the PASID-table entry likewise (before the
    // request-specific SRE/ERE checks), with the PASID it was selected by.
    bool context_valid() const { return ctx_ok_; }
    uint64_t context_lo() const { return ctx_lo_; }
    uint64_t context_hi() const { return ctx_hi_; }
    bool pasid_entry_valid_read() const { return pte_ok_; }
    const uint64_t (&pasid_entry() const)[3] { return pte_; }
    bool dir_fpd() const { return dir_fpd_; }
    uint32_t pasid() const { return pasid_; }
    // The request's effective privilege and execute attributes (RID_PRIV for a request
    // without PASID).
    bool effective_priv() const { return priv_; }
    bool effective_exec() const { return exec_; }
    // Second-level A/D is on for this PASID (SSADE with ECAP.SSADS).
    bool ad_enabled() const;

private:
    enum class State { Root, ContextLo, ContextHi, PasidDir, PasidEntry, FirstLevel,
                       SecondLevel, SlUpdate, Done };
    // What a second-level walk translates: the request's address (PGTT=2), the
    // guest-physical address of a first-level entry, or the first-level output (PGTT=3).
    enum class SlFor { Output, FlEntry, NestedOutput };

    // Context: root, context entry, PASID directory and table.
    void root(uint64_t v);
    void context_lo(uint64_t v);
    void context_hi(uint64_t v);
    bool select_pasid(uint64_t hi);
    void pasid_dir(uint64_t v);
    void pasid_entry(uint64_t v);
    bool pasid_entry_reserved() const;
    bool pasid_entry_valid() const;
    void begin_translation();
    void pass_through();
    void translated();
    bool translation_request() const { return req_.at == iommu::At::TranslationRequest; }
    // First level.
    void begin_first_level();
    void read_fl_entry(uint64_t table);
    void first_level(uint64_t v);
    bool fl_permitted(bool leaf);
    bool fl_writable() const;
    void fl_leaf(uint64_t v);
    // Second level.
    void begin_second_level(uint64_t input, SlFor purpose);
    void read_sl_entry(uint64_t table);
    void second_level(uint64_t v);
    void sl_next(uint64_t v);
    uint64_t sl_ad_bits(uint64_t v, bool leaf) const;
    uint64_t sl_reserved(uint64_t v, bool large) const;
    bool sl_permitted();
    void sl_leaf(uint64_t v, uint64_t page_size);
    // Outcome.
    void finish(uint64_t pa, uint64_t page_size, bool read, bool write, bool snoop_forced);
    uint32_t access_fault() const;
    void fail(uint32_t reason);
    uint64_t addr_mask() const;  // address bits 12 .. HAW-1
    unsigned pgtt() const;

    const Capabilities& caps_;
    uint64_t root_;
    iommu::Request req_{};
    iommu::Result res_{};
    State state_ = State::Done;
    uint64_t addr_ = 0;
    unsigned reads_ = 0, writes_ = 0;
    uint64_t update_ = 0;  // the entry with A/D set, while State::SlUpdate
    // Context state.
    uint64_t ctx_lo_ = 0, ctx_hi_ = 0;
    bool ctx_ok_ = false, pte_ok_ = false, dir_fpd_ = false;
    uint64_t pte_[3] = {};  // PASID table entry qwords 0-2
    unsigned pte_qword_ = 0;
    uint32_t pasid_ = 0;
    bool priv_ = false, exec_ = false;
    bool fpd_ = false;  // FPD seen in the context, directory or PASID entry
    // First-level walk.
    unsigned fl_levels_ = 0, fl_level_ = 0;
    bool fl_user_ = true, fl_rw_ = true, fl_xd_ = false;
    uint64_t fl_size_ = 0;
    // Second-level walk.
    SlFor sl_for_ = SlFor::Output;
    unsigned sl_levels_ = 0, sl_level_ = 0;
    bool sl_read_ = true, sl_write_ = true;
    uint64_t sl_input_ = 0;
};

}  // namespace vtd
