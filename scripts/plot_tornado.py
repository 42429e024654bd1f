#!/usr/bin/env python3
"""Tornado chart and Sobol indices of one output of an mppmc sensitivity file (HDF5, written by
`mppmc sensitivity`, schema "mppmc-sensitivity" version 1 or 2).

Left panel, the tornado (/tornado/<output>): one input at a time at its low and its high
quantile (e.g. p5 and p95), the others at their medians; a bar per input from the output at the
input's low end to the output at its high end, around the base output (every input at its
median), the largest swing on top, and the input's own low / high values at the bar ends.
Right panel, the Sobol indices (/sensitivity/<output>): first-order S and total-order ST per
input with their bootstrap intervals, in the tornado's input order (sorted by ST when the file
has no tornado); for an analytic benchmark the exact values are marked with black ticks. A file
with only one of the two methods gets only that panel. Inputs that change the output in neither
method are left out (the note under the chart counts them).

Examples:
  scripts/plot_tornado.py results/coa-drivers-sensitivity.h5
  scripts/plot_tornado.py study.h5 --output 'cost_total[2025]' -o cost.png --top 10
  scripts/plot_tornado.py ishigami.h5            # a benchmark: Sobol panel with analytic values

Exit codes: 0 ok (the path written is printed), 2 bad input (a one-line message on stderr;
nothing is written), 3 the PNG could not be written.
"""
import argparse
import math
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mppmc_plotting import (  # noqa: E402
    InputError, check_dpi, check_png_output, clean_zero, format_count, format_value, make_tick_formatter,
    money_scale, open_hdf5, run_cli, save_png, text)

SCHEMA = "mppmc-sensitivity"
SCHEMA_VERSIONS = (1, 2)  # schema 2 adds dimension scales, the rest unchanged
PROG = "plot_tornado.py"
DEFAULT_TOP = 15

LOW_COLOR = "#3b6fb6"     # output with the input at its low quantile
HIGH_COLOR = "#e0822c"    # ... at its high quantile
BASE_COLOR = "#222222"
FIRST_COLOR = "#b7a6d6"   # Sobol first order
TOTAL_COLOR = "#5b3a8e"   # Sobol total order
CI_COLOR = "#222222"
NOTE_COLOR = "#555555"

# Unit and description of each output series (model contract, src/model/series.cpp): the base
# unit ("persons", "places", "EUR") and whether the series is a flow (per month / per year) or a
# stock (a level at the end of a month or year).
SERIES = {
    "inflow_first": ("persons", "flow", "first asylum applications"),
    "inflow_repeat": ("persons", "flow", "repeat asylum applications"),
    "nareis_arrivals": ("persons", "flow", "arriving family members (nareizigers)"),
    "total_inflow": ("persons", "flow", "total asylum inflow"),
    "ind_asylum_decisions": ("persons", "flow", "IND asylum decisions"),
    "ind_asylum_grants": ("persons", "flow", "IND asylum decisions that grant a permit"),
    "ind_nareis_applications": ("persons", "flow", "nareis applications"),
    "ind_nareis_decisions": ("persons", "flow", "IND nareis decisions"),
    "housed": ("persons", "flow", "status holders housed by municipalities"),
    "departures": ("persons", "flow", "rejected residents who leave COA"),
    "left_in_procedure": ("persons", "flow", "residents who leave COA before a decision"),
    "cost_coa": ("EUR", "flow", "COA reception cost"),
    "cost_ind": ("EUR", "flow", "IND decision cost"),
    "cost_total": ("EUR", "flow", "total cost: COA + IND"),
    "ind_asylum_backlog": ("persons", "stock", "IND asylum cases pending"),
    "ind_nareis_backlog": ("persons", "stock", "IND nareis applications pending"),
    "nareis_potential": ("persons", "stock", "family members expected to apply"),
    "nareis_pipeline": ("persons", "stock", "decided family members yet to arrive"),
    "coa_in_procedure": ("persons", "stock", "COA residents in the asylum procedure"),
    "coa_status_holders": ("persons", "stock", "COA residents with a permit awaiting housing"),
    "coa_rejected": ("persons", "stock", "COA residents with a rejected application"),
    "coa_occupancy": ("persons", "stock", "COA residents (occupancy)"),
    "coa_emergency": ("persons", "stock", "COA residents beyond the regular capacity"),
    "coa_places_needed": ("places", "stock", "reception places needed"),
}

