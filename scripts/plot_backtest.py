#!/usr/bin/env python3
"""Fan chart of a backtest (`mppmc backtest -o BACKTEST.h5`, docs/forecast-skill.md): one model's
forecasts of a series `--horizon` years ahead from every origin it ran at, next to the realised
values and the published MPP bands; optionally the model's forecast from all the data (the
results file of `mppmc fit` + `mppmc run`) for the years after the history.

Each forecast is a box of nested bands: 5-95% (light), 10-90%, 25-75% (dark) and the median
(line). A realised value is a dot: filled when the 5-95% band held it, open red when it missed.
A published band is an orange bar from its minimum to its maximum with its medio as a tick,
labelled with its edition. The model is the one with the lowest mean CRPS of the series (all
horizons, on the origins every model ran at) unless --model names one; the title says why.

Examples:
  scripts/plot_backtest.py results/backtest.h5                            # writes backtest_fan.png
  scripts/plot_backtest.py results/backtest.h5 --results results/fitted-ar1.h5 \\
      --published scenarios/data/mpp_bands.csv -o docs/images/backtest_fan.png

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
    PNG_EXIT_CODES, InputError, check_dpi, check_png_output, format_count, make_tick_formatter, open_hdf5, run_cli, save_png, text)

PROG = "plot_backtest.py"
FAN_COLORS = ["#c6d7ee", "#8fb0dc", "#4f7fc0"]  # 5-95, 10-90, 25-75
FUTURE_COLORS = ["#d9ccec", "#b59fd8", "#8a6bbf"]
MEDIAN_COLOR = "#1f3f73"
PUBLISHED_COLOR = "#e08a1e"
HIT_COLOR = "#222222"
MISS_COLOR = "#c0392b"
# The published bands name total inflow as the data files do (scenarios/data/README.md).
BAND_SERIES = {"total_asylum_inflow": "total_inflow", "first_applications": "inflow_first"}


def check_backtest(f, path):
    for name in ("origins", "percentiles", "models", "realised/year"):
        if name not in f:
            raise InputError(f"{path}: damaged backtest file: /{name} is missing")


def read_backtest(path):
    """{origins, percentiles, models: {name: {run, forecast: {series: quantiles[O, H, P]}, rows}},
    realised: {series: {year: value}}, attrs} from a backtest file."""
    f = open_hdf5(path, "mppmc backtest", "mppmc-backtest", (1,), check=check_backtest)
    with f:
        out = {"origins": [int(o) for o in f["origins"][:]],
               "percentiles": [float(p) for p in f["percentiles"][:]],
               "attrs": {key: text(value) for key, value in f.attrs.items()},
               "realised": {}, "models": {}}
        years = [int(y) for y in f["realised/year"][:]]
        for series in f["realised"]:
            if series != "year":
                out["realised"][series] = {y: float(v) for y, v in zip(years, f["realised"][series][:])
                                           if not math.isnan(v)}
        for name, group in f["models"].items():
            periods = group["skill/periods"]
            rows = []
            if "series" in periods:
                for k in range(len(periods["series"])):
                    rows.append({"origin": int(text(periods["forecast"][k])), "series": text(periods["series"][k]),
                                 "horizon": int(periods["horizon"][k]), "crps": float(periods["crps"][k]),
                                 "covered_90": int(periods["covered_90"][k])})
            out["models"][name] = {
                "run": [int(r) for r in group["run"][:]],
                "forecast": {s: group["forecast"][s]["quantiles"][:] for s in group["forecast"]},
                "rows": rows}
    return out


def best_model(backtest, series):
    """(model, reason): the lowest mean CRPS of `series` over the origins every model ran at."""
    common = [o for k, o in enumerate(backtest["origins"]) if all(m["run"][k] for m in backtest["models"].values())]
    scores = {}
    for name, m in backtest["models"].items():
        crps = [r["crps"] for r in m["rows"] if r["series"] == series and r["origin"] in common]
        if crps:
            scores[name] = sum(crps) / len(crps)
    if not scores:
        raise InputError(f"no model has scores of {series} on the origins every model ran at")
    name = min(scores, key=scores.get)
    return name, (f"lowest mean CRPS of {series} on origins {common[0]}-{common[-1]}: "
                  + ", ".join(f"{m} {format_count(v)}" for m, v in sorted(scores.items(), key=lambda kv: kv[1])))


def read_published(path, series):
    """[(edition, target year, minimum, medio or nan, maximum)] of `series` from a bands CSV."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: file not found")
    bands = []
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        needed = {"edition", "target_year", "series", "minimum", "medio", "maximum"}
        if not needed <= set(reader.fieldnames or []):
            raise InputError(f"{path}: not a published-bands CSV (needs the columns {', '.join(sorted(needed))})")
        for line, r in enumerate(reader, start=2):
            if BAND_SERIES.get(r["series"], r["series"]) != series:
                continue
            try:
                bands.append((r["edition"], int(r["target_year"]), float(r["minimum"]),
                              float(r["medio"]) if r["medio"] else math.nan, float(r["maximum"])))
            except ValueError:
                raise InputError(f"{path}:{line}: a number is not a number") from None
    return bands


