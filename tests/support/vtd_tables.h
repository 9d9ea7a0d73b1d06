// vtdtest: the test-side ENCODER of Intel VT-d translation structures.
//
// Written from the Intel VT-d specification (Intel Virtualization Technology for Directed
// I/O, Architecture Specification, rev 3.x-5.x: chapter 9 "Translation Structure
// Formats", chapter 3 "DMA Remapping", chapter 11 "Register Descriptions"), with bit
// positions cross-checked against Linux (drivers/iommu/intel/iommu.h, pasid.h, iommu.c,
// generic_pt/fmt/vtdss.h and x86_64.h) and QEMU (hw/i386/intel_iommu_internal.h).
//
// It shares no code with the hardware decoder in models/vtd, on purpose (DESIGN.md,
// "Hardware and driver are written separately"): if both used one helper, a shared
// misreading of the specification would pass every test.
//
// Two layers:
//   * Raw encoders: pure functions from a spec struct to the 64-bit words of one entry.
//     Each names its spec section and the bit positions it writes.
//   * TableBuilder: allocates 4 KiB tables from a bump allocator in a SparseMemory and
//     writes root, context, PASID-directory, PASID-table and paging entries into them,
//     creating intermediate tables as needed. Every entry it writes has an address that
//     tests can get back, to clear a P bit or set a reserved bit afterwards.
//
// Encoders and builder reject malformed requests (unaligned addresses, fields too wide)
// with std::invalid_argument, and inconsistent ones (mapping through a large page) with
// std::logic_error. To build deliberately malformed entries, encode a valid one and OR
// raw bits in (the `extra` fields), or overwrite the entry through its address.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <vector>

#include "models/memory/sparse_memory.h"

