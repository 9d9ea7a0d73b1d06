#!/usr/bin/python3
"""Plots one column of a sweep's results.csv against another (Debian's matplotlib).

usage: plot_sweep.py RESULTS.csv X_COLUMN Y_COLUMN OUT.png [--series COLUMN]...
                     [--unit COLUMN=UNIT]... [--dry-run]

--series  a varied column other than X: one line per value (legend "KEY = VALUE");
          without it, one line (a 1-D sweep).
--unit    the unit of a column for its axis label; without it the unit comes from the
          name's suffix (UNITS below), else the label is the bare name.
--dry-run print the labels and each series' points instead of drawing (no matplotlib).
X values may carry the binary suffixes K, M, G, T (64K = 65536), as parameters do.
"""
import csv
import sys

# Units from a column name's last component (the statistics' naming convention).
UNITS = [("_ns", "ns"), ("_gbps", "Gb/s"), ("hit_rate", "fraction"), ("ways", "entries"),
         ("kiops", "thousand I/O per s"), ("_bytes", "B")]
SUFFIX = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def number(text):
    """64, 0.5, 0x40 or 64K (binary suffix) as a float; None when not a number."""
    t = text.strip()
    scale = SUFFIX.get(t[-1:].upper(), 1) if t else 1
    if scale != 1:
        t = t[:-1]
    try:
        return float(int(t, 0)) * scale if t.lower().startswith("0x") else float(t) * scale
    except ValueError:
        return None


def label(column, units):
    unit = units.get(column)
    if unit is None:
        last = column.rsplit(".", 1)[-1]
        unit = next((u for suffix, u in UNITS if last.endswith(suffix)), "")
    return f"{column} ({unit})" if unit else column


def build_series(rows, xcol, ycol, series_cols):
    """[(legend, [(x, y), ...]), ...]: one entry per combination of the series columns,
    in the order the rows first show them, each sorted by x."""
    groups = {}
    for r in rows:
        legend = ", ".join(f"{c} = {r[c]}" for c in series_cols)
        groups.setdefault(legend, []).append((number(r[xcol]), number(r[ycol]), r[xcol]))
    out = []
    for legend, pts in groups.items():
        if any(p[1] is None for p in pts):
            sys.exit(f"plot_sweep: {ycol}: not a number in every row")
        out.append((legend, sorted(pts, key=lambda p: (p[0] is None, p[0] or 0, p[2]))))
    return out


def parse_args(argv):
    pos, series, units, dry = [], [], {}, False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--series", "--unit") and i + 1 < len(argv):
            if a == "--series":
                series.append(argv[i + 1])
            else:
                key, _, unit = argv[i + 1].partition("=")
                units[key] = unit
            i += 2
            continue
        if a == "--dry-run":
            dry = True
        elif a.startswith("--"):
            sys.exit(__doc__.strip())
        else:
            pos.append(a)
        i += 1
    if len(pos) != 4:
        sys.exit(__doc__.strip())
    return pos, series, units, dry


def draw(series, xlab, ylab, png):
    import matplotlib

    matplotlib.use("Agg")  # no display needed
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    xs = [p[0] for _, pts in series for p in pts]
    numeric = all(x is not None for x in xs)
    for legend, pts in series:
        x = [p[0] for p in pts] if numeric else [p[2] for p in pts]
        ax.plot(x, [p[1] for p in pts], marker="o", label=legend or None)
    if numeric and min(xs) > 0 and max(xs) / min(xs) >= 16:
        ax.set_xscale("log", base=2)
    ax.set_xlabel(xlab)
    ax.set_ylabel(ylab)
    ax.grid(True, alpha=0.3)
    if any(legend for legend, _ in series):
        ax.legend()
    ax.set_title(f"{ylab.split(' (')[0]} against {xlab.split(' (')[0]}")
    fig.tight_layout()
    fig.savefig(png, dpi=120)


def main():
    (path, xcol, ycol, png), series_cols, units, dry = parse_args(sys.argv[1:])
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    for col in [xcol, ycol] + series_cols:
        if not rows or col not in rows[0]:
            sys.exit(f"plot_sweep: {path}: no column {col}")
    series = build_series(rows, xcol, ycol, series_cols)
    xlab, ylab = label(xcol, units), label(ycol, units)
    if not dry:
        draw(series, xlab, ylab, png)
        return
    print(f"x: {xlab}")
    print(f"y: {ylab}")
    for legend, pts in series:
        print(f"series {legend or '(one)'}: " + " ".join(f"{p[2]}:{p[1]:g}" for p in pts))


if __name__ == "__main__":
    main()