def read_results(path, series, last_year):
    """{year: {percent: value}} of `series` for the full years after `last_year` in a results file."""
    f = open_hdf5(path, "mppmc results", "mppmc-results", (1, 2))
    with f:
        if f"annual/{series}" not in f:
            raise InputError(f"{path}: no annual series {series}")
        years = [int(y) for y in f["time/year"][:]]
        months = [int(m) for m in f["time/months_in_year"][:]]
        percents = [float(p) for p in f["percentiles"][:]]
        q = f[f"annual/{series}/quantiles"][:]
    return {y: dict(zip(percents, q[:, k])) for k, y in enumerate(years) if months[k] == 12 and y > last_year}


def fan_box(ax, x, q, colors, width=0.32):
    """Nested 5-95, 10-90, 25-75 boxes and the median line at x from {percent: value}."""
    for (lo, hi), color, w in zip([(5, 95), (10, 90), (25, 75)], colors, [width, width * 0.8, width * 0.6]):
        ax.bar(x, q[hi] - q[lo], bottom=q[lo], width=w, color=color, edgecolor="none")
    ax.plot([x - width / 2, x + width / 2], [q[50], q[50]], color=MEDIAN_COLOR, linewidth=2)


def plot(backtest, model, reason, series, horizon, future, published, png, dpi, source):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch
    from matplotlib.lines import Line2D

    percents = backtest["percentiles"]
    for needed in (5, 10, 25, 50, 75, 90, 95):
        if needed not in percents:
            raise InputError(f"the backtest file has no {needed}th percentile (it has {percents})")
    m = backtest["models"][model]
    fig, ax = plt.subplots(figsize=(12, 6.5))
    realised = backtest["realised"].get(series, {})
    hits = total = 0
    for k, origin in enumerate(backtest["origins"]):
        if not m["run"][k] or horizon > m["forecast"][series].shape[1]:
            continue
        year = origin + horizon - 1
        q = dict(zip(percents, m["forecast"][series][k, horizon - 1, :]))
        fan_box(ax, year - 0.17, q, FAN_COLORS)
        if year in realised:
            y = realised[year]
            hit = q[5] <= y <= q[95]
            hits, total = hits + hit, total + 1
            ax.plot(year - 0.17, y, "o", markersize=8, markeredgewidth=1.8, color=HIT_COLOR if hit else MISS_COLOR,
                    markerfacecolor=HIT_COLOR if hit else "white", zorder=5)
    for year, q in future.items():
        fan_box(ax, year - 0.17, q, FUTURE_COLORS)
    per_year = {}
    for edition, year, low, medio, high in published:
        k = per_year[year] = per_year.get(year, -1) + 1  # several editions for one year side by side
        x = year + 0.1 + 0.15 * k
        ax.bar(x, high - low, bottom=low, width=0.11, color="none", edgecolor=PUBLISHED_COLOR, linewidth=1.6)
        if not math.isnan(medio):
            ax.plot([x - 0.07, x + 0.07], [medio, medio], color=PUBLISHED_COLOR, linewidth=2.2)
        ax.annotate(edition, (x, high), textcoords="offset points", xytext=(0, 3), ha="center", fontsize=7,
                    color=PUBLISHED_COLOR, rotation=90, va="bottom")
    ax.set_ylim(bottom=0)
    ax.set_ylim(top=ax.get_ylim()[1] * 1.08)  # room for the editions' labels
    ax.yaxis.set_major_formatter(make_tick_formatter(1))
    ax.set_ylabel(f"{series} (persons/year)")
    ax.set_xlabel("forecast year")
    ax.grid(axis="y", alpha=0.3)
    handles = [Patch(color=c, label=f"{model}: {lab}") for c, lab in zip(FAN_COLORS, ["5-95%", "10-90%", "25-75%"])]
    handles += [Line2D([], [], color=MEDIAN_COLOR, linewidth=2, label="median"),
                Line2D([], [], marker="o", linestyle="", color=HIT_COLOR, label="realised (inside 5-95%)"),
                Line2D([], [], marker="o", linestyle="", color=MISS_COLOR, markerfacecolor="white",
                       label="realised (outside)")]
    if future:
        handles.append(Patch(color=FUTURE_COLORS[0], label=f"{model} from all data (fit + run): 5-95%"))
    if published:
        handles.append(Patch(facecolor="none", edgecolor=PUBLISHED_COLOR, label="published MPP band (min-max, medio)"))
    ax.legend(handles=handles, fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=4)
    held = f"5-95% held {hits} of {total}; " if total else ""
    ahead = "the first forecast year" if horizon == 1 else f"{horizon} years ahead"
    fig.suptitle(f"{source}: {model}, {series}, {ahead} of each origin (fitted on the data before it, run through "
                 f"the chain)\n{held}{reason}", fontsize=9)
    fig.subplots_adjust(bottom=0.25)
    return save_png(fig, png, dpi)


