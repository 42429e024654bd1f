"""`mppmc calibrate` (fit a year's first-inflow distribution to a band) and `mppmc export --csv`
(tidy tables), checked as a user would: by running the calibrated file and by reading the CSV
back against the HDF5 file.

Run: /usr/bin/python3 -m unittest -v tests/python/test_calibrate_export.py
"""
import csv
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

PATHS = "20000"
SEED = "5"


def annual_percentiles(h5_path, series, year, percentiles=(5, 50, 95), group=""):
    """The year's percentiles recomputed from the file's stored quantiles (they are exact)."""
    with h5py.File(h5_path, "r") as f:
        years = list(f["time/year"][:])
        stored = list(f["percentiles"][:])
        q = f[f"{group}annual/{series}/quantiles"][:, years.index(year)]
        return np.array([q[stored.index(p)] for p in percentiles])


class Calibrate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-calibrate-")
        cls.tmp = Path(cls._tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def calibrate(self, scenario, year, band, *extra, series="total_inflow"):
        out = self.tmp / f"cal_{Path(scenario).stem}_{year}_{series}.toml"
        proc = mt.mppmc("calibrate", scenario, "--series", series, "--year", year, "--band", ",".join(map(str, band)),
                        "-o", out, "--paths", PATHS, "--seed", SEED, "--overwrite", *extra, check=0)
        self.assertTrue(out.is_file())
        return out, proc

    def check_hits(self, scenario, year, band, series="total_inflow"):
        out, proc = self.calibrate(scenario, year, band, series=series)
        # A run of the written file on the calibration's own seed and paths reproduces the band
        # within 0.5% (the tolerance) ...
        h5 = mt.run_results(out, self.tmp / "same_seed.h5", "--paths", PATHS, "--seed", SEED, "--overwrite")
        got = annual_percentiles(h5, series, year)
        np.testing.assert_allclose(got, band, rtol=0.005, err_msg=f"{scenario} {year} same seed")
        # ... and on a fresh seed within Monte Carlo error (at 20,000 paths the standard error of
        # a 5th percentile is about 0.5%; 2.5% is five of them).
        h5 = mt.run_results(out, self.tmp / "fresh_seed.h5", "--paths", PATHS, "--seed", "987", "--overwrite")
        np.testing.assert_allclose(annual_percentiles(h5, series, year), band, rtol=0.025, err_msg=f"{year} fresh seed")
        return out, proc

    def inflow_levels(self, scenario):
        h5 = mt.run_results(scenario, self.tmp / "levels.h5", "--paths", "500", "--seed", SEED, "--overwrite")
        with h5py.File(h5, "r") as f:
            names = mt.decode(f["inputs/names"][:])
            samples = f["inputs/samples"][:]
        return {n: samples[:, k] for k, n in enumerate(names) if n.startswith("inflow.first.annual[")}

    def test_a_listed_year_of_a_several_year_scenario(self):
        out, proc = self.check_hits(mt.SMALL, 2026, (30000, 45000, 60000))
        self.assertIn("iteration", proc.stdout)
        text = out.read_text()
        self.assertIn("Calibrated by `mppmc calibrate`", text)
        self.assertIn("target 30000 / 45000 / 60000", text)
        self.assertIn("Not calibrated:", text)  # the original's comments are kept
        # Other years draw exactly the levels they drew before.
        before, after = self.inflow_levels(mt.SMALL), self.inflow_levels(out)
        for name in ("inflow.first.annual[2025]", "inflow.first.annual[2027]"):
            self.assertTrue(np.array_equal(before[name], after[name]), name)
        self.assertFalse(np.array_equal(before["inflow.first.annual[2026]"], after["inflow.first.annual[2026]"]))

    def test_calibrating_a_calibrated_file_replaces_its_header(self):
        once, _ = self.calibrate(mt.SMALL, 2026, (30000, 45000, 60000))
        twice = self.tmp / "twice.toml"
        mt.mppmc("calibrate", once, "--series", "total_inflow", "--year", 2026, "--band", "28000,44000,61000", "-o",
                 twice, "--paths", PATHS, "--seed", SEED, "--overwrite", check=0)
        text = twice.read_text()
        self.assertEqual(text.count("# Calibrated by `mppmc calibrate`"), 1, text[:800])
        self.assertIn("target 28000 / 44000 / 61000", text)
        self.assertNotIn("target 30000 / 45000 / 60000", text)
        self.assertTrue(text.startswith("# Calibrated by"))
        # Everything after the header is the first file's body with the year's entry replaced.
        body = lambda t: [line for line in t.split("\n\n", 1)[1].splitlines() if "2026 =" not in line]
        self.assertEqual(body(text), body(once.read_text()))

    def test_a_year_the_scenario_does_not_list(self):
        # small.toml lists 2025 and 2026; 2027 takes the 2026 entry (and is a partial year).
        self.check_hits(mt.SMALL, 2027, (12000, 20000, 30000), series="inflow_first")
        before = self.inflow_levels(mt.SMALL)
        after = self.inflow_levels(self.tmp / "cal_small_2027_inflow_first.toml")
        for name in ("inflow.first.annual[2025]", "inflow.first.annual[2026]"):
            self.assertTrue(np.array_equal(before[name], after[name]), name)

    def test_a_scenario_that_extends_another_is_written_resolved(self):
        out, _ = self.calibrate(mt.VARIANT, 2026, (30000, 45000, 60000), series="inflow_first")
        text = out.read_text()
        self.assertNotIn("extends =", text)
        # It runs from another folder, away from the file it extended.
        elsewhere = self.tmp / "elsewhere"
        elsewhere.mkdir(exist_ok=True)
        moved = elsewhere / "moved.toml"
        moved.write_text(text)
        mt.mppmc("validate", moved, check=0)

    def test_unreachable_bands_are_refused(self):
        cases = {
            "not increasing": ("60000,45000,30000", "minimum < medio < maximum"),
            "below what the rest of the chain gives": ("9000,45000,60000", "cannot be reached"),
            "medio glued to the minimum": ("30000,30050,60000", "metalog"),
        }
        for label, (band, message) in cases.items():
            with self.subTest(label):
                out = self.tmp / "refused.toml"
                proc = mt.mppmc("calibrate", mt.SMALL, "--year", "2026", "--band", band, "-o", out,
                                "--paths", "5000", "--seed", SEED)
                self.assertEqual(proc.returncode, 2, proc.stderr)
                self.assertIn(message, proc.stderr)
                self.assertFalse(out.exists())
                self.assertEqual(mt.tmp_litter(self.tmp), [])

    def test_a_year_outside_the_horizon_is_refused(self):
        proc = mt.mppmc("calibrate", mt.SMALL, "--year", "2031", "--band", "1,2,3", "-o", self.tmp / "x.toml")
        self.assertEqual(proc.returncode, 2)
        self.assertIn("outside the scenario's horizon", proc.stderr)


class Export(unittest.TestCase):
    def test_csv_round_trips_every_number_of_the_file(self):
        with tempfile.TemporaryDirectory(prefix="mppmc-export-") as tmp:
            tmp = Path(tmp)
            h5 = mt.run_results(mt.SMALL, tmp / "run.h5", mt.VARIANT, "--paths", "500")
            proc = mt.mppmc("export", h5, "--csv", tmp / "csv", check=0)
            files = sorted(p.name for p in (tmp / "csv").iterdir())
            self.assertEqual(files, ["annual.csv", "compare_annual.csv", "compare_monthly.csv", "monthly.csv"])
            self.assertIn("wrote", proc.stdout)
            with h5py.File(h5, "r") as f:
                percentiles = list(f["percentiles"][:])
                months = mt.decode(f["time/month"][:])
                years = [str(y) for y in f["time/year"][:]]
                names = {"": f.attrs["scenario_name"], "variants/variant/": f["variants/variant"].attrs["scenario_name"]}
                for file_name, kind, prefixes in (("monthly.csv", "monthly", ["", "variants/variant/"]),
                                                  ("annual.csv", "annual", ["", "variants/variant/"]),
                                                  ("compare_annual.csv", "annual", ["compare/variant/"])):
                    with open(tmp / "csv" / file_name, newline="") as handle:
                        rows = list(csv.DictReader(handle))
                    self.assertEqual(list(rows[0].keys()), ["scenario", "series", "unit", "period", "statistic", "value"])
                    periods = months if kind == "monthly" else years
                    expected_rows = 0
                    for prefix in prefixes:
                        scenario = names.get(prefix, names["variants/variant/"])
                        for series in mt.ALL_SERIES:
                            group = f[f"{prefix}{kind}/{series}"]
                            stats = {f"p{p:g}": group["quantiles"][k] for k, p in enumerate(percentiles)}
                            stats.update(mean=group["mean"][:], std=group["std"][:], min=group["band"][0],
                                         medio=group["band"][1], max=group["band"][2])
                            expected_rows += len(stats) * len(periods)
                            mine = {(r["statistic"], r["period"]): r for r in rows
                                    if r["scenario"] == scenario and r["series"] == series}
                            for stat, values in stats.items():
                                for t, period in enumerate(periods):
                                    row = mine[(stat, period)]
                                    self.assertEqual(float(row["value"]), values[t], f"{file_name} {series} {stat} {period}")
                                    self.assertEqual(row["unit"], group.attrs["unit"])
                    self.assertEqual(len(rows), expected_rows, file_name)

    def test_existing_files_are_kept_without_overwrite_and_bad_files_refused(self):
        with tempfile.TemporaryDirectory(prefix="mppmc-export-") as tmp:
            tmp = Path(tmp)
            h5 = mt.run_results(mt.SMALL, tmp / "run.h5", "--paths", "100")
            mt.mppmc("export", h5, "--csv", tmp / "csv", check=0)
            before = (tmp / "csv" / "annual.csv").read_bytes()
            proc = mt.mppmc("export", h5, "--csv", tmp / "csv")
            self.assertEqual(proc.returncode, 2)
            self.assertIn("--overwrite", proc.stderr)
            self.assertEqual((tmp / "csv" / "annual.csv").read_bytes(), before)
            mt.mppmc("export", h5, "--csv", tmp / "csv", "--overwrite", check=0)
            (tmp / "not.h5").write_text("plain text")
            proc = mt.mppmc("export", tmp / "not.h5", "--csv", tmp / "csv2")
            self.assertEqual(proc.returncode, 2)
            self.assertIn("not an HDF5 file", proc.stderr)
            self.assertFalse((tmp / "csv2").exists())


if __name__ == "__main__":
    unittest.main()
