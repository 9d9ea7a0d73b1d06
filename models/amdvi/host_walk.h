// The host (v1) I/O page-table walk (§2.2.3 "I/O Page Tables for Host Translations")
// as an iommu::Walk: each step names one 8-byte entry read or an accessed/dirty
// write-back, so the same walk runs from a functional loop, from timed memory
// transactions, or as the sub-walk of another walk (a guest GCR3 walk translating
// its table pointers, later): it needs only a root, a Mode, an input address and the
// access.
//
// Levels are numbered as the spec does, 1 (4 KiB entries) to 6; level L's index is
// input bits [12 + 9L - 1 : 12 + 9(L-1)] (level 6: 63:57). An entry's NextLevel (11:9):
//   1-6  a page directory entry pointing at a table of that level, which must be
//        lower than L; levels between are skipped and their input bits must be 0.
//   0    a leaf of the level's default size (a leaf at level 6 is not allowed).
//   7    a leaf whose size is in its address bits: 1 << (1 + ffz(entry | 0xfff)),
//        larger than the level's default and smaller than the next level's (Table 14
//        "Example Page Size Encodings"; software replicates it over the entries it
//        covers, the walk reads only the one its input indexes).
// IR/IW are ANDed over the DTE and every entry; the walk stops at the first entry
// that denies the access. Faults are IO_PAGE_FAULT's flags (PR, PE, RZ) or a
// failed access (PAGE_TAB_HARDWARE_ERROR).
#pragma once

#include <cstdint>

#include "models/iommu/translator.h"

namespace amdvi {

struct HostWalkConfig {
    uint64_t root = 0;      // the top table (51:12)
    unsigned mode = 0;      // 1-6: the top table's level
    bool ir = true, iw = true;  // the DTE's permissions
    bool update_a = false;  // set Accessed (bit 5) in every entry used
    bool update_d = false;  // set Dirty (bit 6) in the leaf on a write
};

struct HostFault {
    enum class Kind : uint8_t { None, PageFault, HardwareError };
    Kind kind = Kind::None;
    bool present = false;     // PR: the entry that stopped the walk was present
    bool permission = false;  // PE: a permission denied the access
    bool reserved = false;    // RZ: a reserved bit was set
    uint64_t fetch = 0;       // HardwareError: the entry access that failed

    static HostFault page(bool present, bool permission = false, bool reserved = false) {
        HostFault f;
        f.kind = Kind::PageFault;
        f.present = present;
        f.permission = permission;
        f.reserved = reserved;
        return f;
    }
};

// A page directory entry the walk used (not a leaf): what the PDE cache keeps. ir/iw
// are the permissions of the entries above it (the DTE's not included).
struct PdeStep {
    unsigned level = 0;
    uint64_t pde = 0;
    bool ir = true, iw = true;
};

constexpr unsigned kMaxLevels = 6;
// The lowest input bit level L indexes; a level's default page is 1 << level_shift.
constexpr unsigned level_shift(unsigned level) { return 12 + 9 * (level - 1); }

class HostWalk final : public iommu::Walk {
public:
    void start(const HostWalkConfig& c, uint64_t input, bool read, bool write);
    // Starts below a cached page directory entry instead of at the root.
    void resume(const HostWalkConfig& c, uint64_t input, bool read, bool write, const PdeStep& cached);

    bool done() const override { return state_ == State::Done; }
    uint64_t read_address() const override { return addr_; }
    bool write_pending() const override { return state_ == State::Write; }
    uint64_t write_value() const override { return update_; }
    void supply(uint64_t qword, bool ok) override;

    // Once done: the translation of the input, or fault().
    bool ok() const { return fault_.kind == HostFault::Kind::None; }
    const HostFault& fault() const { return fault_; }
    uint64_t output() const { return out_; }
    uint64_t page_size() const { return uint64_t(1) << size_log2_; }
    unsigned size_log2() const { return size_log2_; }
    // The leaf's and the tables' permissions (the DTE's not included), FC and U.
    bool ir() const { return tab_ir_; }
    bool iw() const { return tab_iw_; }
    bool fc() const { return fc_; }
    bool u() const { return u_; }
    unsigned reads() const { return reads_; }
    unsigned writes() const { return writes_; }
    // The page directory entries this walk read from memory, top down.
    unsigned pde_count() const { return npde_; }
    const PdeStep& pde(unsigned i) const { return pdes_[i]; }

private:
    enum class State { Read, Write, Done };
    void begin(const HostWalkConfig& c, uint64_t input, bool read, bool write);
    void read_table(unsigned level, uint64_t table);
    void entry(uint64_t e, bool cached);
    bool leaf_size(uint64_t e, unsigned next, unsigned& log2) const;
    void directory(const PdeStep& step, unsigned next, bool cached);
    void leaf(uint64_t e, unsigned log2);
    void write_back(uint64_t e);
    void page_fault(bool present, bool permission = false, bool reserved = false);
    bool allowed() const;

    HostWalkConfig c_{};
    uint64_t input_ = 0;
    bool read_ = false, write_ = false;
    State state_ = State::Done;
    unsigned level_ = 0;
    uint64_t addr_ = 0, update_ = 0;
    uint64_t next_table_ = 0;     // after a PDE's write-back: the table to read
    unsigned next_level_ = 0;     // ... and its level (0: the write was the leaf's)
    bool tab_ir_ = true, tab_iw_ = true;
    uint64_t out_ = 0;
    unsigned size_log2_ = 12;
    bool fc_ = false, u_ = false;
    unsigned reads_ = 0, writes_ = 0;
    PdeStep pdes_[kMaxLevels]{};
    unsigned npde_ = 0;
    HostFault fault_{};
};

}  // namespace amdvi
