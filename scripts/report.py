#!/usr/bin/env python3
"""A short report of an mppmc results file (HDF5, schema 1 or 2): annual fan charts of the key series
and DIR/summary.md (the run, the annual min/medio/max band per key series, and, when the file
holds variants, the path-wise differences variant - baseline).

Example:
  scripts/report.py results/mpp-2024-II.h5 -o results/report
  # -> results/report/summary.md, results/report/<series>_annual.png

Exit codes: 0 ok (prints the files written), 2 bad input (a one-line message on stderr; nothing
is written). The charts are drawn by plot_fan.py, the helpers shared with it are in
mppmc_plotting.py (both imported from the same folder).
"""
import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_plotting as mp  # noqa: E402
import plot_fan as pf  # noqa: E402

PROG = "report.py"

# The series charted and tabulated for the baseline (and variants, side by side).
KEY_SERIES = ["total_inflow", "ind_asylum_backlog", "ind_nareis_backlog", "coa_occupancy", "cost_total"]
# The series whose path-wise difference variant - baseline is tabulated per variant.
COMPARE_SERIES = ["total_inflow", "ind_nareis_applications", "ind_asylum_backlog", "coa_occupancy", "cost_total"]


def chart_name(series):
    return f"{series}_annual.png"


def md_escape(s):
    """Text safe inside a Markdown table cell."""
    return str(s).replace("|", "\\|").replace("\n", " ")


def signed(formatted):
    """"1,234" -> "+1,234", "€ 12.3 m" -> "€ +12.3 m"; zero and negative values unchanged."""
    number = formatted[2:] if formatted.startswith("€ ") else formatted
    if number.startswith("-") or not any(c in "123456789" for c in number):
        return formatted
    return f"€ +{number}" if formatted.startswith("€ ") else f"+{formatted}"


def kind_note(kind):
    if kind == "flow":
        return "sum over the year's simulated months"
    if kind == "stock":
        return "at the end of the year (its last simulated month)"
    return ""


def band_header(f, unit):
    labels = pf.band_labels(f)
    return labels, f"| year | {labels[0]} ({unit}) | {labels[1]} ({unit}) | {labels[2]} ({unit}) |"


def band_table(f, group, series, years):
    """Markdown lines: the annual band of `series` in `group` (the root, or a /compare/<name>)."""
    attrs = group["annual"][series].attrs
    unit = mp.text(attrs.get("unit", ""))
    band = group["annual"][series]["band"][:]
    _, header = band_header(f, md_escape(unit))
    lines = [header, "|---:|---:|---:|---:|"]
    for j, (year, months) in enumerate(years):
        cells = [mp.format_value(float(band[row][j]), unit) for row in range(3)]
        lines.append(f"| {pf.year_label(year, months)} | " + " | ".join(cells) + " |")
    return lines


def run_lines(f, path):
    a = f.attrs
    get = lambda key, default="?": mp.text(a[key]) if key in a else default  # noqa: E731
    start = get("start")
    horizon = int(a["horizon_months"]) if "horizon_months" in a else len(f["time/month"])
    months = pf.months_of(f)
    last = months[-1] if months else "?"
    n_paths = int(a["n_paths"]) if "n_paths" in a else None
    labels = pf.band_labels(f)
    rows = [
        ("scenario", f"{get('scenario_name')} (`{get('scenario_file')}`)"),
        ("paths", f"{n_paths:,} (sampling: {get('sampling')})" if n_paths is not None else "?"),
        ("seed", get("seed")),
        ("start + horizon", f"{start} + {horizon} months ({start} to {last})"),
        ("percentiles", ", ".join(pf.pct_label(p) for p in f["percentiles"][:])),
        ("band", " / ".join(labels)),
        ("tool", f"mppmc {get('tool_version')}, git {get('git_sha')}"),
        ("created", get("created_utc")),
        ("results file", f"`{Path(path).name}`"),
    ]
    variants = pf.variant_names(f)
    if variants:
        names = [f"{mp.text(f['variants'][v].attrs.get('scenario_name', v))} (`{v}`)" for v in variants]
        rows.insert(1, ("variants", "; ".join(names)))
    lines = ["| run | |", "|---|---|"]
    lines += [f"| {k} | {md_escape(v)} |" for k, v in rows]
    return lines