namespace vtdtest {

constexpr uint64_t kPageBytes = 4096;

// Page sizes a leaf paging entry can map. 2 MiB and 1 GiB are large pages (PS=1).
enum class PageSize : uint64_t {
    k4K = uint64_t(1) << 12,
    k2M = uint64_t(1) << 21,
    k1G = uint64_t(1) << 30,
};

// RTADDR_REG.TTM, bits 11:10 (spec 11.4.5 "Root Table Address Register").
enum class Ttm : uint64_t { kLegacy = 0, kScalable = 1 };

// Legacy context-entry TT, bits 3:2 (spec 9.3, "Context Entry").
enum class TranslationType : uint8_t {
    kUntranslated = 0,    // untranslated requests only, through the second-level tables
    kDeviceTlb = 1,       // untranslated + translation requests (device-TLB / ATS)
    kPassThrough = 2,     // untranslated requests pass through (needs ECAP.PT)
};

// Scalable-mode PASID-table-entry PGTT, bits 8:6 (spec 9.6).
enum class Pgtt : uint8_t {
    kFirstLevel = 1,
    kSecondLevel = 2,
    kNested = 3,
    kPassThrough = 4,
};

using Entry128 = std::array<uint64_t, 2>;  // qword 0 = bits 63:0, qword 1 = bits 127:64
using Entry256 = std::array<uint64_t, 4>;
using Entry512 = std::array<uint64_t, 8>;

// AW code of a context entry or PASID-table entry for a second-level table of `levels`
// levels: 3 -> 1 (39-bit AGAW), 4 -> 2 (48-bit), 5 -> 3 (57-bit). Spec 9.3, 9.6.
uint8_t aw_for_levels(int levels);

// ---------------------------------------------------------------------------------------
// Raw encoders
// ---------------------------------------------------------------------------------------

// RTADDR_REG value: root-table address 63:12, TTM 11:10 (spec 11.4.5).
uint64_t encode_rtaddr(uint64_t root_table, Ttm ttm);

// Legacy root entry, 128 bits (spec 9.1): P=0, CTP (context-table pointer)=63:12;
// bits 11:1 and the whole upper qword are reserved.
Entry128 encode_root_entry(bool present, uint64_t context_table);

// Scalable-mode root entry, 128 bits (spec 9.2): LP=0 and LCTP=63:12 (context table for
// devfn 0-127); UP=64 and UCTP=127:76 (context table for devfn 128-255).
Entry128 encode_sm_root_entry(bool lower_present, uint64_t lower_table, bool upper_present,
                              uint64_t upper_table);

// Legacy context entry, 128 bits (spec 9.3).
struct ContextSpec {
    bool present = true;                                  // P, bit 0
    bool fpd = false;                                     // FPD, bit 1
    TranslationType tt = TranslationType::kUntranslated;  // TT, bits 3:2
    uint64_t slptptr = 0;                                 // SLPTPTR, bits 63:12
    uint8_t aw = 2;                                       // AW, bits 66:64 (1/2/3)
    uint16_t did = 0;                                     // DID, bits 87:72
};
Entry128 encode_context_entry(const ContextSpec& spec);

// Scalable-mode context entry, 256 bits (spec 9.4). Qwords 2 and 3 are reserved.
struct ScalableContextSpec {
    bool present = true;     // P, bit 0
    bool fpd = false;        // FPD, bit 1
    bool dte = false;        // DTE (device-TLB enable), bit 2
    bool paside = false;     // PASIDE (requests with PASID enabled), bit 3
    bool pre = false;        // PRE (page request enable), bit 4
    uint8_t pdts = 0;        // PDTS, bits 11:9: the directory holds 2^(PDTS+7) entries
    uint64_t pasid_dir = 0;  // PASIDDIRPTR, bits 63:12. TableBuilder: 0 = allocate one
    uint32_t rid_pasid = 0;  // RID_PASID, bits 83:64: PASID for requests without one
    bool rid_priv = false;   // RID_PRIV, bit 84: such requests are supervisor requests
};
Entry256 encode_sm_context_entry(const ScalableContextSpec& spec);

// Scalable-mode PASID directory entry, 64 bits (spec 9.5): P=0, FPD=1,
// SMPTBLPTR (PASID-table pointer)=63:12; bits 11:2 reserved.
uint64_t encode_pasid_dir_entry(bool present, bool fpd, uint64_t pasid_table);

// Scalable-mode PASID table entry, 512 bits (spec 9.6). Qwords 3-7 are reserved.
struct PasidSpec {
    bool present = true;                // P, bit 0
    bool fpd = false;                   // FPD, bit 1
    uint8_t aw = 2;                     // AW, bits 4:2: second-level levels - 2
    Pgtt pgtt = Pgtt::kSecondLevel;     // PGTT, bits 8:6
    bool ssade = false;                 // SSADE (was SLADE), bit 9: SL A/D updates
    uint64_t slptptr = 0;               // SLPTPTR, bits 63:12
    uint16_t did = 0;                   // DID, bits 79:64
    bool pwsnp = false;                 // PWSNP (page-walk snoop), bit 87
    bool pgsnp = false;                 // PGSNP (page snoop), bit 88
    bool sre = false;                   // SRE (supervisor request enable), bit 128
    uint8_t flpm = 0;                   // FLPM, bits 131:130: 0 4-level, 1 5-level
    bool wpe = false;                   // WPE (write protect enable), bit 132
    bool eafe = false;                  // EAFE (extended accessed flag enable), bit 135
    uint64_t flptptr = 0;               // FLPTPTR, bits 191:140
};
Entry512 encode_pasid_entry(const PasidSpec& spec);

// Second-level paging entry, 64 bits (spec 9.8, "Second-Level Paging Entries"; 4.x calls
// them second-stage). Non-leaf entries use R, W, X, A and the address only: bit 7 is
// reserved in a PML5E/PML4E and must be 0 (PS) in a table-pointing PDPE/PDE, bit 11 is
// reserved. A 4 KiB PTE ignores bit 7.
struct SlEntry {
    uint64_t addr = 0;  // next table or page frame, bits 51:12 (bits HAW-1:12 used)
    bool r = false;     // R, bit 0
    bool w = false;     // W, bit 1
    bool x = false;     // X, bit 2: execute, honoured only when the PASID entry's SLEE
                        // (bit 5, spec rev 3.x) is set; ignored otherwise
    bool ps = false;    // PS, bit 7: this PDPE (1 GiB) / PDE (2 MiB) maps a page
    bool a = false;     // A, bit 8: accessed (hardware sets it when SSADE=1)
    bool d = false;     // D, bit 9: dirty, leaf only
    bool snp = false;   // SNP, bit 11: snoop, leaf only (needs ECAP.SC)
    bool tm = false;    // TM, bit 62: transient mapping, leaf only (device-TLB hint)
    uint64_t extra = 0;  // raw bits ORed in last (EMT 5:3, IPAT 6, reserved bits, ...)
};
uint64_t encode_sl_entry(const SlEntry& e);

// First-level paging entry, 64 bits: x86 4/5-level paging (spec 9.7, "First-Level
// Paging Entries"; Intel SDM vol. 3 chapter 4.5).
struct FlEntry {
    uint64_t addr = 0;  // bits 51:12 (HAW-1:12). For a large page, PAT is bit 12
    bool p = true;      // P, bit 0
    bool rw = false;    // R/W, bit 1
    bool us = false;    // U/S, bit 2
    bool pwt = false;   // PWT, bit 3
    bool pcd = false;   // PCD, bit 4
    bool a = false;     // A, bit 5
    bool d = false;     // D, bit 6 (leaf only)
    bool ps = false;    // PS, bit 7 (PDPE 1 GiB / PDE 2 MiB; PAT in a 4 KiB PTE)
    bool g = false;     // G, bit 8 (leaf only)
    bool xd = false;    // XD, bit 63
    uint64_t extra = 0;  // raw bits ORed in last (EA bit 10, reserved bits, ...)
};
uint64_t encode_fl_entry(const FlEntry& e);

// ---------------------------------------------------------------------------------------
// TableBuilder
// ---------------------------------------------------------------------------------------

// Leaf attributes of a second-level mapping. Non-leaf entries are always R=W=1, X=0.
struct SlLeaf {
    bool r = true;
    bool w = true;
    bool x = false;
    bool snp = false;
    bool tm = false;
    bool a = false;
    bool d = false;
    uint64_t extra = 0;  // raw bits ORed into the leaf
};

// Leaf attributes of a first-level mapping. Non-leaf entries are always P=R/W=U/S=1,
// XD=0, so the leaf alone decides the permissions.
struct FlLeaf {
    bool rw = true;
    bool us = true;
    bool pwt = false;
    bool pcd = false;
    bool a = false;
    bool d = false;
    bool g = false;
    bool xd = false;
    uint64_t extra = 0;  // raw bits ORed into the leaf
};

// The paging entries one mapping went through: entry addresses, top level first, the leaf
// last. The table holding entries[i] is entries[i] & ~0xfff.
struct WalkPath {
    std::vector<uint64_t> entries;
    uint64_t leaf() const { return entries.back(); }
};

class TableBuilder {
public:
    static constexpr uint64_t kDefaultBase = 0x1000'0000;

