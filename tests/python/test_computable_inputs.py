"""Inputs that pass every range check of docs/model-spec.md but that the month step cannot compute
(issue 16, items 6 and 7): they are refused at their key, with the file, line and rule
(docs/scenario-format.md, "Numbers mppmc can compute"); and the largest inputs that are
accepted leave every number of the results finite over the longest horizon.

Run: /usr/bin/python3 -m unittest -v tests/python/test_computable_inputs.py
"""
import re
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

EXIT_OK, EXIT_INPUT = 0, 2
ERROR_LINE = re.compile(r"^error: (?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<key>[^ ]+) = (?P<rest>.*)$")
BASE = mt.MINIMAL_SCENARIO


with_line = mt.replace_line


class Refused(mt.FolderPerClass, unittest.TestCase):
    TMP_PREFIX = "mppmc-computable-"

    def refused(self, name, text, key, line, *words, count=1):
        """`mppmc run` exits 2, writes nothing and reports `key` at `line` of the file (`count`
        times: each weight of a list is its own key)."""
        path = self.tmp / f"{name}.toml"
        path.write_text(text)
        out = self.tmp / f"{name}.h5"
        proc = mt.mppmc("run", path, "--paths", "20", "-o", out, "-q")
        self.assertEqual(proc.returncode, EXIT_INPUT, proc.stdout + proc.stderr)
        self.assertFalse(out.exists())
        errors = [ERROR_LINE.match(l) for l in proc.stderr.splitlines() if l.startswith("error:")]
        self.assertTrue(all(errors), proc.stderr)
        hits = [m for m in errors if m["key"].startswith(key)]
        self.assertEqual(len(hits), count, proc.stderr)
        for m in hits:
            self.assertEqual(m["file"], str(path))
            self.assertEqual(int(m["line"]), line, proc.stderr)
            for word in words:
                self.assertIn(word, m["rest"])
        return proc.stderr

    def test_seasonality_whose_normalisation_overflows_or_underflows(self):
        line = mt.line_of(BASE, "seasonality")
        for weight in ("1e308", "5e-324", "1e16", "1e-16"):
            with self.subTest(weight=weight):
                text = with_line(BASE, "seasonality", "seasonality = [" + ", ".join([weight] * 12) + "]")
                self.refused(f"season-{weight}", text, "inflow.first.seasonality[", line, "[1e-15, 1e+15]", count=12)

    def test_a_divisor_near_zero(self):
        line = mt.line_of(BASE, "target_occupancy_rate")
        for value in ("5e-324", "1e-300", "1e-7"):
            with self.subTest(value=value):
                text = with_line(BASE, "target_occupancy_rate", f"target_occupancy_rate = {value}")
                self.refused(f"occupancy-{value}", text, "coa.target_occupancy_rate", line, "at least 1e-06", "divides")
        # A distribution whose lower tail reaches below the smallest divisor.
        text = with_line(BASE, "target_occupancy_rate",
                         'target_occupancy_rate = { dist = "uniform", low = 1e-9, high = 1 }')
        self.refused("occupancy-uniform", text, "coa.target_occupancy_rate", line, "below 1e-06")

    def test_levels_money_and_multipliers_that_overflow_the_chain(self):
        cases = [
            ("coa_in_procedure", "coa_in_procedure = 1e300", "initial.coa_in_procedure", "at most 1e+15"),
            ("coa_per_place_year", "coa_per_place_year = 1e300", "cost.coa_per_place_year", "at most 1e+15"),
            ("capacity_per_month = {", "capacity_per_month = { 2025 = 1e300, 2026 = 4000 }",
             "ind.asylum.capacity_per_month.2025", "at most 1e+15"),
            ("persons_per_grant", "persons_per_grant = 1e7", "nareis.persons_per_grant", "at most 1e+06"),
            ("annual", 'annual = { 2025 = { dist = "lognormal", median = 45000, sigma = 5 } }',
             "inflow.first.annual.2025", "above 1e+15"),
        ]
        for start, line_text, key, words in cases:
            with self.subTest(key=key):
                self.refused(key, with_line(BASE, start, line_text), key, mt.line_of(BASE, start), words)

    def test_the_largest_accepted_values_are_accepted(self):
        text = BASE
        for start, line_text in [("coa_in_procedure", "coa_in_procedure = 1e15"),
                                 ("persons_per_grant", "persons_per_grant = 1e6"),
                                 ("target_occupancy_rate", "target_occupancy_rate = 1e-6"),
                                 ("seasonality", "seasonality = [1e15, 1e-15, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]")]:
            text = with_line(text, start, line_text)
        path = self.tmp / "largest.toml"
        path.write_text(text)
        mt.mppmc("validate", path, check=EXIT_OK)

    def test_measures_whose_product_leaves_the_computable_range(self):
        # Two measures of 1e4 on a ratio of 1: 1e8 after both, above the largest multiplier.
        measures = "".join(f'\n[[measure]]\nname = "m{k}"\nparameter = "inflow.repeat_ratio"\nstart = "2025-06"\n'
                           f'effect = 1e4\n' for k in range(2))
        text = with_line(BASE, "repeat_ratio", "repeat_ratio = 1") + measures
        self.refused("measures-up", text, "measure[1].effect", mt.line_of(text, "effect = 1e4") + 6,
                     "inflow.repeat_ratio", "1e+08")
        # A measure that can take the occupancy rate (a divisor) to 0.
        measure = ('\n[[measure]]\nname = "down"\nparameter = "coa.target_occupancy_rate"\nstart = "2025-06"\n'
                   'effect = { dist = "uniform", low = 0, high = 0.5 }\n')
        text = BASE + measure
        self.refused("measures-down", text, "measure[0].effect", mt.line_of(text, "effect = {"),
                     "coa.target_occupancy_rate", "below 1e-06")
        # A measure that takes a delay below its minimum of 1 month.
        measure = ('\n[[measure]]\nname = "faster"\nparameter = "nareis.apply_delay_months"\nstart = "2025-06"\n'
                   'effect = 0.5\n')
        text = with_line(BASE, "apply_delay_months", "apply_delay_months = 1.5") + measure
        self.refused("measures-delay", text, "measure[0].effect", mt.line_of(text, "effect = 0.5"),
                     "nareis.apply_delay_months", "below 1")

    def test_a_horizon_past_year_9999(self):
        line = mt.line_of(BASE, "start =")
        stderr = self.refused("start-9999", with_line(BASE, "start =", 'start = "9999-01"'), "scenario.start", line,
                              "past 9999-12", "latest start for 24 months is 9998-01")
        self.assertNotIn("10000", stderr)

    def test_a_horizon_that_ends_in_9999_12_runs(self):
        path = self.tmp / "last.toml"
        text = with_line(BASE, "start =", 'start = "9998-01"')
        text = text.replace("2025 =", "9998 =").replace("2026 =", "9999 =")
        path.write_text(text)
        out = mt.run_results(path, self.tmp / "last.h5", "--paths", "5")
        with h5py.File(out, "r") as f:
            months = mt.decode(f["time/month"][:])
        self.assertEqual(months, mt.month_strings("9998-01", 24))
        self.assertEqual(months[-1], "9999-12")


