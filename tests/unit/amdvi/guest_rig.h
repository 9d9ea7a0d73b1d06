// Guest translation helpers over an AmdviUnit rig (rig.h): devices whose DTE sets GV
// with a GCR3 table, guest tables from the test encoder (tests/support/amdvi), PASID
// requests and the GN=1 event record. Guest-only tables live at SPA = GPA; nested ones
// at SPA = GPA + 1 GiB, the window nested_device()'s host table maps with one 1 GiB
// leaf (GPA [0, 1 GiB) -> SPA [1 GiB, 2 GiB)).
#pragma once

#include "tests/support/amdvi/amdvi_guest_tables.h"
#include "tests/unit/amdvi/rig.h"

namespace amdvi_rig {

using amdvitest::GuestPerm;
using amdvitest::GuestTables;

constexpr uint64_t kGuestPool = 0x2000000;   // guest table GPAs
constexpr uint64_t kWindow = uint64_t(1) << 30;

// A device with GV=1, GLX `glx`, a new GCR3 table; Mode `f.mode` (0: guest-only,
// else a new host table of that many levels). Returns the GCR3 table (SPA); the host
// root goes to f.root.
inline uint64_t guest_device(Rig& r, uint16_t devid, uint16_t domain, unsigned glx, DteFields& f) {
    f.gv = true;
    f.glx = glx;
    f.gcr3 = r.tables.new_table();
    f.domain = domain;
    if (f.mode) f.root = r.tables.new_table();
    r.put_dte(devid, f);
    return f.gcr3;
}

// One PASID's address space on a new guest device: its guest CR3 (a GPA), entered in
// the device's GCR3 table.
inline uint64_t guest_space(Rig& r, GuestTables& g, uint16_t devid, uint16_t domain, uint32_t pasid,
                            unsigned glx = 0, DteFields f = {}) {
    const uint64_t cr3 = g.new_table();
    amdvitest::set_gcr3(r.mem, r.tables, guest_device(r, devid, domain, glx, f), glx, pasid, cr3);
    return cr3;
}

// Two address spaces, PASIDs 1 and 2, on one new guest-only device: their CR3s.
struct TwoSpaces {
    uint64_t pasid1, pasid2;
};
inline TwoSpaces two_spaces(Rig& r, GuestTables& g, uint16_t devid, uint16_t domain) {
    DteFields f;
    const uint64_t t = guest_device(r, devid, domain, 0, f);
    const TwoSpaces s{g.new_table(), g.new_table()};
    amdvitest::set_gcr3(r.mem, r.tables, t, 0, 1, s.pasid1);
    amdvitest::set_gcr3(r.mem, r.tables, t, 0, 2, s.pasid2);
    return s;
}

// A Mode 3 nested device whose host table maps the 1 GiB window.
inline uint64_t nested_device(Rig& r, uint16_t devid, uint16_t domain, DteFields& f) {
    f.mode = 3;
    const uint64_t gcr3 = guest_device(r, devid, domain, 0, f);
    r.tables.map(f.root, {3}, 0, amdvitest::pte(kWindow));  // NextLevel 0 at level 3: 1 GiB
    return gcr3;
}

// An untranslated request with a PASID; user mode unless `priv`.
inline iommu::Request preq(uint16_t sid, uint32_t pasid, uint64_t gva, bool write, bool priv = false,
                           bool exec = false) {
    iommu::Request q = testutil::dma(sid, gva, write);
    q.pasid_valid = true;
    q.pasid = pasid;
    q.priv = priv;
    q.exec = exec;
    return q;
}

// The record of a guest fault (GN=1): the PASID in 19:16 and 47:32, the GVA.
inline amdvitest::EventFields guest_record(unsigned code, uint16_t device, uint32_t pasid, uint64_t gva) {
    amdvitest::EventFields e = record(code, device, uint16_t(pasid & 0xffff), gva);
    e.pasid = pasid;
    e.gn = true;
    return e;
}

}  // namespace amdvi_rig
