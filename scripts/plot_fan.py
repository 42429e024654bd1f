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
  scripts/plot_fan.py run.h5 --series total_inflow --annual --history scenarios/data/realised.csv \
      --published scenarios/data/mpp_bands.csv --edition 2024-II
  scripts/plot_fan.py base+variant.h5 --series coa_occupancy --annual --effect variant

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
HISTORY_COLOR = "#333333"
PUBLISHED_COLOR = "#e08a00"
BAND_STYLE = {  # row of /band -> (label word, colour, annual marker)
    0: ("min", "#2f7d32", "v"),
    1: ("medio", "#111111", "D"),
    2: ("max", "#b3261e", "^"),
}
PANELS_PER_ROW = 3
# Names of the chart's series in the published bands (scenarios/data/mpp_bands.csv).
PUBLISHED_ALIASES = {"total_inflow": "total_asylum_inflow"}


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
# Context: realised history and a published band (CSV files)

PERIOD_RE = re.compile(r"(\d{4})(?:-(\d{2})|-Q([1-4]))?")


def parse_period(period):
    """"2024" -> (2024, None, None), "2024-03" -> (2024, 3, None), "2024-Q3" -> (2024, None, 3);
    None for anything else."""
    m = PERIOD_RE.fullmatch(period.strip())
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None, int(m.group(3)) if m.group(3) else None


def read_history(path, series, annual, kind):
    """The realised values of `series` from the tidy CSV `path` (columns series,period,value;
    period YYYY, YYYY-MM or YYYY-Qn) on the chart's time axis, sorted: [(year, value)] for an
    annual chart, [(date, value)] for a monthly one. An annual chart takes YYYY rows and sums
    (flows) or takes the last of (stocks) the months or quarters of a year that has all of them;
    a monthly chart takes YYYY-MM rows. Raises InputError for a missing file, a missing column, a
    bad period or value (with its line), or when nothing fits the chart."""
    import csv
    from datetime import date
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--history {path}: file not found")
    rows = []
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        missing = [c for c in ("series", "period", "value") if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"--history {path}: no column {', '.join(missing)} (expected series,period,value)")
        for line, row in enumerate(reader, start=2):
            if (row["series"] or "").strip() != series:
                continue
            period = parse_period(row["period"] or "")
            try:
                value = float(row["value"])
            except (TypeError, ValueError):
                value = None
            if period is None or value is None or not math.isfinite(value):
                raise InputError(f"--history {path}:{line}: expected a period YYYY, YYYY-MM or YYYY-Qn and a "
                                 f"number, not {row['period']!r}, {row['value']!r}")
            rows.append((period, value))
    if annual:
        years = {y: v for (y, m, q), v in rows if m is None and q is None}
        for sub, count in ((1, 12), (2, 4)):  # months, then quarters
            parts = {}
            for period, v in rows:
                if period[sub] is not None:
                    parts.setdefault(period[0], {})[period[sub]] = v
            for y, got in parts.items():
                if y not in years and len(got) == count:
                    years[y] = got[count] if kind == "stock" else sum(got.values())
        out = sorted(years.items())
    else:
        out = sorted((date(y, m, 1), v) for (y, m, q), v in rows if m is not None)
    if not out:
        raise InputError(f"--history {path}: no {'annual (or complete monthly or quarterly)' if annual else 'monthly'} "
                         f"values of series {series!r}")
    return out


def read_published(path, series, edition=None):
    """(edition, [(target year, minimum, medio or None, maximum)]) of a published-bands CSV with
    the columns of scenarios/data/mpp_bands.csv (edition,published,target_year,series,minimum,
    medio,maximum,...) for `series`: the named edition, or the last one in the file. Raises
    InputError for a missing file or column, an unknown edition (listing the file's) or a bad
    number."""
    import csv
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--published {path}: file not found")
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        needed = ("edition", "target_year", "series", "minimum", "medio", "maximum")
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(f"--published {path}: no column {', '.join(missing)}")
        rows = [(line, r) for line, r in enumerate(reader, start=2) if (r["series"] or "").strip() == series]
    editions = list(dict.fromkeys(r["edition"].strip() for _, r in rows))
    if not editions:
        raise InputError(f"--published {path}: no band of series {series!r} (use --published-series)")
    edition = edition or editions[-1]
    if edition not in editions:
        raise InputError(f"--edition {edition!r}: not in {path} for {series}; editions: {', '.join(editions)}")
    bands = []
    for line, r in rows:
        if r["edition"].strip() != edition:
            continue
        try:
            medio = float(r["medio"]) if (r["medio"] or "").strip() else None
            bands.append((int(r["target_year"]), float(r["minimum"]), medio, float(r["maximum"])))
        except (TypeError, ValueError):
            raise InputError(f"--published {path}:{line}: a target year and numbers expected") from None
    return edition, sorted(bands)