TORNADO_DATASETS = ("inputs", "low_input", "high_input", "low_output", "high_output", "swing")


# ----------------------------------------------------------------------------------------------
# Reading

def open_sensitivity(path):
    """Opens an mppmc sensitivity file read-only (an h5py.File) after checking that it is one:
    it exists, is HDF5, has schema == "mppmc-sensitivity" and schema_version 1 or 2, and holds a
    /tornado or /sensitivity group. Raises InputError naming the problem."""
    return open_hdf5(path, "mppmc sensitivity", SCHEMA, SCHEMA_VERSIONS,
                     show_version=lambda version: text(version) if version is not None else "missing",
                     hints={"mppmc-results": " (a results file of `mppmc run`; plot it with plot_fan.py)"},
                     check=_check_groups)


def _check_groups(f, path):
    if "tornado" not in f and "sensitivity" not in f:
        raise InputError(f"{path}: malformed mppmc sensitivity file: neither /tornado nor /sensitivity")


def output_names(f):
    """The outputs of the file in the file's order (the order `mppmc` lists them): those of
    /tornado, then any that only /sensitivity has."""
    names = []
    for group in ("tornado", "sensitivity"):
        if group in f:
            names += [n for n in f[group].keys() if n not in names]
    return names


def check_output(f, output):
    """Raises InputError (listing the available outputs) when `output` is not in the file."""
    names = output_names(f)
    if output not in names:
        listed = ", ".join(names) if names else "none"
        raise InputError(f"unknown output {output!r}; available: {listed}")


def _array(group, name, where, shape=None):
    import numpy as np
    if name not in group:
        raise InputError(f"malformed mppmc sensitivity file: {where}/{name} is missing")
    data = group[name][()]
    if name == "inputs":
        return [text(v) for v in np.ravel(data)]
    try:
        data = np.asarray(data, dtype=float)
    except (TypeError, ValueError):
        raise InputError(f"malformed mppmc sensitivity file: {where}/{name} is not numeric") from None
    if shape is not None and data.shape != shape:
        raise InputError(f"malformed mppmc sensitivity file: {where}/{name} has shape {data.shape}, "
                         f"expected {shape}")
    return data


def _float_attr(group, key, where, default=None):
    if key not in group.attrs:
        if default is not None:
            return default
        raise InputError(f"malformed mppmc sensitivity file: {where} has no attribute {key}")
    try:
        return float(group.attrs[key])
    except (TypeError, ValueError):
        raise InputError(f"malformed mppmc sensitivity file: {where} attribute {key} is not a number") from None


def _read_group(f, method, output, per_input):
    """(group, its path for messages, dict) for the group /<method>/<output>: the dict holds its
    "inputs" and each dataset named in `per_input` (one value per input). None when the file has
    no such group."""
    if method not in f or output not in f[method]:
        return None
    g = f[method][output]
    where = f"/{method}/{output}"
    inputs = _array(g, "inputs", where)
    d = {"inputs": inputs}
    # Readable names ([study.labels], the code name where none was given); older files have none.
    labels = [text(v) for v in g["labels"][()]] if "labels" in g else list(inputs)
    if len(labels) != len(inputs):
        raise InputError(f"malformed mppmc sensitivity file: {where}/labels has {len(labels)} entries, "
                         f"inputs {len(inputs)}")
    d["labels"] = dict(zip(inputs, labels))
    for name in per_input:
        d[name] = _array(g, name, where, (len(inputs),))
    return g, where, d


def read_tornado(f, output):
    """The tornado of `output` as a dict, or None when the file has none."""
    found = _read_group(f, "tornado", output, TORNADO_DATASETS[1:])
    if found is None:
        return None
    g, where, t = found
    t["base"] = _float_attr(g, "base_output", where)
    t["low_q"] = _float_attr(g, "low_quantile", where, 0.05)
    t["high_q"] = _float_attr(g, "high_quantile", where, 0.95)
    t["series"] = text(g.attrs["series"]) if "series" in g.attrs else None
    return t


