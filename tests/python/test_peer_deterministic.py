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

    SCENARIO = None  # a path, or the text of a scenario to write into the temporary folder

    @classmethod
    def setUpClass(cls):
        mt.require_peer()
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-det-")
        tmp = Path(cls._tmp.name)
        if isinstance(cls.SCENARIO, str):
            cls.SCENARIO = tmp / f"{cls.__name__}.toml"
            cls.SCENARIO.write_text(cls.TEXT)
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
        self.assertEqual(int(self.h5.attrs["schema_version"]), 2)
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


def _edge_measures_text():
    """Corners the test scenarios miss: a start before the first per-year entry (2024 takes
    2025's), a two-month first and a one-month last year, an unbounded, an upper-bounded and a
    five-point bounded metalog, a normal without and with one bound, per-year keys out of order,
    ramps, two measures on one rate that a factor pushes above 1 (capped), a measure on the inflow
    and on a per-year parameter, a measure that starts in month 1 and a ramp that started before
    the scenario's first month."""
    t = mt.MINIMAL_SCENARIO
    t = mt.replace_line(t, "start =", 'start = "2024-11"')
    t = mt.replace_line(t, "horizon_months", "horizon_months = 27")
    t = mt.replace_line(t, "annual =", (
        'annual = { 2025 = { dist = "quantiles", p = [0.1, 0.5, 0.9], q = [30000, 40000, 52000] }, '
        '2026 = { dist = "quantiles", p = [0.1, 0.5, 0.9], q = [38000, 42000, 45000], upper = 60000 }, '
        '2027 = { dist = "normal", mean = 41000, sd = 5000 } }'))
    t = mt.replace_line(t, "seasonality", (
        "seasonality = [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3]\nyear_correlation = 0.3\nmonthly_noise_sd = 0.2"))
    t = mt.replace_line(t, 'capacity_factor = { dist = "pert"',
                        'capacity_factor = { dist = "normal", mean = 1.0, sd = 0.1, low = 0.9 }')
    t = mt.replace_line(t, "grant_rate = 0.7", 'grant_rate = { dist = "normal", mean = 0.7, sd = 0.1, high = 0.75 }')
    t = mt.replace_line(t, "regular_capacity", (
        'regular_capacity = { 2026 = 50000, 2025 = { dist = "beta", a = 2, b = 5, low = 40000, high = 60000 } }'))
    t = mt.replace_line(t, "persons_per_grant", (
        'persons_per_grant = { dist = "quantiles", p = [0.05, 0.25, 0.5, 0.75, 0.95], '
        'q = [0.4, 0.6, 0.8, 0.95, 1.3], lower = 0, upper = 2 }'))
    measures = [("Grants up", "ind.asylum.grant_rate", "2025-02", 4, "3.0"),
                ("Fewer grants later", "ind.asylum.grant_rate", "2025-10", 0, "0.5"),
                ("Inflow down", "inflow.first.annual", "2025-06", 12,
                 '{ dist = "triangular", low = 0.6, mode = 0.7, high = 0.9 }'),
                ("Slower arrivals", "nareis.arrival_delay_months", "2024-12", 0, "1.5"),
                ("Started before the run", "coa.leave_in_procedure_rate", "2024-09", 6, "2.0"),
                ("More capacity", "ind.asylum.capacity_per_month", "2026-01", 1,
                 '{ dist = "uniform", low = 1.1, high = 1.3 }')]
    for name, parameter, start, ramp, effect in measures:
        t += (f'\n[[measure]]\nname = "{name}"\nparameter = "{parameter}"\nstart = "{start}"\n'
              f"ramp_months = {ramp}\neffect = {effect}\n")
    return t


def _edge_empty_text():
    """No inflow, unlimited IND capacity and no regular places: the backlog empties in month 0
    and stays at 0 (h = 0 when B = 0), everyone in reception is in emergency places, and housing
    jumps from 0 to unlimited in 2026."""
    t = mt.MINIMAL_SCENARIO
    t = mt.replace_line(t, "annual =", "annual = { 2025 = 0 }")
    t = mt.replace_line(t, "capacity_per_month = { 2025", "capacity_per_month = 100000")
    t = mt.replace_line(t, "ind_nareis_backlog", "ind_nareis_backlog = 0")
    t = mt.replace_line(t, "per_month = 2500", "per_month = { 2025 = 0, 2026 = 1e9 }")
    t = mt.replace_line(t, "regular_capacity", "regular_capacity = 0")
    return t


class EdgeMeasuresScenario(DeterministicAgainstPeer, unittest.TestCase):
    SCENARIO = "generated"
    TEXT = _edge_measures_text()

    def test_partial_years(self):
        self.assertEqual([int(c) for c in self.h5["time/months_in_year"][()]], [2, 12, 12, 1])


class EdgeEmptyScenario(DeterministicAgainstPeer, unittest.TestCase):
    SCENARIO = "generated"
    TEXT = _edge_empty_text()

    def test_backlog_empties_and_stays_empty(self):
        backlog = self.h5["monthly/ind_asylum_backlog/mean"][()]
        np.testing.assert_array_equal(backlog, 0.0)
        np.testing.assert_array_equal(self.h5["monthly/coa_in_procedure/mean"][()], 0.0)
        occupancy = self.h5["monthly/coa_occupancy/mean"][()]
        np.testing.assert_allclose(self.h5["monthly/coa_emergency/mean"][()], occupancy, rtol=0, atol=1e-9)


if __name__ == "__main__":
    unittest.main()
