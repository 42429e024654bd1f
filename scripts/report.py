#!/usr/bin/env python3
"""A short report of an mppmc results file (HDF5, schema 1 or 2): annual fan charts of the key series
and DIR/summary.md (the run, the annual min/medio/max band per key series, and, when the file
holds variants, the path-wise differences variant - baseline).

Example:
  scripts/report.py results/mpp-2024-II.h5 -o results/report
  # -> results/report/summary.md, results/report/<series>_annual.png
  scripts/report.py results/mpp-2024-II.h5 --html results/report.html
  # -> one self-contained page (charts embedded as base64 PNGs)

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
    """"1,234" -> "+1,234", "12.3" -> "+12.3"; zero and negative values unchanged."""
    if formatted.startswith("-") or not any(c in "123456789" for c in formatted):
        return formatted
    return f"+{formatted}"


def kind_note(kind):
    if kind == "flow":
        return "sum over the year's simulated months"
    if kind == "stock":
        return "at the end of the year (its last simulated month)"
    return ""


def band_money(band, unit):
    """The one unit of a table of `band` [3, years] of `unit`: the money rule on its largest medio
    (mppmc_plotting.money_unit), or the unit itself."""
    import numpy as np
    medio = np.abs(np.asarray(band[1], dtype=float))
    medio = medio[np.isfinite(medio)]
    return mp.unit_for(unit, float(medio.max()) if medio.size else 0.0)


def band_header(f, unit):
    labels = pf.band_labels(f)
    return labels, f"| year | {labels[0]} ({unit}) | {labels[1]} ({unit}) | {labels[2]} ({unit}) |"


def band_table(f, group, series, years):
    """Markdown lines: the annual band of `series` in `group` (the root, or a /compare/<name>), in
    one unit (the money rule for euros)."""
    attrs = group["annual"][series].attrs
    unit = mp.text(attrs.get("unit", ""))
    band = group["annual"][series]["band"][:]
    money = band_money(band, unit)
    _, header = band_header(f, md_escape(mp.scaled_unit(unit, money)))
    lines = [header, "|---:|---:|---:|---:|"]
    for j, (year, months) in enumerate(years):
        cells = [mp.format_amount(float(band[row][j]), money) for row in range(3)]
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
    out += ["Amounts in euros are shown in the largest of EUR, EUR thousand, EUR m and EUR bn that keeps "
            "the table's medio at or above 1 (one unit per table, named in its header); persons are "
            "rounded to whole numbers.", ""]

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
                money = band_money(band, unit)
                for j, (year, months) in enumerate(years):
                    cells = [signed(mp.format_amount(float(band[row][j]), money)) for row in range(3)]
                    shown_unit = md_escape(mp.scaled_unit(unit, money))
                    out.append(f"| `{series}` | {shown_unit} | {pf.year_label(year, months)} | "
                               + " | ".join(cells) + " |")
            out.append("")
            if missing:
                out += [f"Not in the file for this variant: {', '.join(missing)}.", ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ----------------------------------------------------------------------------------------------
# One self-contained HTML page (--html): summary.md's own text, its charts embedded as base64
# PNGs, tables as HTML; no external links are needed to render it.

HTML_STYLE = """body{font-family:system-ui,-apple-system,'Segoe UI',Arial,sans-serif;max-width:1100px;margin:2em auto;
padding:0 1em;color:#222;line-height:1.45}table{border-collapse:collapse;margin:.6em 0 1.2em}
th,td{border:1px solid #ccc;padding:.25em .6em}th{background:#f3f3f3}td.num{text-align:right;
font-variant-numeric:tabular-nums}img{max-width:100%;height:auto}code{background:#f5f5f5;padding:0 .2em}"""


NUM_CLASS = ' class="num"'


def _inline(text):
    """Markdown inline code, emphasis and escapes of summary.md as HTML."""
    import html
    import re
    out = html.escape(text.replace("\\*", "\x00").replace("\\|", "|"), quote=False)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*([^*]+)\*", r"<em>\1</em>", out)
    return out.replace("\x00", "*")


def markdown_to_html(markdown, images, title):
    """The HTML page of summary.md's `markdown` (headings, paragraphs, pipe tables, images);
    `images` maps an image's link to its PNG bytes, embedded as a data: URI."""
    import base64
    import html
    import re
    body, table = [], []

    def flush_table():
        if not table:
            return
        rows = [[c.strip() for c in re.split(r"(?<!\\)\|", line.strip()[1:-1])] for line in table]
        rows = [r for r in rows if not all(re.fullmatch(r":?-+:?", c) for c in r)]
        body.append("<table>")
        for k, row in enumerate(rows):
            tag = "th" if k == 0 else "td"
            cells = ""
            for c in row:
                numeric = tag == "td" and re.fullmatch(r"[-+]?[\d,.]+\*?", c)
                cells += f"<{tag}{NUM_CLASS if numeric else ''}>{_inline(c)}</{tag}>"
            body.append(f"<tr>{cells}</tr>")
        body.append("</table>")
        table.clear()

    for line in markdown.splitlines():
        if line.startswith("|"):
            table.append(line)
            continue
        flush_table()
        image = re.fullmatch(r"!\[([^\]]*)\]\(([^)]+)\)", line.strip())
        heading = re.match(r"(#{1,6}) (.*)", line)
        if image:
            alt, src = image.groups()
            if src not in images:
                raise mp.InputError(f"no chart {src} to embed")
            data = base64.b64encode(images[src]).decode("ascii")
            body.append(f'<p><img alt="{html.escape(alt)}" src="data:image/png;base64,{data}"></p>')
        elif heading:
            level = len(heading.group(1))
            body.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif line.strip():
            body.append(f"<p>{_inline(line)}</p>")
    flush_table()
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{HTML_STYLE}</style></head><body>\n"
            + "\n".join(body) + "\n</body></html>\n")


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
    p.add_argument("--html", metavar="OUT.html",
                   help="also (or, without -o, only) write one self-contained HTML page: the summary's "
                        "tables as HTML and the charts embedded as base64 PNGs; it needs no other file")
    p.add_argument("--no-variants", action="store_true",
                   help="chart the baseline only (the variant tables are still written)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNGs (default: %(default)s)")
    return p


def write_report(args):
    """Checks the arguments, writes the charts and summary.md (into -o DIR) and/or the HTML page
    (--html); returns the paths written."""
    import tempfile
    if args.html and not args.html.endswith((".html", ".htm")):
        raise mp.InputError(f"--html {args.html}: the page's name must end in .html")
    if args.html and not (Path(args.html).parent if str(Path(args.html).parent) else Path(".")).is_dir():
        raise mp.InputError(f"--html {args.html}: the folder {Path(args.html).parent} does not exist")
    folder_wanted = args.output is not None or not args.html
    out_dir = Path(args.output) if args.output else Path(f"{Path(args.file).stem}_report")
    mp.check_dpi(args.dpi)
    if folder_wanted and out_dir.exists() and not out_dir.is_dir():
        raise mp.InputError(f"{out_dir}: exists and is not a folder")
    with pf.open_results(args.file) as f:
        for series in KEY_SERIES:
            try:
                pf.check_series(f, series, annual=True)
            except mp.InputError as e:
                raise mp.InputError(f"{args.file}: key series missing: {e}") from None
        variants = pf.select_variants(f, none=args.no_variants)
        with tempfile.TemporaryDirectory(prefix="mppmc-report-") as scratch:
            chart_dir = out_dir if folder_wanted else Path(scratch)
            if folder_wanted:
                try:
                    out_dir.mkdir(parents=True, exist_ok=True)
                except OSError as e:
                    raise mp.InputError(f"{out_dir}: cannot create the folder: {e.strerror}") from None
            written, charts = [], {}
            for series in KEY_SERIES:
                png = pf.plot_fan(f, series, chart_dir / chart_name(series), annual=True, variants=variants,
                                  dpi=args.dpi)
                charts[series] = png.name
                if folder_wanted:
                    written.append(png)
            markdown = summary_markdown(f, args.file, charts)
            if folder_wanted:
                summary = out_dir / "summary.md"
                write_text(summary, markdown)
                written.append(summary)
            if args.html:
                images = {name: (chart_dir / name).read_bytes() for name in charts.values()}
                title = f"mppmc forecast: {mp.text(f.attrs.get('scenario_name', '?'))}"
                write_text(Path(args.html), markdown_to_html(markdown, images, title))
                written.append(Path(args.html))
        return written


def main(argv=None):
    args = build_parser().parse_args(argv)
    return mp.run_cli(PROG, lambda: write_report(args))


if __name__ == "__main__":
    sys.exit(main())
