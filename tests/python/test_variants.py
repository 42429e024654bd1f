"""Baseline and variants in one run (`mppmc run BASE VARIANT...`): common random numbers make
paths identical until a measure starts, /compare holds the statistics of the path-wise
differences, and each variant's deterministic trajectory matches the independent NumPy peer.

Run: /usr/bin/python3 -m unittest -v tests/python/test_variants.py
"""
import json
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

MEASURE_START = "2026-01"  # small.toml starts 2025-03: month index 10
START_INDEX = 10


class PathsAndDifferences(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-variants-")
        tmp = Path(cls._tmp.name)
        cls.variant = tmp / "uptake_cut.toml"
        cls.variant.write_text(f"""[scenario]
extends = "{mt.SMALL}"
name = "uptake cut"

[[measure]]
name = "Less reception"
parameter = "coa.uptake"
start = "{MEASURE_START}"
ramp_months = 2
effect = {{ dist = "uniform", low = 0.7, high = 0.9 }}
""")
        cls.out = tmp / "run.h5"
        proc = mt.mppmc("run", mt.SMALL, cls.variant, "--paths", "800", "--seed", "11", "--save-paths",
                        "-o", cls.out, check=0)
        cls.stdout = proc.stdout
        cls.f = h5py.File(cls.out, "r")

    @classmethod
    def tearDownClass(cls):
        cls.f.close()
        cls._tmp.cleanup()

    def test_layout(self):
        self.assertEqual(list(self.f["variants"].keys()), ["uptake_cut"])
        self.assertEqual(list(self.f["compare"].keys()), ["uptake_cut"])
        self.assertEqual(self.f["variants/uptake_cut"].attrs["scenario_name"], "uptake cut")
        for series in mt.ALL_SERIES:
            for group in ("monthly", "annual"):
                for name in ("quantiles", "mean", "std", "band"):
                    self.assertIn(f"{group}/{series}/{name}", self.f["compare/uptake_cut"])
                    self.assertIn(f"{group}/{series}/{name}", self.f["variants/uptake_cut"])
            self.assertIn(series, self.f["variants/uptake_cut/paths"])

    def test_paths_are_identical_bit_for_bit_before_the_measure_starts(self):
        months = mt.decode(self.f["time/month"][:])
        self.assertEqual(months[START_INDEX], MEASURE_START)
        changed_after = 0
        for series in mt.ALL_SERIES:
            base = self.f[f"paths/{series}"][:]
            var = self.f[f"variants/uptake_cut/paths/{series}"][:]
            self.assertTrue(np.array_equal(base[:, :START_INDEX], var[:, :START_INDEX]), series)
            changed_after += not np.array_equal(base[:, START_INDEX:], var[:, START_INDEX:])
        self.assertGreaterEqual(changed_after, 5)  # occupancy, in procedure, cost, ... do change

    def test_the_variant_draws_the_baseline_inputs(self):
        base_names = mt.decode(self.f["inputs/names"][:])
        var_names = mt.decode(self.f["variants/uptake_cut/inputs/names"][:])
        self.assertEqual([n for n in var_names if n in base_names], base_names)
        base = self.f["inputs/samples"][:]
        var = self.f["variants/uptake_cut/inputs/samples"][:]
        for k, name in enumerate(base_names):
            self.assertTrue(np.array_equal(base[:, k], var[:, var_names.index(name)]), name)
        self.assertIn("measure[Less reception].effect", var_names)

    def test_compare_is_the_distribution_of_pathwise_differences(self):
        percentiles = self.f["percentiles"][:]
        band_p = [self.f["band"].attrs[k] for k in ("min_percentile", "medio_percentile", "max_percentile")]
        months = mt.decode(self.f["time/month"][:])
        for series in mt.ALL_SERIES:
            base = self.f[f"paths/{series}"][:].astype(np.float64)
            var = self.f[f"variants/uptake_cut/paths/{series}"][:].astype(np.float64)
            # The saved paths are float32 copies of the doubles: allow their rounding.
            atol = 2e-7 * max(1.0, np.abs(base).max(), np.abs(var).max())
            diff = var - base
            group = self.f[f"compare/uptake_cut/monthly/{series}"]
            np.testing.assert_allclose(group["quantiles"][:], np.percentile(diff, percentiles, axis=0),
                                       rtol=0, atol=atol, err_msg=series)
            np.testing.assert_allclose(group["band"][:], np.percentile(diff, band_p, axis=0), rtol=0, atol=atol)
            np.testing.assert_allclose(group["mean"][:], diff.mean(axis=0), rtol=0, atol=atol)
            np.testing.assert_allclose(group["std"][:], diff.std(axis=0), rtol=0, atol=2 * atol)
            kind = mt.kind_of(series)
            annual_diff = mt.annual_from_monthly(var, months, kind)[1] - mt.annual_from_monthly(base, months, kind)[1]
            np.testing.assert_allclose(self.f[f"compare/uptake_cut/annual/{series}/quantiles"][:],
                                       np.percentile(annual_diff, percentiles, axis=0),
                                       rtol=0, atol=12 * atol, err_msg=series)
            # Before the measure the difference is exactly zero on every path.
            self.assertTrue(np.all(group["quantiles"][:, :START_INDEX] == 0.0), series)

    def test_the_impact_table_is_printed(self):
        self.assertIn("variant uptake_cut (uptake cut) minus baseline", self.stdout)
        table = self.stdout.split("minus baseline", 1)[1]
        for series in ("total_inflow", "ind_nareis_applications", "ind_asylum_backlog", "coa_occupancy", "cost_total"):
            self.assertIn(series, table)

    def test_info_lists_the_variant(self):
        proc = mt.mppmc("info", self.out, check=0)
        self.assertIn("uptake_cut", proc.stdout)
        self.assertIn("minus baseline", proc.stdout)


class VariantsAgainstPeer(unittest.TestCase):
    """Each variant's deterministic trajectory equals the peer's on the variant file, and the
    compare group equals the difference of the peer's variant and baseline trajectories."""

    def check(self, base, variants):
        mt.require_peer()
        with tempfile.TemporaryDirectory(prefix="mppmc-variant-peer-") as tmp:
            tmp = Path(tmp)
            out = mt.run_results(base, tmp / "det.h5", *variants, "--deterministic")
            mt.peer(base, "--deterministic", "--out", tmp / "base.json")
            base_ref = json.load(open(tmp / "base.json"))
            with h5py.File(out, "r") as f:
                for variant in variants:
                    stem = Path(variant).stem
                    mt.peer(variant, "--deterministic", "--out", tmp / f"{stem}.json")
                    ref = json.load(open(tmp / f"{stem}.json"))
                    for series in mt.ALL_SERIES:
                        for group in ("monthly", "annual"):
                            ours = f[f"variants/{stem}/{group}/{series}/mean"][:]
                            self.assertLess(mt.relative_error(ours, ref[group][series]).max(), 1e-9, f"{stem} {group} {series}")
                            diff = f[f"compare/{stem}/{group}/{series}/mean"][:]
                            expected = np.array(ref[group][series]) - np.array(base_ref[group][series])
                            scale = max(1.0, np.abs(ref[group][series]).max())
                            self.assertLess(np.abs(diff - expected).max() / scale, 1e-9, f"{stem} {group} {series}")

    def test_test_variant(self):
        self.check(mt.SMALL, [mt.VARIANT])

    def test_shipped_measure_variants(self):
        shipped = sorted((mt.SOURCE_DIR / "scenarios" / "measures").glob("*.toml"))
        self.assertGreaterEqual(len(shipped), 5, "scenarios/measures/ should ship the cabinet's measures and a combination")
        self.check(mt.DEFAULT_SCENARIO, shipped)


class VariantInputErrors(unittest.TestCase):
    def test_a_variant_must_cover_the_same_months(self):
        with tempfile.TemporaryDirectory() as tmp:
            short = Path(tmp) / "short.toml"
            short.write_text(f'[scenario]\nextends = "{mt.SMALL}"\nhorizon_months = 12\n')
            out = Path(tmp) / "x.h5"
            proc = mt.mppmc("run", mt.SMALL, short, "--paths", "10", "-o", out)
            self.assertEqual(proc.returncode, 2)
            self.assertIn("a variant must cover the same months", proc.stderr)
            self.assertFalse(out.exists())

    def test_two_variants_with_the_same_file_name_are_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            (Path(tmp) / "a").mkdir()
            twin = Path(tmp) / "a" / "variant.toml"
            twin.write_text(f'[scenario]\nextends = "{mt.SMALL}"\nname = "twin"\n')
            out = Path(tmp) / "x.h5"
            proc = mt.mppmc("run", mt.SMALL, mt.VARIANT, twin, "--paths", "10", "-o", out)
            self.assertEqual(proc.returncode, 2)
            self.assertIn("used twice", proc.stderr)
            self.assertFalse(out.exists())


if __name__ == "__main__":
    unittest.main()
