// FLAT: a made-up IOMMU for tests only, never shipped. Its job is to prove that the
// plug-in seams (iommu::Unit, iommu::HardwareArch, iommufd::Driver, iommufd::DriverArch)
// carry an architecture that is not VT-d. This comment is its whole specification.
//
// This header defines nothing on purpose. The hardware (flat_unit*, flat_walker*,
// flat_arch.cpp) and the driver (flat_driver*, flat_domain*) each write their own
// constants from the numbers below, and the tests write theirs by hand, so a misreading
// shared by both sides cannot pass every test.
//
// 1. Register page (4 KiB). Offsets in hex, sizes in bytes. An access whose size is not
//    the register's, or at an offset not listed, reads 0 and is ignored on write.
//
//    0x000 CAP       8  RO  bits 5:0   IOVA_BITS: the unit translates IOVAs below
//                                      2^IOVA_BITS (the model straps 20..40)
//                           bits 11:8  NFR: number of fault records minus 1 (1..16)
//                           bit  16    SC: snoop control, PTE.SNP is honoured
//                           bit  17    COH: table reads snoop the CPU caches (software
//                                      need not flush the lines it writes)
//                           bit  18    ATS: the unit answers ATS (section 7)
//                           others     0
//    0x008 CTRL      4  RW  bit 0 EN: translation enable. Writing EN 0->1 latches
//                           DEVTAB, invalidates every cache of the unit, then sets
//                           STATUS.ENS. Writing EN 1->0 clears STATUS.ENS. Software
//                           polls STATUS until ENS equals EN (the handshake).
//    0x00C STATUS    4  RO  bit 0 ENS: translation is enabled.
//    0x010 DEVTAB    8  RW  bits 47:12 device table base (4 KiB aligned); others
//                           read 0. Takes effect at the next EN 0->1.
//    0x018 INV       8  RW  bits 2:0 TYPE: 1 ALL (device cache and IOTLB), 2 DEVICE
//                           (the device-cache entry of SID), 3 DOMAIN (the IOTLB
//                           entries of DID), 4 PAGE (the IOTLB entry of DID for the
//                           4 KiB page INV_ADDR); with CAP.ATS, 5 ATC_PAGE (an
//                           Invalidate Request to device SID for the 4 KiB page
//                           INV_ADDR) and 6 ATC_ALL (one for all its entries),
//                           complete when the device has acted; 0, 7 and,
//                           without CAP.ATS, 5 and 6 are invalid.
//                           bits 31:16 SID, bits 47:32 DID, bit 62 ERR (RO), bit 63
//                           GO. A write with GO=1 performs the invalidation the written
//                           value describes; on completion the unit clears GO and sets
//                           ERR when TYPE was invalid (nothing is invalidated), else
//                           clears it. A write with GO=0 changes nothing. Reads return
//                           the last invalidation's fields with GO as it stands;
//                           software polls until GO reads 0.
//    0x020 INV_ADDR  8  RW  bits 63:12 the page IOVA for TYPE=PAGE; bits 11:0 read 0.
//    0x028 FSTS      4      bit 0 PF (RO): some fault record has F set.
//                           bit 1 OVF (write 1 to clear): a fault was dropped.
//    0x100 + 16*i FREC_ADDR[i] 8 RO  the faulting IOVA (all 64 bits), i < NFR+1
//    0x108 + 16*i FREC_INFO[i] 8     bits 15:0 requester ID, bits 23:16 reason,
//                           bit 32 WR (1: a write request), bit 63 F (the record is
//                           valid; write 1 to clear; only F is writable).
//    Fault recording: the unit writes record NEXT (0 after reset, advancing by one
//    modulo the record count after each write). If that record's F is still set the
//    fault is dropped and FSTS.OVF set. Every fault is recorded (no suppression).
//
// 2. Device table: 65536 entries of 8 bytes at DEVTAB, indexed by the 16-bit
//    requester ID (entry address = DEVTAB + 8 * RID). Entry:
//      bit 0      V: valid
//      bit 1      T: 1 translate through TABLE; 0 blocked (every request faults)
//      bit 2      EATS: with CAP.ATS, the device may send Translation Requests and
//                 Translated requests (section 7); otherwise reserved
//      bits 11:3  reserved (software writes 0; the unit ignores them)
//      bits 47:12 TABLE: the domain's page table base, 4 KiB aligned
//      bits 63:48 DID: domain ID, tags the IOTLB
//    One 8-byte write replaces an entry atomically (a domain change has no gap).
//
// 3. Page table: one level per domain, an array of 2^(IOVA_BITS-12) entries of 8 bytes
//    at TABLE; the entry of an IOVA is at TABLE + 8 * (IOVA >> 12). Entry:
//      bit 0      R: read permitted
//      bit 1      W: write permitted
//      bit 2      SNP: force snoop (only with CAP.SC; otherwise ignored)
//      bits 11:3  reserved (ignored)
//      bits 47:12 FRAME: the physical page
//      bits 63:48 reserved (ignored)
//    An entry is present when R or W is set. Translated address = FRAME | IOVA[11:0].
//    Only 4 KiB pages exist.
//
// 4. Translation of a request (PASID is ignored; without CAP.ATS so is AT, and a
//    Translated request is translated like an Untranslated one):
//      STATUS.ENS = 0: pass-through, address unchanged, read and write, no fault.
//      Read the device entry; the read fails          -> fault 6 TABLE_READ
//      V = 0                                          -> fault 1 DEVICE_INVALID
//      T = 0                                          -> fault 7 DEVICE_BLOCKED
//      IOVA >= 2^IOVA_BITS                            -> fault 2 IOVA_RANGE
//      Read the page-table entry; the read fails      -> fault 6 TABLE_READ
//      R = 0 and W = 0                                -> fault 3 NOT_PRESENT
//      a write request and W = 0                      -> fault 4 WRITE
//      a read request and R = 0                       -> fault 5 READ
//    (checked in that order; a request both reading and writing needs R and W).
//    The result snoops when the request did not ask for No Snoop, or when SNP and
//    CAP.SC are both set.
//
// 5. Caches: a device cache (valid entries, by requester ID) and an IOTLB (present
//    entries, by DID and page). Either may hold an entry until software invalidates
//    it (INV); changing a device entry or removing a page-table entry is not seen
//    until then. A not-present entry is never cached.
//
// 6. Driver conventions (Linux-like, for the iommufd driver of this unit):
//    IOMMU_GET_HW_INFO type 200 (made up), fields: cap (CAP as read). No reserved
//    IOVA regions. Page sizes: 4 KiB only. map() of an IOVA at or beyond
//    2^IOVA_BITS, of a size other than 4 KiB, unaligned, with no permission, or of a
//    frame at or above 2^48: EINVAL; over a present entry: EEXIST. Strict unmap
//    invalidates PAGE by page up to 16 pages, else the whole DOMAIN, and waits for GO.
//    Detach writes a blocked entry (V=1, T=0). Enforcing cache coherency needs CAP.SC
//    and no mapping yet; later entries then carry SNP.
//    With CAP.ATS and a device whose capabilities have ATS, attach sets EATS and
//    enables the device's ATS; strict unmap and detach then also send ATC_PAGE (up to
//    16 pages) or ATC_ALL for every such device of the domain.
//
// 7. ATS (CAP.ATS = 1; PCIe Base Spec chapter 10):
//    Translation Request (AT=01b): section 4's device checks (faults 1, 2, 6, 7) and
//    EATS = 0 (fault 8 ATS_DISABLED) are recorded and answered Unsupported Request.
//    Otherwise the page-table entry answers with its R and W and FRAME (4 KiB);
//    NOT_PRESENT, WRITE and READ are not faults here: the answer carries the entry's
//    permissions (R=W=0 when not present) and nothing is recorded.
//    Translated request (AT=10b): V = 0 -> fault 1, T = 0 -> fault 7, EATS = 0 ->
//    fault 8 (all recorded); otherwise it goes to memory at its own address, with
//    its own No Snoop. No IOVA range check: the address is physical.
//    The unit takes no page requests (no PRI).
#pragma once
