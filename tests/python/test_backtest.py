"""`mppmc backtest` end to end (docs/forecast-skill.md, "Backtest"), run as a user would.

* Calibration: histories drawn here from a log random walk with drift (numpy, fixed seeds) are
  backtested with the random-walk model, one year ahead from every origin; the 50% and 90%
  intervals must cover the realised values at their nominal rates within binomial error. The
  coverage is counted here from the file's forecast percentiles and the values drawn here, and
  mppmc's own summary must agree with that count.
* Determinism: the file is the same, bit for bit, for any --threads.
* Bad input (an origin with too few years before it, origins outside the history, an unknown
  model, an existing output) exits 2 and writes nothing.

Run: MPPMC_BIN=build/mppmc /usr/bin/python3 -m unittest -v tests/python/test_backtest.py
"""
import math
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

DATA = mt.SOURCE_DIR / "scenarios" / "data"
FIRST_YEAR = 1901
YEARS = 60
# The minimal scenario has no monthly noise and flat seasonality: a path's annual first
# applications are exactly its drawn annual level, so the chain adds nothing to the fit's band.


def random_walk_history(path, seed, drift=0.02, sigma=0.25, start=20000.0):
    """A wide history of first applications x_t = x_{t-1} + drift + sigma e_t; returns {year: value}."""
    rng = np.random.default_rng(seed)
    x = math.log(start) + np.concatenate([[0.0], np.cumsum(drift + sigma * rng.standard_normal(YEARS - 1))])
    values = {FIRST_YEAR + t: round(math.exp(v)) for t, v in enumerate(x)}
    Path(path).write_text("year,first_applications\n" + "".join(f"{y},{v}\n" for y, v in values.items()))
    return values


class Calibration(unittest.TestCase):
    def test_random_walk_backtest_is_calibrated(self):
        covered = {50: 0, 90: 0}
        count = 0
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            scenario = tmp / "minimal.toml"
            scenario.write_text(mt.MINIMAL_SCENARIO)
            for seed in (11, 12, 13):
                history = tmp / f"history-{seed}.csv"
                values = random_walk_history(history, seed)
                output = tmp / f"backtest-{seed}.h5"
                # Origins from the 11th year: 10 or more years of data before each.
                proc = mt.mppmc("backtest", scenario, "--history", history, "--origins",
                                f"{FIRST_YEAR + 10}-{FIRST_YEAR + YEARS - 1}", "--model", "random-walk",
                                "--horizon", "1", "--paths", "2000", "--seed", str(seed), "-o", output, check=0)
                self.assertIn("total_inflow is not scored", proc.stderr)  # the history has no total
                with h5py.File(output) as f:
                    self.assertEqual(f.attrs["schema"], "mppmc-backtest")
                    origins = f["origins"][:]
                    percents = list(f["percentiles"][:])
                    series = list(f["series"].asstr()[:])
                    q = f["models/random-walk/forecast/inflow_first/quantiles"][:, 0, :]  # [origin, P]
                    summary = f["models/random-walk/skill/summary"]
                    rows = [k for k in range(len(summary["horizon"])) if summary["horizon"][k] == 1]
                    reported = {s: summary[f"coverage_{s}"][rows[0]] for s in (50, 90)}
                    self.assertEqual(list(summary["series"].asstr()[:]), ["inflow_first"] * 2)
                self.assertIn("inflow_first", series)
                here = {50: 0, 90: 0}
                for k, origin in enumerate(origins):
                    y = values[int(origin)]
                    for level, (lo, hi) in {50: (25, 75), 90: (5, 95)}.items():
                        here[level] += q[k, percents.index(lo)] <= y <= q[k, percents.index(hi)]
                for level in (50, 90):
                    # mppmc's summary counts what is counted here (type-7 sample quantiles both).
                    self.assertAlmostEqual(reported[level], here[level] / len(origins), places=12)
                    covered[level] += here[level]
                count += len(origins)
        for level in (50, 90):
            p = level / 100
            rate, error = covered[level] / count, math.sqrt(p * (1 - p) / count)
            self.assertLess(abs(rate - p), 3 * error, f"{level}% interval covered {covered[level]} of {count}")


