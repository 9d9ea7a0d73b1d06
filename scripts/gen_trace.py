#!/usr/bin/env python3
"""Writes a large replay trace (traces/FORMAT.md) for measuring replay itself.

  scripts/gen_trace.py --maps N [--iova fixed|auto|churn] > FILE

One process maps N 4 KiB pages of one mmap through iommufd into an IOAS that dev0 is
attached to, one ioas_map line each, 1 us apart:
  fixed  the trace gives each IOVA (flags=fixed_iova, iova=...)
  auto   the IOVA allocator picks it (the lowest free)
  churn  maps and unmaps the same 4 KiB page N times (an unmap line after each map):
         the live mappings stay at one however long the trace
Standard library only; the output is the same for the same arguments.
"""
import argparse
import sys

PAGE = 4096
USER_VA = 0x7F0000000000
FIXED_IOVA = 0x100000000


def header(pages):
    return [
        "0 process name=p0 user=u0 rlimit_memlock=%d" % (2 * pages * PAGE),
        "0 mmap process=p0 user_va=0x%x length=%d" % (USER_VA, pages * PAGE),
        "0 iommufd_open name=fd0 process=p0",
        "0 ioas_alloc name=ioas0",
        "0 device_attach dev_id=dev0 pt_id=ioas0",
    ]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--maps", type=int, required=True, help="ioas_map lines")
    p.add_argument("--iova", choices=["fixed", "auto", "churn"], default="fixed")
    a = p.parse_args()
    out = sys.stdout
    pages = 1 if a.iova == "churn" else a.maps
    out.write("\n".join(header(pages)) + "\n")
    rw = "readable|writeable"
    for i in range(a.maps):
        if a.iova == "auto":
            out.write("+1us ioas_map ioas_id=ioas0 flags=%s user_va=0x%x length=4K\n" % (rw, USER_VA + i * PAGE))
        elif a.iova == "fixed":
            out.write("+1us ioas_map ioas_id=ioas0 flags=fixed_iova|%s user_va=0x%x length=4K iova=0x%x\n"
                      % (rw, USER_VA + i * PAGE, FIXED_IOVA + i * PAGE))
        else:
            out.write("+1us ioas_map ioas_id=ioas0 flags=fixed_iova|%s user_va=0x%x length=4K iova=0x%x\n"
                      % (rw, USER_VA, FIXED_IOVA))
            out.write("+1us ioas_unmap ioas_id=ioas0 iova=0x%x length=4K\n" % FIXED_IOVA)


if __name__ == "__main__":
    main()