def read_sobol(f, output):
    """The Sobol indices of `output` as a dict, or None when the file has none."""
    found = _read_group(f, "sensitivity", output, ("first_order", "total_order"))
    if found is None:
        return None
    g, where, s = found
    k = len(s["inputs"])
    for name in ("first_order_ci", "total_order_ci"):
        s[name] = _array(g, name, where, (2, k))
    s["analytic"] = None
    if "analytic_first_order" in g and "analytic_total_order" in g:
        s["analytic"] = (_array(g, "analytic_first_order", where, (k,)),
                         _array(g, "analytic_total_order", where, (k,)))
    a = g.attrs
    s["N"] = int(a["N"]) if "N" in a else None
    s["runs"] = int(a["runs"]) if "runs" in a else None
    s["bootstrap"] = int(a["bootstrap"]) if "bootstrap" in a else None
    s["confidence"] = float(a["confidence_level"]) if "confidence_level" in a else None
    s["sampling"] = text(a["sampling"]) if "sampling" in a else None
    s["series"] = text(a["series"]) if "series" in a else None
    return s


# ----------------------------------------------------------------------------------------------
# Units and number formatting

def split_output(output):
    """"coa_occupancy[2026]" -> ("coa_occupancy", "2026"); "y" -> ("y", None)."""
    m = re.fullmatch(r"(.*?)\[([^\]]*)\]", output)
    return (m.group(1), m.group(2)) if m else (output, None)


def output_unit(series, period):
    """(unit, what): e.g. ("persons", "at the end of 2026"), ("EUR/year", "2025 total"); unit ""
    for a series this script does not know (a benchmark's "y")."""
    if series not in SERIES:
        return "", ""
    base, kind, _ = SERIES[series]
    monthly = period is not None and re.fullmatch(r"\d{4}-\d{2}", period) is not None
    if kind == "stock":
        return base, (f"at the end of {period}" if period else "")
    return f"{base}/{'month' if monthly else 'year'}", (f"{period} total" if period else "")


def format_input(value):
    """An input's value at a bar end, compact: "49,788", "1.17", "0.0905", "0.00282"."""
    if not math.isfinite(value):
        return "n/a"
    a = abs(value)
    if a >= 1000:
        return format_count(value)
    if a >= 100:
        return clean_zero(f"{value:.0f}")
    if a == 0:
        return "0"
    return clean_zero(f"{value:.3g}")


def quantile_label(q):
    """0.05 -> "p5", 0.025 -> "p2.5"."""
    return f"p{100 * q:g}"


def wrap_input(name, width=36):
    """A long input name on two or more lines, broken after " + " (a group of correlated inputs)
    or, failing that, after a dot: "ind.asylum.grant_rate +\\nnareis.persons_per_grant"."""
    if len(name) <= width:
        return name
    if " + " in name:
        lines = _fill_lines(name.split(" + "), " + ", width)
        return "\n".join(wrap_input(x, width) if " + " not in x else x for x in lines)
    return "\n".join(_fill_lines(name.split("."), ".", width))


def _fill_lines(pieces, sep, width):
    """`pieces` joined by `sep` into as few lines as fit in `width` (a piece longer than `width`
    stands alone), each line but the last ending in `sep` less its trailing blank."""
    lines, line = [], ""
    for p in pieces:
        candidate = f"{line}{sep}{p}" if line else p
        if line and len(candidate) > width:
            lines.append(line + sep.rstrip())
            line = p
        else:
            line = candidate
    lines.append(line)
    return lines


def sanitise(name):
    """A file-name-safe form of an output name: "coa_occupancy[2026]" -> "coa_occupancy_2026"."""
    s = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_.")
    return s or "output"


def default_output(path, output):
    """<FILE stem>_<output sanitised>_tornado.png in the current folder."""
    return Path(f"{Path(path).stem}_{sanitise(output)}_tornado.png")


# ----------------------------------------------------------------------------------------------
# Selecting the rows

