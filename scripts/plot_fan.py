#!/usr/bin/env python3
"""Fan chart of one series of an mppmc results file (HDF5, schema 1).

Draws the nested percentile bands of /percentiles (e.g. p5-p95, p10-p90, p25-p75, progressively
darker), the median as a line, and the min / medio / max band of /band: dashed lines for a
monthly chart, markers per year for an annual one. When the file holds variants
(/variants/<name>), the baseline and each variant are drawn side by side on a shared y axis.

Examples:
  scripts/plot_fan.py results/mpp-2024-II.h5 --series coa_occupancy --annual
  scripts/plot_fan.py run.h5 --series total_inflow -o inflow.png --no-variants
  scripts/plot_fan.py run.h5 --series cost_total --annual --variant combined

Exit codes: 0 ok (the path written is printed), 2 bad input (a one-line message on stderr;
nothing is written). report.py imports this module and uses plot_fan() and the helpers; the
helpers shared with plot_tornado.py and report.py are in mppmc_plotting.py (same folder).
"""
import argparse
import math
import re
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mppmc_plotting import (  # noqa: E402
    InputError, check_dpi, check_png_output, make_tick_formatter, money_scale, open_hdf5, run_cli, save_png, text)

SCHEMA = "mppmc-results"
SCHEMA_VERSIONS = (1, 2)  # schema 2 adds dimension scales, the rest unchanged
PROG = "plot_fan.py"

# One colour for the fan, and the band's colours (the same in monthly and annual charts).
FAN_COLOR = "#1f5fa8"
MEDIAN_COLOR = "#0b2d5c"
BAND_STYLE = {  # row of /band -> (label word, colour, annual marker)
    0: ("min", "#2f7d32", "v"),
    1: ("medio", "#111111", "D"),
    2: ("max", "#b3261e", "^"),
}
PANELS_PER_ROW = 3


# ----------------------------------------------------------------------------------------------
# Reading

def open_results(path):
    """Opens an mppmc results file read-only (an h5py.File) after checking that it is one:
    exists, is HDF5, has schema == "mppmc-results" and schema_version 1 or 2, and holds the
    datasets every reader needs. Raises InputError naming the problem."""
    return open_hdf5(path, "mppmc results", SCHEMA, SCHEMA_VERSIONS, check=_check_layout)


def _check_layout(f, path):
    """Raises InputError when the results file `f` lacks a dataset or attribute every reader needs."""
    for name in ("time/month", "time/year", "time/months_in_year", "percentiles", "band",
                 "monthly", "annual"):
        if name not in f:
            raise InputError(f"{path}: malformed mppmc results file: /{name} is missing")
    for key in ("min_percentile", "medio_percentile", "max_percentile"):
        if key not in f["band"].attrs:
            raise InputError(f"{path}: malformed mppmc results file: /band has no attribute {key}")


def scale_name(annual):
    return "annual" if annual else "monthly"


def series_names(f, annual):
    """The series of the file (baseline), sorted."""
    return sorted(f[scale_name(annual)].keys())


def check_series(f, series, annual):
    """Raises InputError (listing the available series) when `series` is not in the file."""
    scale = scale_name(annual)
    if series not in f[scale]:
        raise InputError(f"unknown series {series!r} in /{scale}; available: "
                         + ", ".join(series_names(f, annual)))
    for name in ("quantiles", "band"):
        if name not in f[scale][series]:
            raise InputError(f"malformed mppmc results file: /{scale}/{series}/{name} is missing")


def variant_names(f):
    return sorted(f["variants"].keys()) if "variants" in f else []


def select_variants(f, wanted=None, none=False):
    """The variant names to draw: all (wanted None), the named ones (in the given order), or
    none. Raises InputError for an unknown name."""
    available = variant_names(f)
    if none:
        return []
    if wanted is None:
        return available
    out = []
    for name in wanted:
        if name not in available:
            listed = ", ".join(available) if available else "none (the file has no /variants)"
            raise InputError(f"unknown variant {name!r}; available: {listed}")
        if name not in out:
            out.append(name)
    return out


def band_percentiles(f):
    a = f["band"].attrs
    return [float(a["min_percentile"]), float(a["medio_percentile"]), float(a["max_percentile"])]


def pct_label(p):
    """5.0 -> "p5", 2.5 -> "p2.5"."""
    return f"p{float(p):g}"


