"""`mppmc score` and `mppmc fit` end to end, run as a user would (docs/forecast-skill.md).

Oracles are computed here, independently of mppmc: the published bands' interval score and
coverage from scenarios/data/mpp_bands.csv by the formulas of Gneiting & Raftery (2007); the
random walk's predictive quantiles from scenarios/data/inflow_annual.csv with scipy's Student-t.
Bad input must exit 2 naming file:line and write nothing.

Run: MPPMC_BIN=build/mppmc /usr/bin/python3 -m unittest -v tests/python/test_forecast_skill.py
"""
import csv
import math
import sys
import tempfile
import tomllib
import unittest
from pathlib import Path

import h5py
import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

DATA = mt.SOURCE_DIR / "scenarios" / "data"
BANDS = DATA / "mpp_bands.csv"
REALISED = DATA / "realised.csv"
ANNUAL = DATA / "inflow_annual.csv"


def published_oracle():
    """(covered count, scored count, mean interval score) of the published bands read as 5 / 95
    percentiles, alpha = 0.1: IS = (u - l) + (2/alpha)(l - y)1{y < l} + (2/alpha)(y - u)1{y > u}."""
    realised = {}
    with open(REALISED, newline="") as f:
        for r in csv.DictReader(f):
            realised[(r["series"], r["period"])] = float(r["value"])
    covered, scores = 0, []
    with open(BANDS, newline="") as f:
        for r in csv.DictReader(f):
            y = realised.get(("total_inflow", r["target_year"]))
            if y is None:
                continue
            low, high = float(r["minimum"]), float(r["maximum"])
            covered += low <= y <= high
            scores.append((high - low) + 20 * max(low - y, 0) + 20 * max(y - high, 0))
    return covered, len(scores), sum(scores) / len(scores)


def read_summary_csv(path):
    """{(group, series, horizon): {statistic: value}} from a tidy scores CSV."""
    out = {}
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            if r["kind"] == "summary":
                out.setdefault((r["group"], r["series"], r["horizon"]), {})[r["statistic"]] = (
                    float(r["value"]) if r["value"] else math.nan)
    return out


class Score(unittest.TestCase):
    def test_published_bands_known_answer_through_the_cli(self):
        covered, n, mean_is = published_oracle()
        self.assertEqual((covered, n), (2, 4))  # issue 12: held 2 of 4
        self.assertAlmostEqual(mean_is, 60265.0)  # "about 60,300"
        with tempfile.TemporaryDirectory() as tmp:
            out_csv, out_h5 = Path(tmp) / "scores.csv", Path(tmp) / "scores.h5"
            proc = mt.mppmc("score", BANDS, "--realised", REALISED, "-o", out_csv, check=0)
            self.assertIn("2023-II", proc.stdout)
            self.assertIn(f"scores: {out_csv}", proc.stdout)
            s = read_summary_csv(out_csv)[("published", "total_inflow", "all")]
            self.assertEqual(s["count"], n)
            self.assertEqual(s["coverage_90"], covered / n)
            self.assertEqual(s["coverage_band"], covered / n)
            self.assertAlmostEqual(s["mean_interval_score"], mean_is, delta=1e-6 * mean_is)
            self.assertLess(abs(s["mean_interval_score"] - 60300), 100)
            # The same scores as HDF5, and -q prints no table.
            proc = mt.mppmc("score", BANDS, "--realised", REALISED, "-o", out_h5, "-q", check=0)
            self.assertEqual(proc.stdout.strip(), f"scores: {out_h5}")
            with h5py.File(out_h5) as f:
                self.assertEqual(f.attrs["schema"], "mppmc-skill")
                summary = f["skill/summary"]
                last = list(summary["horizon"][:]).index(-1)
                self.assertAlmostEqual(summary["mean_interval_score"][last], mean_is, delta=1e-6 * mean_is)
                self.assertEqual(summary["coverage_90"][last], 0.5)
            # An existing output without --overwrite: exit 2, untouched.
            before = out_h5.read_bytes()
            mt.mppmc("score", BANDS, "-o", out_h5, check=2)
            self.assertEqual(out_h5.read_bytes(), before)


def random_walk_oracle(through, horizons, levels=(0.05, 0.25, 0.5, 0.75, 0.95)):
    """The log random walk's predictive quantiles (docs/forecast-skill.md) from inflow_annual.csv's
    first applications up to `through`: x_n + h mu + s sqrt(h + h^2/m) t_{m-1}(p)."""
    with open(ANNUAL, newline="") as f:
        x = np.log([float(r["first_applications"]) for r in csv.DictReader(f) if int(r["year"]) <= through])
    d = np.diff(x)
    m, mu, s = len(d), d.mean(), d.std(ddof=1)
    return {h: [math.exp(x[-1] + h * mu + s * math.sqrt(h + h * h / m) * stats.t.ppf(p, m - 1)) for p in levels]
            for h in horizons}


