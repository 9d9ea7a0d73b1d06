// The legacy-mode VT-d translation walk (VT-d spec 3.4 "Legacy Mode Address
// Translation", 9.1 root entry, 9.3 context entry, 9.8 second-level paging entries),
// as a state machine: each step asks for one 8-byte read or finishes with a result,
// so the same walk runs from a functional loop, a debug walk, or real memory
// transactions in timing mode.
//
//   root table[bus] -> context table[devfn] -> second-level table, 3, 4 or 5 levels
//
// Faults carry the legacy fault reason codes of regs.h.
#pragma once

#include <cstdint>

#include "models/iommu/translation.h"
#include "models/vtd/capabilities.h"

namespace vtd {

class LegacyWalker {
public:
    LegacyWalker(const Capabilities& caps, uint64_t root_table)
        : caps_(caps), root_(root_table) {}

    void start(const iommu::Request& r);
    // Starts from a context entry held in the context-cache (one context_valid() once
    // gave): no root or context reads, and its reserved bits are not checked again.
    void start_from_context(const iommu::Request& r, uint64_t ctx_lo, uint64_t ctx_hi);
    // Starts from a paging-structure cache hit: the entry at `level` (2..5) pointed to
    // `table`, with permissions read/write combined over it and the levels above.
    void start_from_walk_cache(const iommu::Request& r, uint64_t ctx_lo, uint64_t ctx_hi,
                               unsigned level, uint64_t table, bool read, bool write);
    // A non-leaf entry the walk went through, for the paging-structure caches.
    struct Pointer {
        unsigned level;   // the entry's level: 2 PDE .. 5 PML5E
        uint64_t table;   // the table it points to
        bool read, write; // combined over it and the levels above
    };
    const Pointer* pointers() const { return pointers_; }
    unsigned pointer_count() const { return npointers_; }
    bool done() const { return state_ == State::Done; }
    // The physical address of the next 8-byte read; valid while !done().
    uint64_t read_address() const { return addr_; }
    // The 8 bytes read at read_address(); ok=false when the read itself failed.
    void supply(uint64_t qword, bool ok = true);
    const iommu::Result& result() const { return res_; }
    // The request the walk serves (once started).
    const iommu::Request& request() const { return req_; }
    // How many table reads the walk made.
    unsigned reads() const { return reads_; }
    // The context entry, once the walk has read and accepted it (for the context-cache).
    bool context_valid() const { return ctx_valid_; }
    uint64_t context_lo() const { return lo_; }
    uint64_t context_hi() const { return hi_; }
    // Whether the result came from a second-level leaf (an IOTLB entry can hold it).
    bool translated_by_table() const { return from_table_; }

private:
    enum class State { RootLo, RootHi, ContextLo, ContextHi, Table, Done };

    void root_lo(uint64_t v);
    void root_hi(uint64_t v);
    void context_lo(uint64_t v);
    void context_hi(uint64_t v);
    void enter_context(uint64_t hi);
    void table(uint64_t v);
    bool begin_second_level(uint64_t hi);
    void pass_through();
    void next_table(uint64_t table_addr);
    void leaf(uint64_t v, uint64_t page_size);
    uint64_t reserved_bits(uint64_t v, unsigned level, bool large) const;
    void fail(uint32_t reason);
    uint64_t addr_mask() const;  // address bits 12 .. HAW-1

    const Capabilities& caps_;
    uint64_t root_;
    iommu::Request req_{};
    iommu::Result res_{};
    State state_ = State::Done;
    uint64_t addr_ = 0, lo_ = 0, hi_ = 0;
    bool ctx_valid_ = false, from_table_ = false;
    Pointer pointers_[4] = {};
    unsigned npointers_ = 0;
    unsigned level_ = 0, reads_ = 0;
};

}  // namespace vtd