def summary_markdown(f, path, charts):
    """The text of summary.md; `charts` maps a series to its chart's file name (relative)."""
    scenario = mp.text(f.attrs.get("scenario_name", "?"))
    years = pf.years_of(f)
    partial = [(y, m) for y, m in years if m < 12]
    out = [f"# mppmc forecast: {scenario}", ""]
    out += run_lines(f, path)
    out.append("")
    if partial:
        parts = ", ".join(f"{y} has {m} of 12 months" for y, m in partial)
        out += [f"\\* partial year ({parts}): flows are summed over the simulated months only, stocks "
                f"are taken at the year's last simulated month.", ""]
    out += ["Amounts in euros are in millions (€ m); persons are rounded to whole numbers.", ""]

    out += ["## Annual band", ""]
    for series in KEY_SERIES:
        attrs = f["annual"][series].attrs
        description = mp.text(attrs.get("description", series)) or series
        description = description[0].upper() + description[1:]
        unit = mp.text(attrs.get("unit", ""))
        note = kind_note(mp.text(attrs.get("kind", "")))
        out += [f"### {description} (`{series}`)", "",
                f"{unit}{', ' + note if note else ''}; baseline *{md_escape(scenario)}*.", ""]
        out += band_table(f, f, series, years)
        out.append("")
        if series in charts:
            out += [f"![{series}, annual fan chart]({charts[series]})", ""]

    if "compare" in f and len(f["compare"]) > 0:
        out += ["## Variants minus baseline", "",
                "Path-wise differences variant − baseline on common random numbers: the band is the "
                "percentiles of the N differences (the effect of the variant's measures with its "
                "uncertainty), not the difference of the two bands.", ""]
        labels = pf.band_labels(f)
        for name in sorted(f["compare"].keys()):
            vname = name
            if "variants" in f and name in f["variants"]:
                vname = mp.text(f["variants"][name].attrs.get("scenario_name", name))
            group = f["compare"][name]
            out += [f"### {md_escape(vname)} (`{name}`)", "",
                    f"| series | unit | year | {labels[0]} | {labels[1]} | {labels[2]} |",
                    "|---|---|---:|---:|---:|---:|"]
            missing = []
            for series in COMPARE_SERIES:
                if "annual" not in group or series not in group["annual"]:
                    missing.append(series)
                    continue
                unit = mp.text(group["annual"][series].attrs.get("unit", ""))
                band = group["annual"][series]["band"][:]
                for j, (year, months) in enumerate(years):
                    cells = [signed(mp.format_value(float(band[row][j]), unit)) for row in range(3)]
                    out.append(f"| `{series}` | {md_escape(unit)} | {pf.year_label(year, months)} | "
                               + " | ".join(cells) + " |")
            out.append("")
            if missing:
                out += [f"Not in the file for this variant: {', '.join(missing)}.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


def write_text(path, content):
    """Writes `content` to `path` through a temporary file in the same folder and a rename."""
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as out:
            out.write(content)
    mp.write_atomically(path, write, suffix=".tmp")


def build_parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Report of an mppmc results file: annual fan charts of "
                    + ", ".join(KEY_SERIES) + " (baseline and variants side by side) and "
                    "DIR/summary.md: the run, the annual min/medio/max band per series, and per "
                    "variant the path-wise difference variant - baseline of "
                    + ", ".join(COMPARE_SERIES) + ".",
        epilog="Exit codes: 0 ok (prints the files written), 2 bad input (one-line message on "
               "stderr, nothing written). Example: %(prog)s results/mpp-2024-II.h5 -o results/report",
    )
    p.add_argument("file", metavar="FILE.h5", help="results file written by `mppmc run`")
    p.add_argument("-o", "--output", metavar="DIR",
                   help="folder to write into, created if needed; existing report files in it are "
                        "replaced (default: <FILE stem>_report in the current folder)")
    p.add_argument("--no-variants", action="store_true",
                   help="chart the baseline only (the variant tables are still written)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNGs (default: %(default)s)")
    return p


def write_report(args):
    """Checks the arguments, writes the charts and summary.md; returns the paths written."""
    out_dir = Path(args.output) if args.output else Path(f"{Path(args.file).stem}_report")
    mp.check_dpi(args.dpi)
    if out_dir.exists() and not out_dir.is_dir():
        raise mp.InputError(f"{out_dir}: exists and is not a folder")
    with pf.open_results(args.file) as f:
        for series in KEY_SERIES:
            try:
                pf.check_series(f, series, annual=True)
            except mp.InputError as e:
                raise mp.InputError(f"{args.file}: key series missing: {e}") from None
        variants = pf.select_variants(f, none=args.no_variants)
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise mp.InputError(f"{out_dir}: cannot create the folder: {e.strerror}") from None
        written, charts = [], {}
        for series in KEY_SERIES:
            png = pf.plot_fan(f, series, out_dir / chart_name(series), annual=True, variants=variants,
                              dpi=args.dpi)
            charts[series] = png.name
            written.append(png)
        summary = out_dir / "summary.md"
        write_text(summary, summary_markdown(f, args.file, charts))
        written.append(summary)
        return written


def main(argv=None):
    args = build_parser().parse_args(argv)
    return mp.run_cli(PROG, lambda: write_report(args))


if __name__ == "__main__":
    sys.exit(main())
