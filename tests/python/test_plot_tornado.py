"""scripts/plot_tornado.py (tornado chart and Sobol indices of one output of an mppmc sensitivity
file), run as a user would on a small study (scenarios/studies/coa-drivers.toml, both methods)
and on the Ishigami benchmark (Sobol indices with analytic values). Checks real PNGs (signature,
IHDR size), the printed path, the default file name, and the bad-input errors (exit 2, one line
on stderr naming the problem, nothing written).

The two sensitivity files are made once; every script invocation is then started at once (they
are independent), so that the suite takes seconds.

Run: /usr/bin/python3 -m unittest -v tests/python/test_plot_tornado.py
"""
import sys
import unittest
from pathlib import Path

import h5py

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

PLOT_TORNADO = mt.SOURCE_DIR / "scripts" / "plot_tornado.py"
STUDY = mt.SOURCE_DIR / "scenarios" / "studies" / "coa-drivers.toml"
STUDY_SAMPLES = 128
BENCHMARK_SAMPLES = 1024
SCRIPT_TIMEOUT_S = 120


class PlotTornado(mt.ScriptResults, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp("mppmc-tornado-")
        cls.study = tmp / "study.h5"
        cls.bench = tmp / "ishigami.h5"
        mt.mppmc("sensitivity", STUDY, "-o", cls.study, "--overwrite", "--samples", STUDY_SAMPLES, "-q", check=0)
        mt.mppmc("sensitivity", "--benchmark", "ishigami", "-o", cls.bench, "--overwrite", "--samples",
                 BENCHMARK_SAMPLES, "-q", check=0)
        for path in (cls.study, cls.bench):
            if not path.is_file():
                raise AssertionError(f"mppmc sensitivity exited 0 but wrote no {path}")
        with h5py.File(cls.study, "r") as f:
            cls.study_outputs = sorted(f["tornado"].keys())

        # Files that are not mppmc sensitivity files of version 1 or 2.
        text_file = tmp / "notes.h5"
        text_file.write_text("not HDF5 at all\n")
        other = tmp / "other.h5"
        with h5py.File(other, "w") as g:
            g.attrs["schema"] = "mppmc-results"
            g.attrs["schema_version"] = 1
        future = tmp / "future.h5"
        with h5py.File(future, "w") as g:
            g.attrs["schema"] = "mppmc-sensitivity"
            g.attrs["schema_version"] = 3
            g.create_group("sensitivity")

        study, bench = str(cls.study), str(cls.bench)
        cls.jobs = {
            # name: argv (each runs in its own empty folder tmp/<name>)
            "study_default": [study],
            "study_cost": [study, "--output", "cost_total[2025]", "--top", "8"],
            "benchmark": [bench, "-o", "ishigami.png"],
            "e_missing": [str(tmp / "no-such-file.h5"), "-o", "x.png"],
            "e_text": [str(text_file)],
            "e_other": [str(other), "-o", "x.png"],
            "e_version": [str(future), "-o", "x.png"],
            "e_output": [study, "--output", "no_such_output[2026]"],
        }
        for name in cls.jobs:
            (tmp / name).mkdir()
        cls.results = mt.run_at_once({name: ([mt.PYTHON, PLOT_TORNADO, *argv], tmp / name)
                                      for name, argv in cls.jobs.items()}, timeout=SCRIPT_TIMEOUT_S)

    def written(self, name, expected_name):
        """Checks the printed path (relative to the job's folder) and that the folder holds only
        that PNG (no temporary litter); returns the PNG's path."""
        out, err = self.result(name)
        printed = out.strip()
        self.assertEqual(len(printed.splitlines()), 1, f"{name}: expected one printed path, got {out!r}")
        path = Path(printed) if Path(printed).is_absolute() else self.tmp / name / printed
        self.assertTrue(path.is_file(), f"{name}: printed path {printed!r} does not exist")
        self.assertEqual(path.name, expected_name)
        self.assertEqual(self.files_in(name), [expected_name])
        return path

    # ---- charts

    def test_study_default_output(self):
        # The default output is the file's first: coa_occupancy[2026] in the study.
        self.assertEqual(self.study_outputs[0], "coa_occupancy[2026]")
        path = self.written("study_default", "study_coa_occupancy_2026_tornado.png")
        self.assert_png(path)

    def test_study_named_output(self):
        path = self.written("study_cost", "study_cost_total_2025_tornado.png")
        self.assert_png(path)

    def test_benchmark(self):
        path = self.written("benchmark", "ishigami.png")
        self.assert_png(path)

    def test_two_panels_wider_than_one(self):
        # The study has a tornado and Sobol indices (two panels side by side); the benchmark has
        # only Sobol indices (one panel).
        w_study, _ = self.assert_png(self.written("study_default", "study_coa_occupancy_2026_tornado.png"))
        w_bench, _ = self.assert_png(self.written("benchmark", "ishigami.png"))
        self.assertGreater(w_study, 1.2 * w_bench, "the two-panel chart is not wider than the one-panel one")

    # ---- errors: exit 2, one line on stderr naming the problem, nothing written

    def assert_error(self, name, *words):
        line, out = self.assert_one_line_error(name, *words)
        self.assertEqual(out, "", f"{name}: printed {out!r}")
        return line

    def test_missing_file(self):
        self.assert_error("e_missing", "no-such-file.h5", "not found")

    def test_not_hdf5(self):
        self.assert_error("e_text", "notes.h5", "not an HDF5 file")

    def test_not_a_sensitivity_file(self):
        self.assert_error("e_other", "other.h5", "not an mppmc sensitivity file")

    def test_wrong_schema_version(self):
        self.assert_error("e_version", "future.h5", "schema_version 3")

    def test_unknown_output_lists_available(self):
        line = self.assert_error("e_output", "no_such_output[2026]")
        for output in self.study_outputs:
            self.assertIn(output, line)


if __name__ == "__main__":
    unittest.main()