def select_rows(tornado, sobol, top):
    """(rows, notes): the input names to draw, top first, and notes on those left out.

    With a tornado the order is the tornado's (largest swing first), else by total order
    (largest first). Inputs that change the output in neither method (swing 0, indices and
    their intervals 0) are left out; then the first `top` are kept."""
    tol = 1e-12
    swing = {}
    if tornado is not None:
        scale = max(1.0, abs(tornado["base"]))
        for i, name in enumerate(tornado["inputs"]):
            sw = abs(tornado["high_output"][i] - tornado["low_output"][i])
            swing[name] = sw if math.isfinite(sw) else float("nan")
        order = list(tornado["inputs"])  # the writer sorts by swing; keep a stable order
        order.sort(key=lambda n: -(swing[n] if math.isfinite(swing[n]) else -1.0))
        # Sobol-only inputs (not in the tornado) go after the tornado's, by total order.
        if sobol is not None:
            extra = [n for n in sobol["inputs"] if n not in swing]
            order += sorted(extra, key=lambda n: -_nan0(sobol["total_order"][sobol["inputs"].index(n)]))
    else:
        scale = 1.0
        st = sobol["total_order"]
        order = [sobol["inputs"][i] for i in sorted(range(len(st)), key=lambda i: -_nan0(st[i]))]

    def has_effect(name):
        if name in swing and not (swing[name] <= tol * scale):  # NaN counts as unknown: shown
            return True
        if sobol is not None and name in sobol["inputs"]:
            j = sobol["inputs"].index(name)
            vals = [sobol["first_order"][j], sobol["total_order"][j], *sobol["first_order_ci"][:, j],
                    *sobol["total_order_ci"][:, j]]
            if any(not math.isfinite(v) or abs(v) > tol for v in vals):
                return True
        return False

    effective = [n for n in order if has_effect(n)]
    idle = len(order) - len(effective)
    rows = effective[:top]
    notes = []
    cut = effective[top:]
    if cut:
        what = "smaller swings" if tornado is not None else "smaller total-order indices"
        note = f"{len(cut)} more input{'s' if len(cut) > 1 else ''} with {what} not shown (--top {top})"
        if sobol is not None:
            st = [sobol["total_order"][sobol["inputs"].index(n)] for n in cut if n in sobol["inputs"]]
            st = [v for v in st if math.isfinite(v)]
            if st:
                note += f"; their largest ST is {max(st):.3f}"
        notes.append(note)
    if idle:
        methods = " and ".join(m for m, d in (("swing", tornado), ("Sobol indices", sobol)) if d is not None)
        notes.append(f"{idle} input{'s' if idle > 1 else ''} with no effect on this output "
                     f"(zero {methods}) not shown")
    return rows, notes


def _nan0(v):
    return v if math.isfinite(v) else 0.0


# ----------------------------------------------------------------------------------------------
# Plotting

def draw_tornado(ax, tornado, rows, unit, what, divisor, scale_suffix):
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    base = tornado["base"]
    index = {n: i for i, n in enumerate(tornado["inputs"])}
    height = 0.64
    lo_label, hi_label = quantile_label(tornado["low_q"]), quantile_label(tornado["high_q"])
    ends = [base]
    annotations = []  # (y, x, text, side)
    for y, name in enumerate(rows):
        if name not in index:
            ax.text(base, y, "  not in the tornado", va="center", ha="left", fontsize=8, color=NOTE_COLOR)
            continue
        i = index[name]
        lo_out, hi_out = tornado["low_output"][i], tornado["high_output"][i]
        lo_in, hi_in = tornado["low_input"][i], tornado["high_input"][i]
        segments = [(lo_out, LOW_COLOR, lo_in), (hi_out, HIGH_COLOR, hi_in)]
        segments = [s for s in segments if math.isfinite(s[0])]
        if not segments:
            ax.text(base, y, "  n/a", va="center", ha="left", fontsize=8, color=NOTE_COLOR)
            continue
        # The longer segment first and full height; the shorter on top (narrower when both
        # lie on the same side of the base, so that both colours stay visible).
        segments.sort(key=lambda s: -abs(s[0] - base))
        same_side = len(segments) == 2 and (segments[0][0] - base) * (segments[1][0] - base) > 0
        for n, (x, color, _) in enumerate(segments):
            h = height * (0.55 if (same_side and n == 1) else 1.0)
            ax.barh(y, x - base, left=base, height=h, color=color, edgecolor="white", linewidth=0.6, zorder=3)
            ends.append(x)
        if all(abs(s[0] - base) <= 1e-12 * max(1.0, abs(base)) for s in segments):
            annotations.append((y, base, "no swing", "right"))
            continue
        # The inputs' values at the outer ends of the bars (both on one side: one label).
        left = [s for s in segments if s[0] < base]
        right = [s for s in segments if s[0] >= base]
        for side, segs in (("left", left), ("right", right)):
            if not segs:
                continue
            x = min(s[0] for s in segs) if side == "left" else max(s[0] for s in segs)
            label = " / ".join(format_input(s[2]) for s in sorted(segs, key=lambda s: s[1] != LOW_COLOR))
            annotations.append((y, x, label, side))

    ax.axvline(base, color=BASE_COLOR, lw=1.3, zorder=4)
    ends = np.array([e for e in ends if math.isfinite(e)])
    lo, hi = float(ends.min()), float(ends.max())
    span = hi - lo if hi > lo else max(1.0, abs(base) * 0.05)
    pad = 0.13 * span
    ax.set_xlim(lo - pad, hi + pad)
    offset = 0.008 * (span + 2 * pad)
    for y, x, label, side in annotations:
        if side == "left":
            ax.text(x - offset, y, label, va="center", ha="right", fontsize=8, color=NOTE_COLOR, zorder=5)
        else:
            ax.text(x + offset, y, label, va="center", ha="left", fontsize=8, color=NOTE_COLOR, zorder=5)

    ax.xaxis.set_major_formatter(make_tick_formatter(divisor))
    label = scale_suffix or unit or "output"  # the axis's one unit, e.g. "EUR m/year"
    if what:
        label += f" ({what})"
    ax.set_xlabel(label, fontsize=10.5)
    ax.grid(axis="x", color="#e3e3e3", lw=0.8, zorder=0)
    ax.set_axisbelow(True)
    ax.set_title(f"Tornado: one input at a time at its {lo_label} / {hi_label}, the others at their medians",
                 fontsize=11, loc="left")
    handles = [Patch(facecolor=LOW_COLOR, label=f"input at its {lo_label} (low)"),
               Patch(facecolor=HIGH_COLOR, label=f"input at its {hi_label} (high)"),
               Line2D([], [], color=BASE_COLOR, lw=1.3, label=f"base, all at medians: {format_value(base, unit)}")]
    return handles


