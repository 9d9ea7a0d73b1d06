#!/usr/bin/python3
"""Plots one column of a sweep's results.csv against another (Debian's matplotlib).

usage: plot_sweep.py RESULTS.csv X_COLUMN Y_COLUMN OUT.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip())
    path, xcol, ycol, png = sys.argv[1:]
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for col in (xcol, ycol):
        if not rows or col not in rows[0]:
            sys.exit(f"plot_sweep: {path}: no column {col}")
    points = sorted((float(r[xcol]), float(r[ycol])) for r in rows)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([p[0] for p in points], [p[1] for p in points], marker="o")
    if all(p[0] > 0 for p in points) and points[-1][0] / max(points[0][0], 1e-12) >= 16:
        ax.set_xscale("log", base=2)
    ax.set_xlabel(xcol)
    ax.set_ylabel(ycol)
    ax.grid(True, alpha=0.3)
    ax.set_title(f"{ycol} against {xcol}")
    fig.tight_layout()
    fig.savefig(png, dpi=120)


if __name__ == "__main__":
    main()