    // Tables are allocated upward from `base` (4 KiB aligned). A non-zero `limit` is the
    // first address the allocator may not hand out.
    explicit TableBuilder(memory::SparseMemory& mem, uint64_t base = kDefaultBase,
                          uint64_t limit = 0);

    // `count` contiguous zeroed 4 KiB pages; returns the first one's address.
    uint64_t alloc_pages(uint64_t count = 1);
    // One zeroed page, e.g. the root of a new second- or first-level table.
    uint64_t new_table() { return alloc_pages(1); }
    uint64_t next_free() const { return next_; }
    uint64_t pages_allocated() const { return (next_ - base_) / kPageBytes; }

    // ---- Legacy mode (spec 3.4.2: root table -> context table -> SL tables) ----
    // The legacy root table (allocated on first use).
    uint64_t legacy_root();
    // Creates the root table, the bus's context table (and its root entry, P=1) if
    // needed, then writes the context entry. Returns the RTADDR value (TTM=00).
    uint64_t set_legacy_context(uint8_t bus, uint8_t devfn, const ContextSpec& spec);

    // ---- Scalable mode (spec 3.4.3: root -> context -> PASID directory -> PASID table) --
    uint64_t scalable_root();
    // Creates the scalable root table, the bus's lower or upper context table (devfn < 128
    // or >= 128) and writes the 256-bit context entry. When spec.pasid_dir is 0 a zeroed
    // PASID directory of 2^(PDTS+7) 8-byte entries is allocated and used. Returns the
    // RTADDR value (TTM=01).
    uint64_t set_scalable_context(uint8_t bus, uint8_t devfn, ScalableContextSpec spec);
    // Writes the PASID-table entry for `pasid` of a device set up by set_scalable_context:
    // directory index pasid >> 6, table index pasid & 0x3f. Creates the PASID table and its
    // directory entry (P=1) if needed. Throws if the directory index is not below
    // 2^(PDTS+7). Returns the RTADDR value (TTM=01).
    uint64_t set_pasid_entry(uint8_t bus, uint8_t devfn, uint32_t pasid, const PasidSpec& spec);