def draw_sobol(ax, sobol, rows):
    import numpy as np
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    index = {n: i for i, n in enumerate(sobol["inputs"])}
    bar_h = 0.34
    offsets = {"first": -0.19, "total": 0.19}  # y grows downwards (inverted axis): S above ST
    values = []
    for name in rows:
        if name in index:
            j = index[name]
            values += [sobol["first_order"][j], sobol["total_order"][j], *sobol["first_order_ci"][:, j],
                       *sobol["total_order_ci"][:, j]]
            if sobol["analytic"] is not None:
                values += [sobol["analytic"][0][j], sobol["analytic"][1][j]]
    values = np.array([v for v in values if math.isfinite(v)] or [0.0])
    x_lo = max(-0.25, min(-0.05, float(values.min()) - 0.03))
    x_hi = min(1.1, max(1.0, float(values.max()) + 0.03))
    clipped = False
    for y, name in enumerate(rows):
        if name not in index:
            ax.text(0.0, y, "  not in the Sobol analysis", va="center", ha="left", fontsize=8, color=NOTE_COLOR)
            continue
        j = index[name]
        for key, color in (("first", FIRST_COLOR), ("total", TOTAL_COLOR)):
            v = sobol[f"{key}_order"][j]
            ci = sobol[f"{key}_order_ci"][:, j]
            yy = y + offsets[key]
            if not math.isfinite(v):
                ax.text(0.01, yy, "n/a", va="center", ha="left", fontsize=7.5, color=NOTE_COLOR)
                continue
            ax.barh(yy, min(max(v, x_lo), x_hi), height=bar_h, color=color, zorder=3)
            lo, hi = sorted(float(c) for c in ci)
            if math.isfinite(lo) and math.isfinite(hi):
                a, b = max(lo, x_lo), min(hi, x_hi)
                ax.hlines(yy, a, b, color=CI_COLOR, lw=1.0, zorder=4)
                for end, cut, marker in ((a, lo < x_lo, "<"), (b, hi > x_hi, ">")):
                    if cut:
                        clipped = True
                        ax.plot([end], [yy], marker=marker, ms=4.5, color=CI_COLOR, zorder=4, clip_on=False)
                    else:
                        ax.plot([end], [yy], marker="|", ms=6, mew=1.0, color=CI_COLOR, zorder=4)
            if sobol["analytic"] is not None:
                truth = sobol["analytic"][0 if key == "first" else 1][j]
                if math.isfinite(truth):
                    ax.plot([truth], [yy], marker="|", ms=15, mew=2.6, color="black", zorder=5)
    ax.axvline(0.0, color="#888888", lw=0.9, zorder=2)
    ax.set_xlim(x_lo, x_hi)
    ax.set_xlabel("Sobol index (share of the output variance)", fontsize=10.5)
    ax.grid(axis="x", color="#e3e3e3", lw=0.8, zorder=0)
    ax.set_axisbelow(True)
    conf = sobol["confidence"]
    interval = f"{100 * conf:g}% bootstrap intervals" if conf is not None else "bootstrap intervals"
    ax.set_title(f"Sobol indices with {interval}", fontsize=11, loc="left")
    handles = [Patch(facecolor=FIRST_COLOR, label="first order S"),
               Patch(facecolor=TOTAL_COLOR, label="total order ST"),
               Line2D([], [], color=CI_COLOR, lw=1.0, marker="|", ms=6, label="interval")]
    if sobol["analytic"] is not None:
        handles.append(Line2D([], [], color="black", lw=0, marker="|", ms=12, mew=2.6, label="analytic value"))
    return handles, clipped