def band_labels(f):
    """["min p5", "medio p50", "max p95"] (the percentiles of the file's /band)."""
    return [f"{BAND_STYLE[i][0]} {pct_label(p)}" for i, p in enumerate(band_percentiles(f))]


def months_of(f):
    return [text(m) for m in f["time/month"][:]]


def years_of(f):
    """[(year, months_in_year)]."""
    return [(int(y), int(n)) for y, n in zip(f["time/year"][:], f["time/months_in_year"][:])]


def year_label(year, months):
    return f"{year}*" if months < 12 else f"{year}"


def scenario_groups(f, variants):
    """[(scenario name, group)] for the baseline (the root) and each named variant."""
    out = [(text(f.attrs.get("scenario_name", "baseline")), f)]
    for name in variants:
        g = f["variants"][name]
        out.append((text(g.attrs.get("scenario_name", name)), g))
    return out


# ----------------------------------------------------------------------------------------------
# Number formatting (the formatters themselves are in mppmc_plotting)

def axis_scale(unit, max_abs):
    """(divisor, y-axis label) for a unit and the largest absolute value drawn."""
    divisor, words = money_scale(unit, max_abs)
    return divisor, (f"{unit} ({words})" if words else unit)


# ----------------------------------------------------------------------------------------------
# Plotting

def _mix(color, t):
    """`color` blended with white: t = 0 is white, t = 1 the colour."""
    from matplotlib.colors import to_rgb
    r, g, b = to_rgb(color)
    return (1 - t + t * r, 1 - t + t * g, 1 - t + t * b)


def fan_layout(percentiles):
    """([(lower index, upper index), ...] outer to inner, median index or None) for the sorted
    /percentiles: p5-p95, p10-p90, p25-p75 and p50 for the defaults."""
    order = sorted(range(len(percentiles)), key=lambda i: percentiles[i])
    pairs = []
    lo, hi = 0, len(order) - 1
    while lo < hi:
        pairs.append((order[lo], order[hi]))
        lo, hi = lo + 1, hi - 1
    median = None
    for i, p in enumerate(percentiles):
        if abs(p - 50.0) < 1e-9:
            median = i
    if median is None and lo == hi:
        median = order[lo]
    return pairs, median


def default_output(path, series, annual):
    """<stem>_<series>[_annual].png in the current folder."""
    return Path(f"{Path(path).stem}_{series}{'_annual' if annual else ''}.png")


