#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_iommufd (tests/fuzz/corpus/iommufd/).

The encoding, as tests/fuzz/fuzz_iommufd.cpp decodes it:
  byte 0      settings: bit 0 scalable mode, bit 1 deferred flush, bit 2 four devices
              (else three), bit 3 both contexts opened by process 0, bit 4 1 MiB
              RLIMIT_MEMLOCK (else 64 MiB), bits 5-6 flush batch (1, 2, 4, 256)
  then ops    opcode byte (mod 20), context slot byte (bit 0), operands:
    object ID   byte < 0xf0: that mod 10, else a u32 follows
    IOVA        byte < 0xc0: 0x100000 + byte pages; 0xc0-0xcf: pages around the MSI
                window 0xfee00000; other bytes: odd offsets and limits (see the target)
    length      byte < 0xe0: (byte mod 32) + 1 pages; others: bytes, 0, ~0, huge...
    user VA     byte < 0xc0: the process's 4 KiB window + byte pages (0-127 mapped at
                the start); 0xc0-0xcf its
                huge-page window; 0xd0-0xdf the other process's window
    map flags   bit 0 FIXED_IOVA, bit 1 WRITEABLE, bit 2 READABLE; >= 0xf8 adds bit 3
Run it from anywhere: python3 tests/fuzz/iommufd_seeds.py
"""
import os

(IOAS_ALLOC, DESTROY, MAP, UNMAP, COPY, IOVA_RANGES, ALLOW_IOVAS, OPTION, ACCESS_PIN,
 ACCESS_UNPIN, BIND, HWPT_ALLOC, HW_INFO, ATTACH, DETACH, MMAP, MUNMAP, CLOCK, REOPEN,
 WATCH) = range(20)

SCALABLE, DEFERRED, FOUR_DEVICES, SAME_PROCESS, SMALL_MEMLOCK = 1, 2, 4, 8, 16
RW_FIXED = 7


def batch(n):
    return {1: 0, 2: 1, 4: 2, 256: 3}[n] << 5


def pages(n):  # a length of n 4 KiB pages
    assert 1 <= n <= 32
    return n - 1


def op(code, ctx, *operands):
    return bytes([code, ctx] + list(operands))


def dma_setup(ctx=0, dev=0):
    """Binds device `dev` (ID 1), allocates an IOAS (ID 2), attaches (auto HWPT 3)."""
    return op(BIND, ctx, dev) + op(IOAS_ALLOC, ctx) + op(ATTACH, ctx, 1, 2)


SEEDS = {
    # bind + ioas_alloc + attach + map, then the device translates around it
    "map": bytes([0]) + dma_setup() + op(MAP, 0, 2, RW_FIXED, 0, 0, pages(4), 0) + op(WATCH, 0, 1, 3),
    # the same, unmapped again: every IOVA must fault afterwards
    "unmap": bytes([0]) + dma_setup() + op(MAP, 0, 2, RW_FIXED, 0, 0, pages(4), 0)
    + op(UNMAP, 0, 2, 0, pages(4), 0) + op(UNMAP, 0, 2, 0, pages(4), 0),
    # a copy into a second IOAS that a second device uses; a read-only map too
    "copy": bytes([FOUR_DEVICES]) + dma_setup() + op(IOAS_ALLOC, 0)
    + op(MAP, 0, 2, RW_FIXED, 0, 8, pages(8), 16) + op(COPY, 0, 4, 2, 5, 16, pages(8), 64)
    + op(BIND, 0, 2) + op(ATTACH, 0, 5, 4) + op(MAP, 0, 4, 5, 1, 12, pages(2), 96),
    # two contexts contend for one device; closing the owner frees it
    "contend": bytes([0]) + dma_setup() + op(MAP, 0, 2, RW_FIXED, 0, 0, pages(2), 0)
    + op(BIND, 1, 0) + op(IOAS_ALLOC, 1) + op(REOPEN, 0, 0) + op(BIND, 1, 0)
    + op(ATTACH, 1, 2, 1) + op(MAP, 1, 1, RW_FIXED, 0, 0, pages(2), 0),
    # deferred flush (scalable mode): the unmapped area stays reachable until the
    # 10 ms timeout passes on the clock
    "deferred": bytes([SCALABLE | DEFERRED | batch(256)]) + dma_setup()
    + op(MAP, 0, 2, RW_FIXED, 0, 0, pages(4), 0) + op(UNMAP, 0, 2, 0, pages(4), 0)
    + op(CLOCK, 0, 20) + op(CLOCK, 0, 40) + op(MAP, 0, 2, RW_FIXED, 0, 4, pages(4), 0),
    # deferred with a batch of 2, two unmaps flush at once
    "batch": bytes([DEFERRED | batch(2)]) + dma_setup() + op(MAP, 0, 2, RW_FIXED, 0, 0, pages(2), 0)
    + op(MAP, 0, 2, RW_FIXED, 0, 2, pages(2), 2) + op(UNMAP, 0, 2, 0, pages(2), 0)
    + op(UNMAP, 0, 2, 2, pages(2), 0),
    # an in-kernel access pins, the unmap drops the pin, the unpin is then ENOENT
    "pin": bytes([0]) + dma_setup() + op(MAP, 0, 2, RW_FIXED, 0, 0, pages(4), 0)
    + op(ACCESS_PIN, 0, 2, 1, pages(2), 1) + op(ACCESS_UNPIN, 0, 0, 2)
    + op(ACCESS_PIN, 0, 2, 0, pages(1), 0) + op(UNMAP, 0, 2, 0, pages(4), 0) + op(ACCESS_UNPIN, 0, 1, 2),
    # scalable mode, a device in the upper half of its bus, a HWPT allocated and
    # attached, the other process's pages mapped, then a replace onto a new IOAS
    "hwpt": bytes([SCALABLE | FOUR_DEVICES]) + op(BIND, 0, 2) + op(IOAS_ALLOC, 0)
    + op(HWPT_ALLOC, 0, 1, 2, 0) + op(ATTACH, 0, 1, 3) + op(HW_INFO, 0, 1)
    + op(MAP, 0, 2, RW_FIXED, 1, 0, pages(2), 0) + op(IOAS_ALLOC, 0) + op(ATTACH, 0, 1, 4)
    + op(MAP, 0, 4, RW_FIXED, 0, 0xc0, pages(16), 0) + op(DETACH, 0, 1),
    # a second context of the same process; memory unmapped under a mapping; huge pages
    "mm": bytes([SAME_PROCESS]) + op(BIND, 1, 1) + op(IOAS_ALLOC, 1)
    + op(ATTACH, 1, 1, 2) + op(MMAP, 0, 0, 0, 0x90, pages(8)) + op(MAP, 1, 2, RW_FIXED, 0, 0x90, pages(8), 32)
    + op(MUNMAP, 0, 0, 0x90, pages(8)) + op(MAP, 1, 2, RW_FIXED, 0, 0xc0, 0xf3, 0xdf),
}


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "iommufd")
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