# ----------------------------------------------------------------------------------------------
# Number formatting (the formatters themselves are in mppmc_plotting)

def axis_scale(unit, medio):
    """(divisor, y-axis label) for a unit and the medio of largest magnitude drawn: the one money
    unit of the chart ("EUR m/year", mppmc_plotting.money_unit), or the unit itself."""
    return money_scale(unit, medio)


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


def plot_fan(f, series, output, annual=False, variants=None, title=None, dpi=110, history=None, published=None,
             effect=None):
    """Draws the fan chart of `series` from the open results file `f` into the PNG `output`.

    annual: the /annual statistics (one column per calendar year) instead of /monthly.
    variants: names of /variants to draw beside the baseline (None: all of them; []: none).
    title: the figure title (default: the series description and the scenario name).
    history: realised values [(x, value)] from read_history(), drawn as a line with dots before
      (and, where known, into) the forecast, in every panel.
    published: (edition, bands) from read_published(), drawn beside each year's fan (annual only).
    effect: the name of a variant whose path-wise effect (/compare/<effect>) is drawn instead of
      the levels: one panel, the fan of the differences variant - baseline.
    The y axis names the chart's one unit; euros are shown in the one money unit that the medio
    of largest magnitude decides (mppmc_plotting.money_unit).
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
    scale = scale_name(annual)
    if effect is not None:
        if "compare" not in f or effect not in f["compare"]:
            listed = ", ".join(sorted(f["compare"].keys())) if "compare" in f else "none (the file has no /compare)"
            raise InputError(f"--effect {effect!r}: no such variant; available: {listed}")
        name = effect
        if "variants" in f and effect in f["variants"]:
            name = text(f["variants"][effect].attrs.get("scenario_name", effect))
        groups = [(f"{name} − baseline", f["compare"][effect])]
    else:
        variants = select_variants(f, variants)
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
    finite = np.concatenate([np.ravel(q) for _, q, _ in data] + [np.ravel(b) for _, _, b in data]
                            + [np.asarray([v for _, v in history or []], dtype=float)])
    finite = finite[np.isfinite(finite)]
    medios = np.concatenate([b[1] for _, _, b in data])
    medios = np.abs(medios[np.isfinite(medios)])
    divisor, ylabel = axis_scale(unit, float(medios.max()) if medios.size else 0.0)
    if effect is not None:
        ylabel = f"change in {ylabel}"
    if published is not None and not annual:
        raise InputError("--published draws annual bands: add --annual")

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
    # The medio is the median when the band's medio percentile is the fan's median: one entry,
    # "median (medio)", and in a monthly chart no second line on top of the median.
    medio_is_median = median is not None and abs(band_percentiles(f)[1] - percentiles[median]) < 1e-9
    if median is not None:
        word = "median (medio)" if medio_is_median else "median"
        handles.append(Line2D([], [], color=MEDIAN_COLOR, lw=2.2, label=f"{word} {pct_label(percentiles[median])}",
                              **({"marker": "D", "ms": 6, "markerfacecolor": "white",
                                  "markeredgecolor": BAND_STYLE[1][1]} if annual and medio_is_median else {})))
    for row in range(3):
        _, color, marker = BAND_STYLE[row]
        if row == 1 and medio_is_median:
            continue
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
                if not (row == 1 and medio_is_median):
                    ax.plot(x, band[row], color=color, lw=1.4, ls=(0, (5, 3)), zorder=4)
            set_month_axis(ax, len(x), 7 if n == 1 else 5)
            ax.set_xlim(x[0], x[-1])
            ax.grid(color="#e3e3e3", lw=0.8, zorder=0)
        if history:
            hx = np.array([h for h, _ in history], dtype=float if annual else object)
            ax.plot(hx, [v for _, v in history], color=HISTORY_COLOR, lw=1.6, marker="o", ms=3.5, zorder=5)
            start = x[0] - 0.5 if annual else x[0]
            ax.axvline(start, color=HISTORY_COLOR, lw=0.9, ls=":", zorder=1)
            lo_x = min(hx[0], x[0])
            ax.set_xlim(lo_x - 0.6 if annual else lo_x, ax.get_xlim()[1])
            if annual:
                ticks = np.arange(int(lo_x), int(x[-1]) + 1, dtype=float)
                ax.set_xticks(ticks)
                ax.set_xticklabels([xlabels[list(x).index(t)] if t in x else f"{int(t)}" for t in ticks],
                                   rotation=45 if len(ticks) > 10 else 0)
            else:
                set_month_axis(ax, len(x) + len(hx), 7 if n == 1 else 5)
        if published is not None:
            for year, low, mid, high in published[1]:
                px = year + width / 2 + 0.12
                ax.vlines(px, low, high, color=PUBLISHED_COLOR, lw=3.0, zorder=4)
                ax.plot([px, px], [low, high], ls="none", marker="_", ms=10, mew=2.0, color=PUBLISHED_COLOR, zorder=4)
                if mid is not None:
                    ax.plot(px, mid, ls="none", marker="o", ms=5.5, color=PUBLISHED_COLOR, zorder=5)
            years_drawn = [year for year, *_ in published[1]]
            if years_drawn:
                left, right = ax.get_xlim()
                ax.set_xlim(min(left, min(years_drawn) - 0.6), max(right, max(years_drawn) + 0.8))
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

    if history:
        handles.append(Line2D([], [], color=HISTORY_COLOR, lw=1.6, marker="o", ms=3.5, label="realised"))
    if published is not None:
        handles.append(Line2D([], [], color=PUBLISHED_COLOR, lw=3.0, marker="o", ms=5.5,
                              label=f"published MPP {published[0]} (min–max, medio)"))
    if finite.size and finite.min() >= 0:
        axes[0][0].set_ylim(bottom=0)
    top = axes[0][0].get_ylim()[1]
    axes[0][0].set_ylim(top=top * 1.04 if top > 0 else top)

    if title is None:
        if effect is not None:
            title = f"{description}: effect of {data[0][0]}"
        else:
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
    if effect is not None:
        sub += " · path-wise differences on common random numbers (not the difference of two bands)"

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
    legend = fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                        ncol=len(handles) if len(handles) <= 7 else math.ceil(len(handles) / 2),
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
    g.add_argument("--effect", metavar="NAME",
                   help="draw the fan of variant NAME's path-wise effect (/compare/NAME: variant - baseline on "
                        "common random numbers) instead of the levels")
    p.add_argument("--history", metavar="FILE.csv",
                   help="realised values to draw before (and into) the forecast: a tidy CSV series,period,value "
                        "with period YYYY, YYYY-MM or YYYY-Qn (e.g. scenarios/data/realised.csv)")
    p.add_argument("--history-series", metavar="NAME", help="the series' name in --history (default: --series)")
    p.add_argument("--published", metavar="BANDS.csv",
                   help="a published band to compare, drawn beside each target year (annual charts; columns as "
                        "scenarios/data/mpp_bands.csv)")
    p.add_argument("--edition", metavar="E", help="the edition of --published, e.g. 2024-II (default: the last in "
                                                   "the file)")
    p.add_argument("--published-series", metavar="NAME",
                   help="the series' name in --published (default: --series; total_inflow falls back to "
                        "total_asylum_inflow)")
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
        kind = text(f[scale_name(args.annual)][args.series].attrs.get("kind", ""))
        history = (read_history(args.history, args.history_series or args.series, args.annual, kind)
                   if args.history else None)
        published = None
        if args.published:
            if not args.annual:
                raise InputError("--published draws annual bands: add --annual")
            name = args.published_series or args.series
            try:
                published = read_published(args.published, name, args.edition)
            except InputError:
                if args.published_series or name not in PUBLISHED_ALIASES:
                    raise
                published = read_published(args.published, PUBLISHED_ALIASES[name], args.edition)
        return [plot_fan(f, args.series, output, annual=args.annual, variants=variants,
                         title=args.title, dpi=args.dpi, history=history, published=published, effect=args.effect)]


def main(argv=None):
    args = build_parser().parse_args(argv)
    return run_cli(PROG, lambda: draw(args))


if __name__ == "__main__":
    sys.exit(main())