def build_parser():
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Fan chart of one model's backtest forecasts against the realised values and the published "
                    "MPP bands, from a file written by `mppmc backtest`.",
        epilog=PNG_EXIT_CODES)
    p.add_argument("file", metavar="BACKTEST.h5", help="written by `mppmc backtest -o BACKTEST.h5`")
    p.add_argument("--model", help="model to draw (default: the lowest mean CRPS of the series)")
    p.add_argument("--series", default="total_inflow", help="total_inflow (default) or inflow_first")
    p.add_argument("--horizon", type=int, default=1, help="years ahead of the origin (default 1: the first year)")
    p.add_argument("--results", metavar="RUN.h5",
                   help="results file of the model fitted on all the data (`mppmc fit` then `mppmc run`): its "
                        "full years after the history are drawn too, up to the backtest's horizon")
    p.add_argument("--published", metavar="BANDS.csv",
                   help="published bands to draw beside (default: the backtest's own --published file, if any)")
    p.add_argument("-o", dest="png", metavar="OUT.png",
                   help="PNG to write (default: <BACKTEST stem>_fan.png in the current folder)")
    p.add_argument("--dpi", type=int, default=110, help="resolution of the PNG (default: %(default)s)")
    return p


def draw(args):
    check_dpi(args.dpi)
    backtest = read_backtest(args.file)
    models = backtest["models"]
    if not models:
        raise InputError(f"{args.file}: no models")
    if args.series not in backtest["realised"] or any(args.series not in m["forecast"] for m in models.values()):
        raise InputError(f"unknown series {args.series!r}; the file has {', '.join(sorted(backtest['realised']))}")
    horizon_years = int(backtest["attrs"].get("horizon_years", 1))
    if not 1 <= args.horizon <= horizon_years:
        raise InputError(f"--horizon {args.horizon}: the backtest forecasts 1 to {horizon_years} years ahead")
    if args.model is None:
        model, reason = best_model(backtest, args.series)
    elif args.model in models:
        model, reason = args.model, "model chosen with --model"
    else:
        raise InputError(f"unknown model {args.model!r}; the file has {', '.join(models)}")
    png = Path(args.png) if args.png else Path(f"{Path(args.file).stem}_fan.png")
    check_png_output(png)
    published_file = args.published or backtest["attrs"].get("published_file", "")
    published = read_published(published_file, args.series) if published_file else []
    future = {}
    if args.results:
        last = max(max(backtest["realised"][args.series], default=0), max(backtest["origins"]) - 1)
        future = {y: q for y, q in read_results(args.results, args.series, last).items()
                  if y <= last + horizon_years}
    return [plot(backtest, model, reason, args.series, args.horizon, future, published, png, args.dpi,
                 Path(args.file).stem)]


def main(argv=None):
    args = build_parser().parse_args(argv)
    return run_cli(PROG, lambda: draw(args))


if __name__ == "__main__":
    sys.exit(main())