class Fit(mt.ScriptResults, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_tmp("mppmc-fit-")

    def test_default_fit_is_the_random_walk_and_runs(self):
        fitted = self.tmp / "fitted.toml"
        # Only the scenario and the output: --history, --series and the quarterly and monthly
        # data are the shipped defaults.
        proc = mt.mppmc("fit", mt.DEFAULT_SCENARIO, "-o", fitted, check=0)
        self.assertIn("random-walk", proc.stdout)
        self.assertIn("seasonality", proc.stdout)  # the shipped quarterly and monthly data were used
        doc = tomllib.loads(fitted.read_text())
        annual = doc["inflow"]["first"]["annual"]
        oracle = random_walk_oracle(2024, range(1, 6))
        levels = [0.05, 0.25, 0.5, 0.75, 0.95]
        for h in range(1, 6):
            entry = annual[str(2024 + h)]
            if h <= 2:  # near years: the five-point metalog (later ones may fall back, below)
                self.assertEqual(entry.get("p"), levels)
            if "p" in entry:  # a metalog through (some of) the predictive quantiles
                for p, written in zip(entry["p"], entry["q"]):
                    expected = oracle[h][levels.index(p)]
                    self.assertLessEqual(abs(written - expected), 0.5 + 1e-6 * expected, (h, written, expected))
            else:  # a far tail that would pass 1e15: the lognormal through p5, p50 and p95
                self.assertEqual(entry["dist"], "lognormal")
                self.assertLessEqual(abs(entry["median"] - oracle[h][2]), 0.5 + 1e-6 * oracle[h][2])
                sigma = math.log(oracle[h][4] / oracle[h][0]) / (2 * 1.6448536269514722)
                self.assertAlmostEqual(entry["sigma"], sigma, places=3)
        # The fitted scenario is a scenario: mppmc run simulates it, and the simulated first
        # applications of 2025 have the fitted median and 90% interval (monthly noise sd 0.10
        # adds about 3% on a year; 4,000 paths add about 1.5% to a median).
        results = mt.run_results(fitted, self.tmp / "fitted.h5", "--paths", "4000")
        with h5py.File(results) as f:
            years = list(f["time/year"][:])
            q = f["annual/inflow_first/quantiles"][:, years.index(2025)]
            percents = list(f["percentiles"][:])
        for p, expected in [(5, oracle[1][0]), (50, oracle[1][2]), (95, oracle[1][4])]:
            self.assertLess(abs(q[percents.index(p)] / expected - 1), 0.08, (p, q[percents.index(p)], expected))

    def test_without_the_shipped_seasonal_data(self):
        fitted = self.tmp / "plain.toml"
        proc = mt.mppmc("fit", mt.DEFAULT_SCENARIO, "--no-quarterly", "--no-monthly", "-o", fitted, "-q", check=0)
        self.assertEqual(proc.stdout.strip(), f"fitted scenario: {fitted}")
        base = tomllib.loads(mt.DEFAULT_SCENARIO.read_text())["inflow"]["first"]["seasonality"]
        self.assertEqual(tomllib.loads(fitted.read_text())["inflow"]["first"]["seasonality"], base)

    def assert_refused(self, args, where, folder):
        """exit 2, `where` (file:line) on stderr, nothing written in `folder` but the inputs."""
        before = sorted(p.name for p in folder.iterdir())
        proc = mt.mppmc(*args, check=2)
        self.assertIn(where, proc.stderr)
        self.assertIn("nothing was written", proc.stderr)
        self.assertEqual(sorted(p.name for p in folder.iterdir()), before)

    def test_bad_input_is_refused_at_file_and_line(self):
        folder = self.tmp / "bad"
        folder.mkdir()
        out = folder / "out.toml"
        cases = {  # name: (history text, the line the problem is on)
            "gap": ("year,first_applications\n2015,100\n2016,200\n2018,300\n", 4),  # 2017 is missing
            "hole": ("year,first_applications\n2015,100\n2016,\n2017,300\n", 3),
            "text": ("year,first_applications\n2015,100\n2016,2oo\n2017,300\n", 3),
            "twice": ("year,first_applications\n2015,100\n2016,200\n2016,300\n", 4),
        }
        for name, (text, line) in cases.items():
            history = folder / f"{name}.csv"
            history.write_text(text)
            with self.subTest(name):
                self.assert_refused(["fit", mt.DEFAULT_SCENARIO, "--history", history, "-o", out],
                                    f"{history}:{line}:", folder)
        # --through before the data start: at the history's first value (line 2, 2013).
        with self.subTest("through"):
            self.assert_refused(["fit", mt.DEFAULT_SCENARIO, "--history", ANNUAL, "--through", "2010", "-o", out],
                                f"{ANNUAL}:2:", folder)
        # A forecast file without the series: at the realised file's line that asks for it.
        results = mt.run_results(mt.SMALL, folder / "small.h5", "--paths", "200")
        realised = folder / "realised.csv"
        realised.write_text("series,period,value\ninflow_first,2026,30000\nasylum_total,2026,40000\n")
        with self.subTest("series"):
            self.assert_refused(["score", results, "--realised", realised, "-o", folder / "scores.h5"],
                                f"{realised}:3:", folder)


if __name__ == "__main__":
    unittest.main()