    // ---- Paging structures ----
    // Maps [iova, iova + size) to pa in the second-level table rooted at `root` with
    // `levels` levels (3, 4 or 5), creating intermediate tables. Leaf level: PTE for 4K,
    // PDE for 2M, PDPE for 1G (PS=1). Remapping a leaf overwrites it; mapping through a
    // large page, or a leaf over a table, throws std::logic_error.
    WalkPath map_second_level(uint64_t root, int levels, uint64_t iova, uint64_t pa,
                              PageSize size = PageSize::k4K, const SlLeaf& leaf = {});
    // The same for an x86 first-level table (levels 4 or 5). `va` must be canonical:
    // bits 63:47 (4-level) or 63:56 (5-level) all equal.
    WalkPath map_first_level(uint64_t root, int levels, uint64_t va, uint64_t pa,
                             PageSize size = PageSize::k4K, const FlLeaf& leaf = {});

    // ---- Addresses of written entries (throw std::logic_error if not created) ----
    // 16-byte root entry for `bus`. In scalable mode the upper half (UCTP) is at +8.
    uint64_t root_entry_addr(Ttm mode, uint8_t bus) const;
    // Legacy: context table + devfn * 16. Scalable: lower/upper table + (devfn & 0x7f) * 32.
    uint64_t context_entry_addr(Ttm mode, uint8_t bus, uint8_t devfn) const;
    uint64_t pasid_dir(uint8_t bus, uint8_t devfn) const;
    uint64_t pasid_dir_entry_addr(uint8_t bus, uint8_t devfn, uint32_t pasid) const;
    uint64_t pasid_entry_addr(uint8_t bus, uint8_t devfn, uint32_t pasid) const;

private:
    struct ScalableDevice {
        uint64_t pasid_dir;
        uint8_t pdts;
    };
    using PointerEncoder = uint64_t (*)(uint64_t table);

    template <size_t N>
    void write_entry(uint64_t addr, const std::array<uint64_t, N>& qwords);
    // The table the entry at `entry_addr` points to. When absent, allocates a table and
    // writes encode(table) into the (64-bit) entry.
    uint64_t child_table(uint64_t entry_addr, PointerEncoder encode, uint64_t pages = 1);
    // The context table holding (bus, devfn), created with its root entry when absent.
    uint64_t context_table(Ttm mode, uint8_t bus, uint8_t devfn);
    // Walks from `root` down to the leaf level of `size`, creating tables whose pointer
    // entries are encode_table(table), and writes `leaf` at the leaf level.
    WalkPath map(uint64_t root, int levels, uint64_t addr, PageSize size, uint64_t leaf,
                 PointerEncoder encode_table);

    memory::SparseMemory& mem_;
    uint64_t base_;
    uint64_t limit_;
    uint64_t next_;
    uint64_t legacy_root_ = 0;
    uint64_t sm_root_ = 0;
    // Entry address -> the table it points to, for every pointer entry this builder wrote.
    std::map<uint64_t, uint64_t> children_;
    // Entry addresses of leaf paging entries this builder wrote.
    std::set<uint64_t> leaves_;
    // (bus << 8 | devfn) -> PASID directory of a scalable-mode device.
    std::map<uint16_t, ScalableDevice> sm_devices_;
};

}  // namespace vtdtest
