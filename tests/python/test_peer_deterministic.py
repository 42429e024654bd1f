"""The deterministic run (every input at its median, no monthly noise) against the independent
NumPy implementation of the model contract (shared/bench/numpy_peer.py --deterministic), and the
time axis and annual aggregation of the results file against the contract itself.

Run: /usr/bin/python3 -m unittest -v tests/python/test_peer_deterministic.py
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

RTOL = 1e-9  # relative, denominator max(1, |reference|)


class DeterministicAgainstPeer:
    """Mixin: one scenario's deterministic run against the peer. Subclasses set SCENARIO."""

    SCENARIO = None

    @classmethod
    def setUpClass(cls):
        mt.require_peer()
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-det-")
        tmp = Path(cls._tmp.name)
        h5_path = mt.run_results(cls.SCENARIO, tmp / "det.h5", "--deterministic")
        mt.peer(cls.SCENARIO, "--deterministic", "--out", tmp / "peer.json")
        with open(tmp / "peer.json") as f:
            cls.ref = json.load(f)
        cls.h5 = h5py.File(h5_path, "r")

    @classmethod
    def tearDownClass(cls):
        cls.h5.close()
        cls._tmp.cleanup()

    def assert_close(self, actual, reference, what):
        actual = np.asarray(actual, dtype=np.float64)
        reference = np.asarray(reference, dtype=np.float64)
        self.assertEqual(actual.shape, reference.shape, f"{what}: shape")
        err = mt.relative_error(actual, reference)
        worst = int(np.argmax(err))
        self.assertTrue(np.all(np.isfinite(actual)), f"{what}: non-finite values {actual}")
        self.assertLessEqual(err[worst], RTOL,
                             f"{what}: index {worst}: mppmc {actual[worst]!r} vs peer {reference[worst]!r} "
                             f"(relative error {err[worst]:.3g})")

    def test_file_is_a_deterministic_single_path_run(self):
        self.assertEqual(self.h5.attrs["schema"], "mppmc-results")
        self.assertEqual(int(self.h5.attrs["schema_version"]), 1)
        self.assertEqual(self.h5.attrs["sampling"], "deterministic")
        self.assertEqual(int(self.h5.attrs["n_paths"]), 1)
        self.assertEqual(sorted(self.h5["monthly"].keys()), sorted(mt.ALL_SERIES))
        self.assertEqual(sorted(self.h5["annual"].keys()), sorted(mt.ALL_SERIES))

    def test_monthly_series_match_peer(self):
        months = mt.decode(self.h5["time/month"][()])
        self.assertEqual(set(self.ref["monthly"]), set(mt.ALL_SERIES))
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                reference = self.ref["monthly"][series]
                self.assertEqual(len(reference), len(months))
                g = self.h5["monthly/" + series]
                self.assert_close(g["mean"][()], reference, f"monthly/{series}/mean")
                # One path: every percentile is that path's value, and the spread is zero.
                q = g["quantiles"][()]
                self.assertEqual(q.shape, (len(self.h5["percentiles"][()]), len(months)))
                for row in range(q.shape[0]):
                    self.assert_close(q[row], reference, f"monthly/{series}/quantiles[{row}]")
                np.testing.assert_array_equal(g["std"][()], 0.0, err_msg=f"monthly/{series}/std")

    def test_annual_series_match_peer(self):
        self.assertEqual([int(y) for y in self.h5["time/year"][()]], self.ref["years"])
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                reference = self.ref["annual"][series]
                g = self.h5["annual/" + series]
                self.assert_close(g["mean"][()], reference, f"annual/{series}/mean")
                q = g["quantiles"][()]
                for row in range(q.shape[0]):
                    self.assert_close(q[row], reference, f"annual/{series}/quantiles[{row}]")
                band = g["band"][()]
                self.assertEqual(band.shape, (3, len(reference)))
                for row in range(3):
                    self.assert_close(band[row], reference, f"annual/{series}/band[{row}]")

    def test_time_axis_follows_the_scenario(self):
        start, horizon = mt.scenario_time(self.SCENARIO)
        months = mt.decode(self.h5["time/month"][()])
        self.assertEqual(months, mt.month_strings(start, horizon))
        self.assertEqual(self.h5.attrs["start"], start)
        self.assertEqual(int(self.h5.attrs["horizon_months"]), horizon)
        years = sorted({mt.year_of(m) for m in months})
        self.assertEqual([int(y) for y in self.h5["time/year"][()]], years)
        self.assertEqual(self.h5["time/year"].dtype, np.int32)
        counts = [sum(1 for m in months if mt.year_of(m) == y) for y in years]
        self.assertEqual([int(c) for c in self.h5["time/months_in_year"][()]], counts)
        self.assertEqual(sum(counts), horizon)

    def test_annual_values_aggregate_monthly_values(self):
        # Flows: sum over the months of the calendar year; stocks: the year's last month
        # (model-spec.md, "Output series"), computed here from the file's own monthly values.
        months = mt.decode(self.h5["time/month"][()])
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                g = self.h5["annual/" + series]
                kind = mt.kind_of(series)
                self.assertEqual(g.attrs["kind"], kind)
                self.assertEqual(g.attrs["annual"], "sum" if kind == "flow" else "end")
                years, expected = mt.annual_from_monthly(self.h5["monthly/" + series + "/mean"][()], months, kind)
                self.assert_close(g["mean"][()], expected, f"annual/{series} from monthly")


class SmallScenario(DeterministicAgainstPeer, unittest.TestCase):
    SCENARIO = mt.SMALL


class VariantScenario(DeterministicAgainstPeer, unittest.TestCase):
    SCENARIO = mt.VARIANT


class DefaultScenario(DeterministicAgainstPeer, unittest.TestCase):
    SCENARIO = mt.DEFAULT_SCENARIO


if __name__ == "__main__":
    unittest.main()
