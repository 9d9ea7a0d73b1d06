// The guest (v2) translation of a request with a PASID (48882 §2.2.6 "Guest
// Translation" and the GCR3 table; the guest tables are x86 long-mode paging
// structures, AMD64 APM vol. 2 §5.3; Linux io_pgtable_v2.c IOMMU_PAGE_* for the bits)
// as an iommu::Walk, one 8-byte access at a time:
//
//   GCR3 table  GLX + 1 levels of 512 8-byte entries at system physical addresses,
//               indexed by PASID[9(n+1)-1 : 9n] at level n (Linux __get_gcr3_pte);
//               an entry is valid with bit 0; an upper level's 51:12 is the next
//               table (SPA), the last level's 51:12 the guest CR3 (a GPA).
//   guest walk  4 or 5 levels of x86 entries: P 0, R/W 1, U/S 2, A 5, D 6, PS 7 (a
//               1 GiB leaf at level 3, 2 MiB at level 2; must be 0 at levels 4 and
//               5), address 51:12, NX 63. Hardware sets A in every entry it uses and
//               D in the leaf of a write.
//   nesting     with a host table (DTE Mode != 0) every GPA the walk produces (the
//               guest CR3, each next-table address, the final address) is translated
//               by a HostWalk sub-walk before it is used; without one, GPA = SPA.
//
// Permissions accumulate over the levels: a write needs R/W=1 everywhere; a user
// request (no privileged bit) needs U/S=1 everywhere when USSup; an execute request
// needs NX=0 everywhere when NXSup. A fault names the structure that raised it: the
// guest side (GCR3 entry or guest entry: IO_PAGE_FAULT with GN=1) or the host tables
// translating `gpa` (host()).
#pragma once

#include <cstdint>

#include "models/amdvi/host_walk.h"
#include "models/iommu/translator.h"

namespace amdvi {

struct GuestWalkConfig {
    uint64_t gcr3_table = 0;  // the DTE's GCR3 table root pointer (SPA)
    unsigned glx = 0;         // GCR3 table levels minus one
    uint32_t pasid = 0;
    unsigned levels = 4;      // guest paging levels: 4 or 5
    bool nested = false;      // translate GPAs through `host`
    HostWalkConfig host{};    // the DTE's host table (its IR/IW apply to the final GPA)
    bool us_sup = false;      // EFR.USSup: U/S is checked
    bool nx_sup = false;      // EFR.NXSup: NX is checked
};

// What the request asks of the page.
struct GuestAccess {
    bool read = false, write = false;
    bool user = false;  // no privileged-mode bit
    bool exec = false;
};

// IO_PAGE_FAULT's flags or a failed access, as a host walk's, and which side raised it.
struct GuestFault : HostFault {
    bool host = false;  // raised by the host tables translating gpa (nested)
    uint64_t gpa = 0;   // host: the guest physical address they could not translate
};

class GuestWalk final : public iommu::Walk {
public:
    // `access` with neither read nor write (an ATS Translation Request) checks only
    // what reads need.
    void start(const GuestWalkConfig& c, uint64_t gva, const GuestAccess& access);

    bool done() const override { return stage_ == Stage::Done; }
    uint64_t read_address() const override;
    bool write_pending() const override;
    uint64_t write_value() const override;
    void supply(uint64_t qword, bool ok) override;

    // Once done: the system physical address of the input, or fault().
    bool ok() const { return fault_.kind == HostFault::Kind::None; }
    const GuestFault& fault() const { return fault_; }
    uint64_t output() const { return out_; }
    // The translation's page: the smaller of the guest leaf and the host leaf.
    unsigned size_log2() const { return size_log2_; }
    uint64_t page_size() const { return uint64_t(1) << size_log2_; }
    // The guest tables' permissions over every level, and the leaf's dirty state.
    bool writable() const { return rw_; }
    bool user() const { return us_; }
    bool executable() const { return !nx_; }
    bool dirty() const { return dirty_; }
    // The host tables' permissions and FC for the final GPA (true/false unnested).
    bool host_ir() const { return host_ir_; }
    bool host_iw() const { return host_iw_; }
    bool fc() const { return fc_; }
    // Every access, guest and host sub-walks together.
    unsigned reads() const { return reads_; }
    unsigned writes() const { return writes_; }

private:
    enum class Stage { Gcr3, Entry, Write, HostTable, HostFinal, Done };
    void gcr3_entry(uint64_t e);
    void table(uint64_t gpa);
    void read_entry(uint64_t spa);
    void entry(uint64_t e);
    bool reserved(uint64_t e, bool leaf) const;
    bool denied() const;
    void leaf(uint64_t e);
    void final_address(uint64_t gpa);
    void after_write();
    void host_supply(uint64_t qword, bool ok);
    void host_finished();
    void page_fault(bool present, bool permission = false, bool reserved = false);
    void hardware_error(uint64_t at);

    GuestWalkConfig c_{};
    GuestAccess a_{};
    uint64_t gva_ = 0;
    Stage stage_ = Stage::Done;
    unsigned gcr3_level_ = 0, level_ = 0;
    uint64_t addr_ = 0, update_ = 0;
    uint64_t next_gpa_ = 0;  // after a write-back: the next table, or the final GPA
    bool next_is_final_ = false;
    HostWalk host_;
    uint64_t host_input_ = 0;
    bool rw_ = true, us_ = true, nx_ = false, dirty_ = false;
    bool host_ir_ = true, host_iw_ = true, fc_ = false;
    uint64_t out_ = 0;
    unsigned size_log2_ = 12;
    unsigned reads_ = 0, writes_ = 0;
    GuestFault fault_{};
};

}  // namespace amdvi
