"""Sensitivity studies and sampling designs as a user meets them: the shipped study on the
default scenario, the benchmark files, study-file errors, and Latin hypercube / Sobol runs
that estimate a mean better than plain Monte Carlo at the same number of paths.

Run: /usr/bin/python3 -m unittest -v tests/python/test_sensitivity.py
"""
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

STUDY = mt.SOURCE_DIR / "scenarios" / "studies" / "coa-drivers.toml"


class ShippedStudy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-study-")
        cls.tmp = Path(cls._tmp.name)
        cls.out = cls.tmp / "study.h5"
        cls.proc = mt.mppmc("sensitivity", STUDY, "--samples", "64", "-o", cls.out, check=0)
        cls.f = h5py.File(cls.out, "r")

    @classmethod
    def tearDownClass(cls):
        cls.f.close()
        cls._tmp.cleanup()

    def test_layout(self):
        self.assertEqual(self.f.attrs["schema"], "mppmc-sensitivity")
        self.assertEqual(self.f.attrs["schema_version"], 2)
        outputs = sorted(self.f["sensitivity"].keys())
        self.assertIn("coa_occupancy[2026]", outputs)
        self.assertIn("cost_total[2025]", outputs)
        for name in outputs:
            g = self.f[f"sensitivity/{name}"]
            k = len(g["inputs"])
            self.assertGreaterEqual(k, 10)
            for key in ("first_order", "total_order"):
                self.assertEqual(g[key].shape, (k,))
                self.assertEqual(g[f"{key}_ci"].shape, (2, k))
                self.assertTrue(np.all(g[f"{key}_ci"][0] <= g[f"{key}_ci"][1]))
            self.assertEqual(g.attrs["N"], 64)
            self.assertEqual(g.attrs["runs"], 64 * (k + 2))
            self.assertEqual(g.attrs["bootstrap"], 200)
            self.assertAlmostEqual(g.attrs["confidence_level"], 0.95)
            self.assertIn("Saltelli", g.attrs["method"])
            names = mt.decode(g["inputs"][:])
            self.assertIn("inflow.first.annual", names)
            self.assertIn("monthly_noise", names)
            t = self.f[f"tornado/{name}"]
            self.assertEqual(sorted(mt.decode(t["inputs"][:])), sorted(names))
            swing = t["swing"][:]
            self.assertTrue(np.all(np.diff(swing) <= 0), "sorted by swing")
            np.testing.assert_allclose(swing, np.abs(t["high_output"][:] - t["low_output"][:]))

    def test_tornado_base_is_the_deterministic_run(self):
        # Independent of the study code: a plain `mppmc run --deterministic` of the same scenario.
        det = mt.run_results(mt.DEFAULT_SCENARIO, self.tmp / "det.h5", "--deterministic")
        with h5py.File(det, "r") as d:
            years = list(d["time/year"][:])
            for name, series, year in (("coa_occupancy[2026]", "coa_occupancy", 2026), ("cost_total[2025]", "cost_total", 2025)):
                expected = d[f"annual/{series}/mean"][years.index(year)]
                self.assertAlmostEqual(self.f[f"tornado/{name}"].attrs["base_output"] / expected, 1.0, places=12)

    def test_the_inflow_level_drives_2026_occupancy_most(self):
        # A sanity check of the whole chain, not a regression value: with a log-sd of 0.3 on the
        # yearly inflow, nothing else in the default scenario comes close.
        names = mt.decode(self.f["tornado/coa_occupancy[2026]/inputs"][:])
        self.assertEqual(names[0], "inflow.first.annual")

    def test_printed_tables(self):
        self.assertIn("tornado of coa_occupancy[2026]", self.proc.stdout)
        self.assertIn("Sobol indices of coa_occupancy[2026]", self.proc.stdout)
        proc = mt.mppmc("info", self.out, check=0)
        self.assertIn("mppmc-sensitivity", proc.stdout)

    def test_thread_count_does_not_change_the_indices(self):
        other = self.tmp / "one_thread.h5"
        mt.mppmc("sensitivity", STUDY, "--samples", "64", "-o", other, "--threads", "1", "-q", check=0)
        with h5py.File(other, "r") as g:
            for name in self.f["sensitivity"]:
                for key in ("first_order", "total_order", "first_order_ci", "total_order_ci"):
                    self.assertTrue(np.array_equal(self.f[f"sensitivity/{name}/{key}"][:], g[f"sensitivity/{name}/{key}"][:]))


