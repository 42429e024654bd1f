#!/usr/bin/env python3
"""Forecast skill chart from a tidy scores CSV (written by `mppmc score -o SCORES.csv`; columns
kind,group,forecast,series,period,horizon,method,statistic,value, docs/forecast-skill.md).

Left panel: per scored forecast (an MPP edition, or a results file's baseline and variants) the
band from its minimum to its maximum as a bar, the medio as a tick where the forecast has one,
and the realised value as a dot: filled black when the band held it, open red when it missed.
Right panel: the histogram of the PIT values (10 bins) with the uniform density a calibrated
forecaster would give; a pile-up at the left means the realisations fell low in the bands.
The title gives coverage against nominal and the mean interval score of the series.

Examples:
  scripts/plot_skill.py scores.csv                         # writes scores_skill.png
  scripts/plot_skill.py scores.csv --series total_inflow -o docs/images/skill_published.png

Exit codes: 0 ok (the path written is printed), 2 bad input (a one-line message on stderr;
nothing is written), 3 the PNG could not be written.
"""
import argparse
import csv
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mppmc_plotting import (  # noqa: E402
    PNG_EXIT_CODES, InputError, check_dpi, check_png_output, format_count, make_tick_formatter, run_cli, save_png)

PROG = "plot_skill.py"
COLUMNS = ["kind", "group", "forecast", "series", "period", "horizon", "method", "statistic", "value"]
BAND_COLOR = "#9fb9dd"
MEDIO_COLOR = "#3b6fb6"
HIT_COLOR = "#222222"
MISS_COLOR = "#c0392b"
PIT_COLOR = "#b7a6d6"


def read_scores(path):
    """The scores CSV as (periods, summaries): periods maps (group, forecast, series, period) to
    {statistic: value, "horizon": h, "method": m} in file order; summaries maps (group, series,
    horizon) to {statistic: value}. Raises InputError naming the problem."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    periods, summaries = {}, {}
    with open(path, newline="") as f:
        reader = csv.reader(f)
        header = next(reader, None)
        if header != COLUMNS:
            raise InputError(f"{path}: not a scores CSV of `mppmc score` (expected the header {','.join(COLUMNS)})")
        for line, row in enumerate(reader, start=2):
            if len(row) != len(COLUMNS):
                raise InputError(f"{path}:{line}: expected {len(COLUMNS)} fields, found {len(row)}")
            kind, group, forecast, series, period, horizon, method, statistic, value = row
            try:
                number = float(value) if value != "" else math.nan
            except ValueError:
                raise InputError(f"{path}:{line}: value {value!r} is not a number") from None
            if kind == "period":
                entry = periods.setdefault((group, forecast, series, period), {"horizon": horizon, "method": method})
                entry[statistic] = number
            elif kind == "summary":
                summaries.setdefault((group, series, horizon), {})[statistic] = number
            else:
                raise InputError(f"{path}:{line}: kind {kind!r} is neither period nor summary")
    if not periods:
        raise InputError(f"{path}: no scored periods")
    return periods, summaries


def plot_skill(periods, summaries, series, png, dpi, source_name):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [(key, value) for key, value in periods.items() if key[2] == series]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8), gridspec_kw={"width_ratios": [3, 2]})
    labels = []
    for x, ((group, forecast, _, period), s) in enumerate(rows):
        low, high, medio, realised = s["band_low"], s["band_high"], s["medio"], s["realised"]
        left.bar(x, high - low, bottom=low, width=0.55, color=BAND_COLOR, edgecolor=MEDIO_COLOR, linewidth=0.8)
        if not math.isnan(medio):
            left.plot([x - 0.27, x + 0.27], [medio, medio], color=MEDIO_COLOR, linewidth=2)
        hit = s["covered_band"] == 1
        left.plot(x, realised, "o", markersize=8, markeredgewidth=1.8, color=HIT_COLOR if hit else MISS_COLOR,
                  markerfacecolor=HIT_COLOR if hit else "white")
        name = forecast if forecast == group else f"{group}\n{forecast}" if group != "published" else forecast
        labels.append(f"{name}\nfor {period} (h={s['horizon']})")
    left.set_xticks(range(len(rows)))
    left.set_xticklabels(labels, fontsize=8)
    left.yaxis.set_major_formatter(make_tick_formatter(1))
    left.set_ylabel(f"{series} (per period)")
    left.set_title("band (min-max), medio (line), realised (dot: filled = inside, open = missed)", fontsize=9)
    left.grid(axis="y", alpha=0.3)

    pits = [s["pit"] for _, s in rows if not math.isnan(s["pit"])]
    right.hist(pits, bins=10, range=(0, 1), density=True, color=PIT_COLOR, edgecolor="#5b3a8e")
    right.axhline(1.0, color="#222222", linestyle="--", linewidth=1, label="calibrated (uniform)")
    right.set_xlim(0, 1)
    right.set_xlabel("PIT: the forecast's probability below the realised value")
    right.set_ylabel("density")
    right.legend(fontsize=8, loc="upper right")
    right.set_title(f"PIT histogram, {len(pits)} forecast(s)", fontsize=9)

    titles = []
    for (group, s, horizon), stats in sorted(summaries.items()):
        if s == series and horizon == "all":
            titles.append(f"{group}: band held {format_count(stats['coverage_band'] * stats['count'])} of "
                          f"{format_count(stats['count'])} (nominal {stats['band_nominal']:.0%}), "
                          f"90% interval {stats['coverage_90']:.0%}, mean interval score "
                          f"{format_count(stats['mean_interval_score'])}")
    fig.suptitle(f"{source_name}: forecast skill, {series}\n" + "\n".join(titles), fontsize=10)
    return save_png(fig, png, dpi)


def build_parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Realised values against the bands of each scored forecast, and the PIT histogram, "
                    "from the tidy scores CSV of `mppmc score`.",
        epilog=PNG_EXIT_CODES)
    p.add_argument("file", metavar="SCORES.csv", help="scores written by `mppmc score -o SCORES.csv`")
    p.add_argument("--series", help="series to draw (default: the first in the file)")
    p.add_argument("-o", dest="png", metavar="OUT.png",
                   help="PNG to write (default: <SCORES stem>_skill.png in the current folder)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNG (default: %(default)s)")
    return p


def draw(args):
    check_dpi(args.dpi)
    periods, summaries = read_scores(args.file)
    names = list(dict.fromkeys(key[2] for key in periods))
    series = args.series if args.series is not None else names[0]
    if series not in names:
        raise InputError(f"unknown series {series!r}; the file scores {', '.join(names)}")
    png = Path(args.png) if args.png else Path(f"{Path(args.file).stem}_skill.png")
    check_png_output(png)
    return [plot_skill(periods, summaries, series, png, args.dpi, Path(args.file).stem)]


def main(argv=None):
    args = build_parser().parse_args(argv)
    return run_cli(PROG, lambda: draw(args))


if __name__ == "__main__":
    sys.exit(main())