def plot_fan(f, series, output, annual=False, variants=None, title=None, dpi=110):
    """Draws the fan chart of `series` from the open results file `f` into the PNG `output`.

    annual: the /annual statistics (one column per calendar year) instead of /monthly.
    variants: names of /variants to draw beside the baseline (None: all of them; []: none).
    title: the figure title (default: the series description and the scenario name).
    The file is written to a temporary name first and renamed, so that a failure leaves no
    partial PNG. Raises InputError for an unknown series or variant. Returns Path(output)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from datetime import date
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    check_series(f, series, annual)
    variants = select_variants(f, variants)
    scale = scale_name(annual)
    groups = scenario_groups(f, variants)
    for name, g in groups[1:]:
        if series not in g.get(scale, {}):
            raise InputError(f"variant {name!r} has no /{scale}/{series}")

    attrs = f[scale][series].attrs
    unit = text(attrs.get("unit", ""))
    kind = text(attrs.get("kind", ""))
    description = text(attrs.get("description", series)) or series
    description = description[0].upper() + description[1:]
    percentiles = [float(p) for p in f["percentiles"][:]]
    pairs, median = fan_layout(percentiles)
    blabels = band_labels(f)

    data = []  # (scenario name, quantiles [P, T], band [3, T])
    for name, g in groups:
        data.append((name, np.asarray(g[scale][series]["quantiles"][:], dtype=float),
                     np.asarray(g[scale][series]["band"][:], dtype=float)))
    finite = np.concatenate([np.ravel(q) for _, q, _ in data] + [np.ravel(b) for _, _, b in data])
    finite = finite[np.isfinite(finite)]
    max_abs = float(np.max(np.abs(finite))) if finite.size else 0.0
    divisor, ylabel = axis_scale(unit, max_abs)

    if annual:
        years = years_of(f)
        x = np.array([y for y, _ in years], dtype=float)
        xlabels = [year_label(y, n) for y, n in years]
        partial = [(y, n) for y, n in years if n < 12]
    else:
        months = months_of(f)
        x = np.array([date(int(m[:4]), int(m[5:7]), 1) for m in months])
        partial = []

    n = len(data)
    ncols = min(n, PANELS_PER_ROW)
    nrows = math.ceil(n / ncols)
    panel_w = 11.0 if n == 1 else 6.4
    fig, axes = plt.subplots(nrows, ncols, figsize=(panel_w * ncols, 5.6 * nrows + 0.9), sharey=True,
                             squeeze=False, dpi=dpi)
    shades = [_mix(FAN_COLOR, 0.22 + 0.5 * (k / max(1, len(pairs) - 1))) for k in range(len(pairs))]

    handles = []
    for k, (lo, hi) in enumerate(pairs):
        handles.append(Patch(facecolor=shades[k], label=f"{pct_label(percentiles[lo])}–{pct_label(percentiles[hi])}"))
    if median is not None:
        handles.append(Line2D([], [], color=MEDIAN_COLOR, lw=2.2, label=f"median {pct_label(percentiles[median])}"))
    for row in range(3):
        _, color, marker = BAND_STYLE[row]
        if annual:
            handles.append(Line2D([], [], color=color, marker=marker, ls="none", ms=7,
                                  markerfacecolor="white" if row == 1 else color, label=blabels[row]))
        else:
            handles.append(Line2D([], [], color=color, lw=1.4, ls=(0, (5, 3)), label=blabels[row]))

    width = 0.62
    for idx, (name, q, band) in enumerate(data):
        ax = axes[idx // ncols][idx % ncols]
        if annual:
            for k, (lo, hi) in enumerate(pairs):
                ax.bar(x, q[hi] - q[lo], bottom=q[lo], width=width, color=shades[k], linewidth=0, zorder=2)
            if median is not None:
                ax.hlines(q[median], x - width / 2, x + width / 2, color=MEDIAN_COLOR, lw=2.2, zorder=3)
            for row in range(3):
                _, color, marker = BAND_STYLE[row]
                ax.plot(x, band[row], ls="none", marker=marker, ms=7, color=color,
                        markerfacecolor="white" if row == 1 else color, markeredgewidth=1.4, zorder=4)
            ax.set_xticks(x)
            ax.set_xticklabels(xlabels)
            ax.set_xlim(x[0] - 0.6, x[-1] + 0.6)
            ax.grid(axis="y", color="#dddddd", lw=0.8, zorder=0)
        else:
            for k, (lo, hi) in enumerate(pairs):
                ax.fill_between(x, q[lo], q[hi], color=shades[k], linewidth=0, zorder=2)
            if median is not None:
                ax.plot(x, q[median], color=MEDIAN_COLOR, lw=2.2, zorder=3)
            for row in range(3):
                _, color, _ = BAND_STYLE[row]
                ax.plot(x, band[row], color=color, lw=1.4, ls=(0, (5, 3)), zorder=4)
            set_month_axis(ax, len(x), 7 if n == 1 else 5)
            ax.set_xlim(x[0], x[-1])
            ax.grid(color="#e3e3e3", lw=0.8, zorder=0)
        ax.set_axisbelow(True)
        if n > 1:
            # Wrap a long scenario name, keeping "Kst 36831"-like tokens together.
            ax.set_title(textwrap.fill(re.sub(r" (?=\d)", "\u00a0", name), 56), fontsize=12)
        if idx % ncols == 0:
            ax.set_ylabel(ylabel, fontsize=11)
        ax.yaxis.set_major_formatter(make_tick_formatter(divisor))
        ax.tick_params(labelsize=10)
        ax.tick_params(axis="y", labelleft=True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    for idx in range(n, nrows * ncols):
        axes[idx // ncols][idx % ncols].set_visible(False)

    if finite.size and finite.min() >= 0:
        axes[0][0].set_ylim(bottom=0)
    top = axes[0][0].get_ylim()[1]
    axes[0][0].set_ylim(top=top * 1.04 if top > 0 else top)

    if title is None:
        title = f"{description} — {data[0][0]}" if n == 1 else description
    sub = f"{'annual' if annual else 'monthly'} · {series}"
    if kind == "flow":
        sub += " · sum over each year's simulated months" if annual else " · per month"
    elif kind == "stock":
        sub += " · at the end of each year" if annual else " · at the end of each month"
    n_paths = f.attrs.get("n_paths")
    if n_paths is not None:
        sub += f" · {int(n_paths):,} paths"
    if n > 1:
        sub += " · baseline and variants on common random numbers"

    notes = []
    if partial:
        parts = ", ".join(f"{y}: {m} of 12 months" for y, m in partial)
        what = ("flows are summed over the simulated months only" if kind == "flow"
                else "stocks are taken at the year's last simulated month")
        notes.append(f"* partial year ({parts}); {what}")

    # Title and subtitle on top, the legend and notes below the panels (never on the data).
    height = fig.get_figheight()
    fig.suptitle(title, fontsize=14, y=1 - 0.12 / height, va="top")
    fig.text(0.5, 1 - 0.50 / height, sub, ha="center", va="top", fontsize=10, color="#444444")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.72 / height), pad=0.6, h_pad=2.0, w_pad=1.2)
    legend = fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles),
                        frameon=False, fontsize=10, handlelength=2.4, columnspacing=1.5)
    if notes:
        box = legend.get_window_extent(fig.canvas.get_renderer()).transformed(fig.transFigure.inverted())
        fig.text(0.5, box.y0 - 0.08 / height, "\n".join(notes), ha="center", va="top", fontsize=9,
                 color="#444444")

    return save_png(fig, output, dpi)


def set_month_axis(ax, months, max_ticks):
    """Month ticks on a date axis: every 1, 2, 3, 6, 12, 24, ... months (at most `max_ticks`),
    aligned to January, labelled "Jul 2025" (or "2026" when the step is whole years), with
    minor ticks at every month or quarter."""
    import matplotlib.dates as mdates

    step = next((s for s in (1, 2, 3, 6, 12, 24, 36, 60, 120) if months / s <= max_ticks), 120)
    if step < 12:
        ax.xaxis.set_major_locator(mdates.MonthLocator(bymonth=range(1, 13, step)))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%b %Y"))
    else:
        ax.xaxis.set_major_locator(mdates.YearLocator(step // 12))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    if months <= 72:
        ax.xaxis.set_minor_locator(mdates.MonthLocator())
    else:
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))


# ----------------------------------------------------------------------------------------------
# Command line

def build_parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Fan chart of one series of an mppmc results file: nested percentile bands "
                    "(from /percentiles), the median as a line, and the min/medio/max band (from "
                    "/band). With variants in the file, baseline and variants are drawn side by side "
                    "on a shared y axis.",
        epilog="Exit codes: 0 ok (prints the PNG path), 2 bad input (one-line message on stderr, "
               "nothing written). Example: %(prog)s results/mpp-2024-II.h5 --series coa_occupancy --annual",
    )
    p.add_argument("file", metavar="FILE.h5", help="results file written by `mppmc run`")
    p.add_argument("--series", "-s", required=True, metavar="S",
                   help="series to draw, e.g. total_inflow, coa_occupancy, cost_total "
                        "(an unknown name lists the available ones)")
    p.add_argument("--annual", action="store_true",
                   help="draw the annual statistics (one column per calendar year; partial years "
                        "are marked with *) instead of the monthly ones")
    p.add_argument("-o", "--output", metavar="OUT.png",
                   help="PNG to write (default: <FILE stem>_<series>[_annual].png in the current folder)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--variant", action="append", metavar="NAME",
                   help="draw only this variant beside the baseline (a /variants/<NAME> group, the "
                        "variant file's stem); repeat for several. Default: all variants in the file")
    g.add_argument("--no-variants", action="store_true", help="draw the baseline only")
    p.add_argument("--title", metavar="T", help="figure title (default: series description and scenario name)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNG (default: %(default)s)")
    return p


def draw(args):
    """Checks the arguments, draws the chart; returns [the PNG written]."""
    check_dpi(args.dpi)
    output = Path(args.output) if args.output else default_output(args.file, args.series, args.annual)
    check_png_output(output)
    with open_results(args.file) as f:
        check_series(f, args.series, args.annual)
        variants = select_variants(f, args.variant, args.no_variants)
        return [plot_fan(f, args.series, output, annual=args.annual, variants=variants,
                         title=args.title, dpi=args.dpi)]


def main(argv=None):
    args = build_parser().parse_args(argv)
    return run_cli(PROG, lambda: draw(args))


if __name__ == "__main__":
    sys.exit(main())