class Benchmarks(unittest.TestCase):
    def test_files_hold_estimates_beside_the_analytic_values(self):
        with tempfile.TemporaryDirectory() as tmp:
            for bench in ("ishigami", "sobol-g"):
                out = Path(tmp) / f"{bench}.h5"
                mt.mppmc("sensitivity", "--benchmark", bench, "--samples", "16384", "--seed", "11", "-o", out, "-q", check=0)
                with h5py.File(out, "r") as f:
                    g = f["sensitivity/y"]
                    for kind in ("first_order", "total_order"):
                        estimate, truth, ci = g[kind][:], g[f"analytic_{kind}"][:], g[f"{kind}_ci"][:]
                        self.assertLess(np.abs(estimate - truth).max(), 0.02, f"{bench} {kind}")
                        self.assertTrue(np.all((ci[0] <= truth) & (truth <= ci[1])), f"{bench} {kind} intervals")


class StudyErrors(unittest.TestCase):
    def check_refused(self, text, *messages):
        with tempfile.TemporaryDirectory() as tmp:
            study = Path(tmp) / "study.toml"
            study.write_text(text)
            out = Path(tmp) / "out.h5"
            proc = mt.mppmc("sensitivity", study, "-o", out)
            self.assertEqual(proc.returncode, 2, proc.stderr)
            for message in messages:
                self.assertIn(message, proc.stderr)
            self.assertFalse(out.exists())

    def test_refused_studies(self):
        base = f'[study]\nscenario = "{mt.SMALL}"\nsamples = 16\n'
        self.check_refused(base + '[[output]]\nseries = "coa_occupancy"\nyear = 2026\n'
                           '[study.tornado]\nlow = 0.97\n', "study.tornado", "low must be below high")
        self.check_refused(base + '[[output]]\nseries = "coa_occupancy"\nyear = 2026\n'
                           '[study.tornado]\nlow = 1e-320\n', "study.tornado.low", "[1e-9, 1 - 1e-9]")
        self.check_refused(base.replace("samples = 16", "inputs = []") +
                           '[[output]]\nseries = "coa_occupancy"\nyear = 2026\n', "study.inputs", "at least one input")
        self.check_refused(base + 'methods = ["sobol", "sobol"]\n[[output]]\nseries = "coa_occupancy"\nyear = 2026\n',
                           "study.methods[1]", "listed twice")
        self.check_refused(base.replace("samples = 16", 'inputs = ["coa.upteke"]') +
                           '[[output]]\nseries = "coa_occupancy"\nyear = 2026\n', "study.toml:3:11: study.inputs[0]", "not an uncertain input")
        self.check_refused(base + '[[output]]\nseries = "coa_ocupancy"\nyear = 2026\n', "unknown series", "did you mean 'coa_occupancy'")
        self.check_refused(base + '[[output]]\nseries = "coa_occupancy"\nyear = 2031\n', "outside the scenario's horizon")
        self.check_refused(base + '[[output]]\nseries = "coa_occupancy"\n', "exactly one of year")
        self.check_refused(base, "at least one [[output]]")
        self.check_refused('[study]\nscenario = "nowhere.toml"\n[[output]]\nseries = "coa_occupancy"\nyear = 2026\n', "no such file")
        self.check_refused('[study]\nscenario = "."\n[[output]]\nseries = "coa_occupancy"\nyear = 2026\n',
                           "study.toml:2:12: study.scenario", "is a folder")
        self.check_refused(base + 'method = "sobol"\n[[output]]\nseries = "coa_occupancy"\nyear = 2026\n', "did you mean 'methods'")


class SamplingDesigns(unittest.TestCase):
    """Latin hypercube and Sobol points against plain Monte Carlo, measured over seeds: the root
    mean square error of the estimated mean of a smooth output (the 2026 total cost, which sums
    every month of the year) at the same N."""

    def test_lhs_and_sobol_beat_plain_monte_carlo(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            # Reference: a large Sobol run (its error is far below the small runs' errors).
            ref_file = mt.run_results(mt.SMALL, tmp / "ref.h5", "--paths", "65536", "--sampling", "sobol", "--seed", "999")
            with h5py.File(ref_file, "r") as f:
                reference = f["annual/cost_total/mean"][1]
            errors = {}
            for sampling in ("mc", "lhs", "sobol"):
                estimates = []
                for seed in range(1, 17):
                    out = mt.run_results(mt.SMALL, tmp / f"{sampling}{seed}.h5", "--paths", "256", "--seed", str(seed),
                                         "--sampling", sampling, "--overwrite")
                    with h5py.File(out, "r") as f:
                        self.assertEqual(f.attrs["sampling"], sampling)
                        estimates.append(f["annual/cost_total/mean"][1])
                errors[sampling] = float(np.sqrt(np.mean((np.array(estimates) - reference) ** 2)))
            print(f"\nRMSE of the 2026 mean cost at N = 256 over 16 seeds: {errors}", file=sys.stderr)
            self.assertLess(errors["lhs"], errors["mc"])
            self.assertLess(errors["sobol"], errors["mc"])


if __name__ == "__main__":
    unittest.main()