def plot_tornado(f, output, path_out, top=DEFAULT_TOP, dpi=110, source_name=None):
    """Draws the chart of `output` from the open sensitivity file `f` into the PNG `path_out`
    (written to a temporary name and renamed). Returns Path(path_out)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    check_output(f, output)
    try:
        tornado = read_tornado(f, output)
        sobol = read_sobol(f, output)
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise InputError(f"malformed mppmc sensitivity file: output {output!r}: {e}") from None
    if tornado is None and sobol is None:
        raise InputError(f"output {output!r} has neither a tornado nor Sobol indices")
    rows, notes = select_rows(tornado, sobol, top)

    series, period = split_output(output)
    series = (tornado or {}).get("series") or (sobol or {}).get("series") or series
    unit, what = output_unit(series, period)
    kind = text(f.attrs.get("kind", ""))
    if kind.startswith("benchmark:"):
        context = f"{kind.split(':', 1)[1]} benchmark"
    else:
        context = text(f.attrs.get("scenario_name", source_name or ""))

    n = max(1, len(rows))
    panels = [p for p in ("tornado", "sobol") if (tornado if p == "tornado" else sobol) is not None]
    row_h = 0.44
    height = max(5.2, n * row_h + 3.2)
    width = 15.5 if len(panels) == 2 else 10.5
    ratios = [1.55, 1.0] if len(panels) == 2 else [1.0]
    fig, axes = plt.subplots(1, len(panels), figsize=(width, height), dpi=dpi, sharey=True,
                             gridspec_kw={"width_ratios": ratios}, squeeze=False)
    axes = list(axes[0])

    clipped = False
    legends = []
    for ax, panel in zip(axes, panels):
        if panel == "tornado":
            # One money unit for the axis, by the rule of the tables (the base output is the medio).
            divisor, suffix = money_scale(unit, tornado["base"] if math.isfinite(tornado["base"]) else 0.0)
            legends.append(draw_tornado(ax, tornado, rows, unit, what, divisor, suffix))
        else:
            handles, clipped = draw_sobol(ax, sobol, rows)
            legends.append(handles)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.tick_params(axis="x", labelsize=9.5)
        ax.tick_params(axis="y", length=0, labelsize=10)

    axes[0].set_yticks(range(len(rows)))
    labels = {**(sobol or {}).get("labels", {}), **(tornado or {}).get("labels", {})}
    axes[0].set_yticklabels([wrap_input(labels.get(r, r)) for r in rows])
    axes[0].set_ylim(len(rows) - 0.5 if rows else 0.5, -0.6)
    if len(axes) == 2:
        axes[1].tick_params(axis="y", labelleft=False)
    if not rows:
        axes[0].text(0.5, 0.5, "no input changes this output", transform=axes[0].transAxes, ha="center",
                     va="center", fontsize=11, color=NOTE_COLOR)

    if tornado is not None and rows:
        notes.insert(0, f"Numbers at the bar ends: the input's own value at its {quantile_label(tornado['low_q'])} "
                        f"and {quantile_label(tornado['high_q'])}.")
    if clipped:
        notes.append("◂ ▸ an interval continues beyond the axis.")
    title = f"{output} — {context}" if context else output
    sub = []
    if sobol is not None:
        part = []
        if sobol["N"] is not None:
            part.append(f"N = {sobol['N']:,}")
        if sobol["runs"] is not None:
            part.append(f"{sobol['runs']:,} runs")
        if sobol["sampling"]:
            part.append(f"{sobol['sampling']} sampling")
        if sobol["confidence"] is not None:
            boot = f" ({sobol['bootstrap']:,} bootstrap resamples)" if sobol["bootstrap"] else ""
            part.append(f"{100 * sobol['confidence']:g}% confidence{boot}")
        sub.append("Sobol: " + ", ".join(part))
    if tornado is not None:
        k = len(tornado["inputs"])
        sub.append(f"tornado: {1 + 2 * k} runs (1 + 2 × {k} inputs)")
    if series in SERIES:
        sub.insert(0, SERIES[series][2])

    fig.suptitle(title, fontsize=14, y=1 - 0.12 / height, va="top")
    fig.text(0.5, 1 - 0.48 / height, " · ".join(sub), ha="center", va="top", fontsize=10, color="#444444")
    # Title and subtitle on top; each panel's legend under its x label, the notes under the
    # legends (never on the data).
    fig.tight_layout(rect=(0, (0.55 + 0.19 * len(notes)) / height, 1, 1 - 0.70 / height), pad=0.6, w_pad=2.0)
    renderer = fig.canvas.get_renderer()
    to_fig = fig.transFigure.inverted()
    lowest = 1.0
    for ax, handles in zip(axes, legends):
        box = ax.get_tightbbox(renderer).transformed(to_fig)
        pos = ax.get_position()
        legend = ax.legend(handles=handles, loc="upper center", bbox_to_anchor=((pos.x0 + pos.x1) / 2, box.y0 - 0.06 / height),
                           bbox_transform=fig.transFigure, ncol=len(handles), frameon=False, fontsize=9.5,
                           handlelength=1.6, columnspacing=1.3, borderaxespad=0)
        lowest = min(lowest, legend.get_window_extent(renderer).transformed(to_fig).y0)
    if notes:
        fig.text(0.01, lowest - 0.14 / height, "\n".join(notes), ha="left", va="top", fontsize=9, color=NOTE_COLOR,
                 linespacing=1.45)

    return save_png(fig, path_out, dpi)


# ----------------------------------------------------------------------------------------------
# Command line

def build_parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Tornado chart (one input at a time, from /tornado) and Sobol indices (first and "
                    "total order with bootstrap intervals, from /sensitivity) of one output of an "
                    "mppmc sensitivity file, side by side; a file with one method gets one panel.",
        epilog="Exit codes: 0 ok (prints the PNG path), 2 bad input (one-line message on stderr, "
               "nothing written), 3 the PNG could not be written. "
               "Example: %(prog)s study.h5 --output 'cost_total[2025]' --top 10",
    )
    p.add_argument("file", metavar="FILE.h5", help="sensitivity file written by `mppmc sensitivity`")
    p.add_argument("--output", metavar="NAME",
                   help="output to draw, e.g. 'coa_occupancy[2026]' (default: the file's first; an "
                        "unknown name lists the available ones)")
    p.add_argument("-o", dest="png", metavar="OUT.png",
                   help="PNG to write (default: <FILE stem>_<output>_tornado.png in the current folder)")
    p.add_argument("--top", type=int, default=DEFAULT_TOP, metavar="K",
                   help="draw the K inputs with the largest swing (or total-order index) (default: %(default)s)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNG (default: %(default)s)")
    return p


def draw(args):
    """Checks the arguments, draws the chart; returns [the PNG written]."""
    if args.top < 1:
        raise InputError(f"--top {args.top}: expected at least 1")
    check_dpi(args.dpi)
    with open_sensitivity(args.file) as f:
        names = output_names(f)
        if not names:
            raise InputError(f"{args.file}: the file holds no outputs")
        output = args.output if args.output is not None else names[0]
        check_output(f, output)
        png = Path(args.png) if args.png else default_output(args.file, output)
        check_png_output(png)
        return [plot_tornado(f, output, png, top=args.top, dpi=args.dpi, source_name=Path(args.file).stem)]


def main(argv=None):
    args = build_parser().parse_args(argv)
    return run_cli(PROG, lambda: draw(args))


if __name__ == "__main__":
    sys.exit(main())
