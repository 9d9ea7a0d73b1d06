// How the engine's timing shell (pipeline.h) drives an architecture's translation
// unit: a lookup stage that answers from the unit's caches, and table walks that run
// in numbered walker slots, one 8-byte memory read at a time. The shell decides when
// each step happens and carries every read to memory; the unit decides what is read
// and what it means. VT-d's RemappingUnit, AMD-Vi's AmdviUnit and SMMUv3's SmmuUnit
// implement it, each with its own walks behind the same Walk interface.
#pragma once

#include <cstdint>

#include "models/iommu/translation.h"

namespace iommu {

// One table walk in flight: a sequence of 8-byte accesses, mostly reads; a write when
// hardware updates an entry (accessed/dirty flags).
class Walk {
public:
    virtual ~Walk() = default;
    virtual bool done() const = 0;
    // The physical address of the next 8-byte access; valid while !done().
    virtual uint64_t read_address() const = 0;
    // The next access writes write_value() at read_address() instead of reading.
    virtual bool write_pending() const { return false; }
    virtual uint64_t write_value() const { return 0; }
    // The 8 bytes read (ignored after a write); ok=false when the access failed.
    virtual void supply(uint64_t qword, bool ok) = 0;
    // Once done(): the translation reached, before end_walk fills the caches and
    // reports it, so the pipeline can announce the output address to memory
    // (tlmx::HostPrefetch) meanwhile; nullptr for a walk inside another.
    virtual const Result* outcome() const { return nullptr; }
};

class Translator {
public:
    virtual ~Translator() = default;

    // Makes walker slots 0..n-1 usable (called once, before any walk).
    virtual void reserve_walks(unsigned n) = 0;
    // The lookup stage. True: `out` is the answer (a cache hit, a bypass, a fault the
    // caches already decide). False: the request needs a walk.
    virtual bool lookup(const Request& r, Result& out) = 0;
    // Starts the walk for `r` in `slot`, from the deepest structure the caches hold.
    virtual Walk& begin_walk(unsigned slot, const Request& r) = 0;
    // The walk in `slot` is done: fills the caches, reports a fault; the result.
    virtual Result end_walk(unsigned slot) = 0;
    // A request that waited on another request's walk of the same page, with the same
    // attributes, gets that walk's result for its own address; faults are reported.
    virtual Result merged(const Request& r, const Result& walked) = 0;
    // The table entry a walk for `r` would read first if it began now, from what the
    // caches hold, without using them (no statistics, no replacement); kNoReadAhead
    // when the unit cannot tell cheaply. For tlmx::LookAhead: a host-side hint only.
    static constexpr uint64_t kNoReadAhead = ~uint64_t(0);
    // Whether walk_read_ahead and output_ahead ever answer (units that do override all three).
    virtual bool reads_ahead() const { return false; }
    virtual uint64_t walk_read_ahead(const Request& r) const {
        (void)r;
        return kNoReadAhead;
    }
    // The output address a walk for `r` would give if it began now, from what the
    // caches hold and HostMemory::peek_u64 reads, using and changing neither;
    // kNoReadAhead when it would not translate or the unit cannot tell cheaply. A unit
    // may keep the walk walk_read_ahead began and continue it here when asked about the
    // same request (VT-d does): the answer is a hint either way.
    virtual uint64_t output_ahead(const Request& r) const {
        (void)r;
        return kNoReadAhead;
    }
    // Whether walk reads snoop the CPU caches (VT-d ECAP.C, AMD-Vi coherent, SMMU
    // IDR0.COHACC).
    virtual bool walks_snoop() const = 0;
    // Whether the next access of walk `w` (one of this unit's) snoops: units whose
    // structures carry their own fetch attributes decide per access.
    virtual bool walk_snoops(const Walk& w) const {
        (void)w;
        return walks_snoop();
    }
};

}  // namespace iommu