class LargestInputsStayFinite(unittest.TestCase):
    """The bound is a promise: a scenario at every largest accepted value (levels and money 1e15,
    multipliers 1e6 including measures, the smallest divisors, the most uneven seasonality, the
    largest noise factor) runs 1,200 months and every statistic it writes is finite."""

    def test_every_statistic_is_finite(self):
        text = BASE
        replacements = {
            "horizon_months": "horizon_months = 1200",
            "annual =": "annual = { 2025 = 1e15 }",
            "seasonality": "seasonality = [1e15, 1e-15, 1e-15, 1e-15, 1e-15, 1e-15, 1e-15, 1e-15, 1e-15, 1e-15, "
                           "1e-15, 1e-15]",
            "repeat_ratio": "repeat_ratio = 1e6",
            "capacity_per_month = {": "capacity_per_month = 1e15",
            "capacity_per_month = 1200": "capacity_per_month = 1e15",
            "capacity_factor = {": "capacity_factor = 1e6",
            "capacity_factor = 1.0": "capacity_factor = 1e6",
            "grant_rate = {": "grant_rate = 1",
            "persons_per_grant": "persons_per_grant = 1e6",
            "apply_delay_months": "apply_delay_months = 1",
            "arrival_delay_months": "arrival_delay_months = 1",
            "target_occupancy_rate": "target_occupancy_rate = 1e-6",
            "regular_capacity": "regular_capacity = 0",
            "coa_per_place_year": "coa_per_place_year = 1e15",
            "coa_emergency_per_place_year": "coa_emergency_per_place_year = 1e15",
            "ind_per_asylum_decision": "ind_per_asylum_decision = 1e15",
            "ind_per_nareis_decision": "ind_per_nareis_decision = 1e15",
            "per_month = 2500": "per_month = 0",
        }
        for start, line in replacements.items():
            text = with_line(text, start, line)
        for stock in ("ind_asylum_backlog", "ind_nareis_backlog", "nareis_potential", "nareis_pipeline",
                      "coa_in_procedure", "coa_status_holders", "coa_rejected"):
            text = with_line(text, stock, f"{stock} = 1e15")
        # The largest noise factor exp(sd z - sd^2/2) over sd is exp(z^2/2), at sd = z.
        text = text.replace("seasonality =", "monthly_noise_sd = 8\nseasonality =")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "largest.toml"
            path.write_text(text)
            out = mt.run_results(path, Path(tmp) / "largest.h5", "--paths", "64")
            checked = 0
            with h5py.File(out, "r") as f:
                for kind in ("monthly", "annual"):
                    for series in mt.ALL_SERIES:
                        for name in ("quantiles", "mean", "std", "band"):
                            values = f[f"{kind}/{series}/{name}"][:]
                            self.assertTrue(np.all(np.isfinite(values)), f"{kind}/{series}/{name}")
                            checked += values.size
                self.assertGreater(f["annual/cost_total/mean"][-1], 1e30)  # far beyond any real scenario
            self.assertGreater(checked, 100000)


if __name__ == "__main__":
    unittest.main()