class Backtest(mt.ScriptResults, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.make_tmp("mppmc-backtest-")

    def shipped(self, output, *extra):
        """The shipped scenario and history, origins 2019-2021, every model, the published bands."""
        return mt.mppmc("backtest", mt.DEFAULT_SCENARIO, "--origins", "2019-2021", "--published",
                        DATA / "mpp_bands.csv", "--paths", "1000", "-o", output, *extra,
                        env={"SOURCE_DATE_EPOCH": "1700000000"}, check=0)

    def test_same_file_for_any_thread_count(self):
        one, three = self.tmp / "threads-1.h5", self.tmp / "threads-3.h5"
        proc = self.shipped(one, "--threads", "1")
        self.shipped(three, "--threads", "3")
        self.assertEqual(mt.h5_differences(one, three, ignore_root_attrs=()), [])
        # A progress line per origin on stderr, the side-by-side table on stdout.
        for origin in (2019, 2020, 2021):
            self.assertIn(f"origin {origin} (data 2013-{origin - 1})", proc.stderr)
        self.assertIn("published", proc.stdout)
        self.assertIn("PIT", proc.stdout)
        with h5py.File(one) as f:
            self.assertEqual(list(f["origins"][:]), [2019, 2020, 2021])
            self.assertEqual(f.attrs["models"], "random-walk,ar1,expert")
            for model in ("random-walk", "ar1", "expert"):
                self.assertEqual(list(f[f"models/{model}/run"][:]), [1, 1, 1])
                q = f[f"models/{model}/forecast/total_inflow/quantiles"][:]
                self.assertEqual(q.shape, (3, 3, 7))
                self.assertTrue(np.all(np.diff(q, axis=2) >= 0))
            # The published bands of 2022-2023 (within 2019-2023), scored as `mppmc score` scores them.
            periods = f["published/skill/periods"]
            self.assertEqual(sorted(periods["forecast"].asstr()[:]), ["2022-II", "2023-I"])

    def refused(self, name, args, words):
        folder = self.tmp / name
        folder.mkdir()
        proc = mt.mppmc("backtest", *args, "-o", folder / "out.h5", check=2)
        for word in words:
            self.assertIn(word, proc.stderr)
        self.assertIn("nothing was written", proc.stderr)
        self.assertEqual(list(folder.iterdir()), [])

    def test_bad_input_exits_2_and_writes_nothing(self):
        self.refused("short", ["--origins", "2016-2019", "--model", "ar1"],
                     ["origin 2016", "needs 6", "first origin with enough data is 2019"])
        self.refused("outside", ["--origins", "2020-2027"], ["2026, 2027 outside the history"])
        self.refused("model", ["--origins", "2020-2021", "--model", "arima"], ["--model arima"])
        self.refused("origins", ["--origins", "2021-2019"], ["--origins '2021-2019'"])

    def test_skip_short_skips_and_says_so(self):
        output = self.tmp / "skip.h5"
        proc = mt.mppmc("backtest", "--origins", "2018-2019", "--model", "ar1", "random-walk", "--paths", "500",
                        "--skip-short", "-o", output, check=0)
        self.assertIn("origin 2018, model ar1", proc.stderr)
        self.assertIn("skipped", proc.stderr)
        with h5py.File(output) as f:
            self.assertEqual(list(f["models/ar1/run"][:]), [0, 1])
            self.assertEqual(list(f["models/random-walk/run"][:]), [1, 1])
            self.assertTrue(np.isnan(f["models/ar1/forecast/total_inflow/quantiles"][0]).all())
            self.assertEqual(len(f["skipped"]), 1)


if __name__ == "__main__":
    unittest.main()
