"""`import mppmc` (docs/python.md): the in-memory results equal, bit for bit, what the command line
writes for the same scenario, seed and paths (every dataset of the results file, a baseline with
its paths saved and a baseline with a variant); threads never change them; validate raises
InputError with the CLI's located messages; calibrate and sensitivity give the CLI's numbers.

The module is imported from <build>/python (the folder next to MPPMC_BIN, or MPPMC_PYTHONPATH);
every test skips when it was not built (cmake -DMPPMC_WITH_PYTHON=OFF, or no pybind11).

Run: PYTHONPATH=build/python /usr/bin/python3 -m unittest -v tests/python/test_python_module.py
"""
import os
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

MODULE_DIR = Path(os.environ.get("MPPMC_PYTHONPATH") or mt.BIN.parent / "python")
BUILT = (MODULE_DIR / "mppmc").is_dir()
if BUILT:
    sys.path.insert(0, str(MODULE_DIR))
try:
    import mppmc
except ImportError as e:
    if BUILT:  # built but not importable: a failure, not a skip
        raise
    mppmc, IMPORT_ERROR = None, e  # not built: every test skips

PATHS, SEED = 3000, 11
STUDY = mt.SOURCE_DIR / "scenarios" / "studies" / "coa-drivers.toml"
EPOCH = {"SOURCE_DATE_EPOCH": "1700000000"}  # the same created_utc in the CLI's file and in memory


def setUpModule():
    if mppmc is None:
        raise unittest.SkipTest(f"the mppmc Python module is not built in {MODULE_DIR}: {IMPORT_ERROR}")


def same_bits(test, expected, got, what):
    expected, got = np.asarray(expected), np.asarray(got)
    test.assertEqual(expected.dtype, got.dtype, what)
    test.assertEqual(expected.shape, got.shape, what)
    test.assertEqual(np.ascontiguousarray(expected).tobytes(), np.ascontiguousarray(got).tobytes(), what)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def datasets(h5):
    """Every dataset of an HDF5 file that is not a dimension scale: {path: array}. The scales
    (schema 2: month, year, percentile, statistic, path, input, bound, linked into the groups that
    use them) are the Datasets' coordinates; their values are compared through time/, percentiles
    and inputs/names, and the coordinates separately (check_coordinates)."""
    out = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and not h5py.h5ds.is_scale(obj.id):
            out[name] = obj[()]

    h5.visititems(visit)
    return out


def check_coordinates(test, h5, results):
    test.assertEqual([text(v) for v in h5["time/month"][()]], list(results.months))
    test.assertEqual(list(h5["time/year"][()]), list(results.years))
    ds = results["annual/total_inflow"]
    test.assertEqual(list(ds["year"].values), list(h5["time/year"][()]))
    test.assertEqual(list(ds["percentile"].values), list(h5["percentiles"][()]))
    test.assertEqual(list(ds["statistic"].values), [text(v) for v in h5["statistic"][()]])


def in_memory(results, path):
    """The array of `results` that the file holds at `path` (a results file's dataset)."""
    parts = path.split("/")
    if parts[0] == "time" and parts[1] == "months_in_year":
        return results.months_in_year
    if parts[0] == "time":
        return {"month": np.array(results.months, dtype=object), "year": results.years,
                "months_in_year": results.months_in_year}[parts[1]]
    if path == "percentiles":
        return results.percentiles
    group, variable = "/".join(parts[:-1]), parts[-1]
    if parts[-2] == "inputs":  # inputs/names, inputs/samples
        ds = results[group]
        return np.array(list(ds.coords["input"].values), dtype=object) if variable == "names" else ds["samples"].values
    if parts[-2] == "paths":  # paths/<series>
        return results[group][variable].values
    return results[group][variable].values


class CompareWithTheCli(mt.FolderPerClass, unittest.TestCase):
    """The CLI's file and the module's results for the same run, dataset by dataset."""
    TMP_PREFIX = "mppmc-python-"

    def check_equal(self, file, results):
        with h5py.File(file, "r") as h5:
            found = datasets(h5)
            for path, expected in found.items():
                got = in_memory(results, path)
                if expected.dtype.kind in "OS":  # strings
                    self.assertEqual([text(v) for v in expected], [text(v) for v in got], path)
                else:
                    same_bits(self, expected, got, path)
            check_coordinates(self, h5, results)
            for name, value in h5.attrs.items():
                if name not in ("created_utc", "git_sha"):  # when and from which build, not what
                    self.assertEqual(text(value) if isinstance(value, (bytes, str)) else value,
                                     results.attrs[name], name)
            for group in ("annual/total_inflow", "monthly/coa_occupancy", "annual/cost_total"):
                for name in ("unit", "kind", "annual", "description"):
                    self.assertEqual(text(h5[group].attrs[name]), results[group].attrs[name], f"{group} {name}")
            self.assertEqual(list(results.band_percentiles), [h5["band"].attrs[f"{k}_percentile"]
                                                              for k in ("min", "medio", "max")])
        return len(found)

    def test_baseline_with_its_paths_is_the_cli_file_bit_for_bit(self):
        file = mt.run_results(mt.SMALL, self.tmp / "baseline.h5", "--paths", PATHS, "--seed", SEED, "--save-paths")
        results = mppmc.run(mt.SMALL, paths=PATHS, seed=SEED, save_paths=True)
        compared = self.check_equal(file, results)
        self.assertGreater(compared, 2 * 24 * 4 + 24, "the file's datasets were not all compared")
        self.assertIn("paths", results)

    def test_baseline_and_variant_are_the_cli_file_bit_for_bit(self):
        file = mt.run_results(mt.SMALL, self.tmp / "variant.h5", mt.VARIANT, "--paths", PATHS, "--seed", SEED,
                              "--sampling", "lhs", "--quantiles", "exact")
        results = mppmc.run(mt.SMALL, [mt.VARIANT], paths=PATHS, seed=SEED, sampling="lhs", quantiles="exact")
        compared = self.check_equal(file, results)
        self.assertGreater(compared, 3 * 2 * 24 * 4, "the file's datasets were not all compared")
        self.assertEqual(results.variants, ["variant"])
        self.assertIn("compare/variant/annual/total_inflow", results)

    def test_dimension_names_and_labels(self):
        results = mppmc.run(mt.SMALL, paths=200, seed=SEED)
        annual, monthly = results["annual/total_inflow"], results["monthly/total_inflow"]
        self.assertEqual(dict(annual.sizes), {"percentile": 7, "year": 3, "statistic": 3})
        self.assertEqual(annual["quantiles"].dims, ("percentile", "year"))
        self.assertEqual(annual["band"].dims, ("statistic", "year"))
        self.assertEqual(list(annual["statistic"].values), ["min", "medio", "max"])
        self.assertEqual(list(annual["year"].values), [2025, 2026, 2027])
        self.assertEqual(list(monthly["month"].values[:2]), ["2025-03", "2025-04"])
        self.assertEqual(list(annual["percentile"].values), mt.DEFAULT_PERCENTILES)
        self.assertEqual(annual.attrs["units"], "persons/year")
        self.assertEqual(monthly.attrs["units"], "persons/month")
        self.assertEqual(results["inputs"]["samples"].dims, ("path", "input"))
        medio = annual["band"].sel(statistic="medio", year=2026).item()
        self.assertEqual(medio, annual["quantiles"].sel(percentile=50.0, year=2026).item())

    def test_numpy_arrays_without_xarray_hold_the_same_numbers(self):
        labelled = mppmc.run(mt.SMALL, paths=200, seed=SEED, numpy=True)
        results = mppmc.run(mt.SMALL, paths=200, seed=SEED)
        ds = labelled["annual/total_inflow"]
        self.assertIsInstance(ds, mppmc.LabelledArrays)
        self.assertEqual(ds.dims["band"], ("statistic", "year"))
        self.assertEqual(list(ds.coords["statistic"]), ["min", "medio", "max"])
        same_bits(self, results["annual/total_inflow"]["band"].values, ds["band"], "band")

    def test_tables(self):
        results = mppmc.run(mt.SMALL, [mt.VARIANT], paths=200, seed=SEED)
        table = results.band_table("total_inflow", years=[2026])
        self.assertEqual(list(table["run"]), ["baseline", "variant", "variant - baseline"])
        self.assertEqual(table["medio"].iloc[0], results["annual/total_inflow"]["band"].sel(
            statistic="medio", year=2026).item())
        tidy = results.to_dataframe()
        self.assertEqual(set(tidy.columns), {"run", "series", "year", "statistic", "value", "units"})


class Threads(unittest.TestCase):
    def test_one_and_two_threads_are_identical(self):
        one = mppmc.run(mt.SMALL, [mt.VARIANT], paths=2000, seed=SEED, threads=1)
        two = mppmc.run(mt.SMALL, [mt.VARIANT], paths=2000, seed=SEED, threads=2, block_size=64)
        self.assertEqual(list(one), list(two))
        for key in one:
            for name in one[key].data_vars:
                same_bits(self, one[key][name].values, two[key][name].values, f"{key} {name}")


class BadInput(unittest.TestCase):
    def test_validate_raises_input_error_with_the_cli_messages(self):
        with tempfile.TemporaryDirectory(prefix="mppmc-python-bad-") as tmp:
            bad = Path(tmp) / "bad.toml"
            bad.write_text(mt.MINIMAL_SCENARIO.replace("grant_rate = 0.7", "grant_rate = 1.7")
                           .replace("horizon_months = 24", "horizon_monts = 24"))
            cli = mt.mppmc("validate", bad)
            self.assertEqual(cli.returncode, 2, cli.stderr)
            expected = [line[len("error: "):] for line in cli.stderr.splitlines() if line.startswith("error: ")]
            self.assertGreaterEqual(len(expected), 2, cli.stderr)
            for call in (lambda: mppmc.validate(bad), lambda: mppmc.run(bad, paths=10)):
                with self.assertRaises(mppmc.InputError) as caught:
                    call()
                self.assertIsInstance(caught.exception, ValueError)
                self.assertEqual(caught.exception.problems, expected)
                self.assertEqual(str(caught.exception), "\n".join(expected))
                self.assertRegex(expected[0], rf"^{bad}:\d+:\d+: ")
            self.assertEqual(sorted(os.listdir(tmp)), ["bad.toml"], "nothing may be written")

    def test_toml_text_is_a_scenario_too(self):
        info = mppmc.validate(mt.MINIMAL_SCENARIO)
        self.assertEqual(info["name"], "minimal")
        with self.assertRaises(mppmc.InputError) as caught:
            mppmc.validate(mt.MINIMAL_SCENARIO.replace("grant_rate = 0.7", "grant_rate = 1.7"))
        self.assertRegex(caught.exception.problems[0], r"^<string>/scenario.toml:\d+:\d+: ind\.nareis\.grant_rate")

    def test_settings_are_checked(self):
        for settings, fragment in (({"pathz": 10}, "unknown setting 'pathz'; did you mean 'paths'?"),
                                   ({"sampling": "grid"}, "sampling = 'grid': must be mc, lhs or sobol"),
                                   ({"percentiles": [50, 10]}, "strictly increasing"),
                                   ({"band": [5, 50]}, "three percentiles"),
                                   ({"paths": 0}, "paths = 0: must be in [1, 4294967295]")):
            with self.subTest(settings=settings):
                with self.assertRaises(mppmc.InputError) as caught:
                    mppmc.run(mt.SMALL, **settings)
                self.assertIn(fragment, str(caught.exception))

    def test_a_setting_of_the_wrong_type_is_a_type_error(self):
        with self.assertRaisesRegex(TypeError, r"^paths = 1\.5: wrong type$"):
            mppmc.run(mt.SMALL, paths=1.5)

    def test_percentiles_and_band_go_over_the_config(self):
        results = mppmc.run(mt.SMALL, paths=500, seed=SEED, percentiles=[10, 50, 90], band=[10, 50, 90])
        ds = results["annual/total_inflow"]
        self.assertEqual(list(ds["percentile"].values), [10.0, 50.0, 90.0])
        same_bits(self, ds["quantiles"].values, ds["band"].values, "band = the same percentiles")


class CalibrateAndSensitivity(unittest.TestCase):
    def test_calibrate_gives_the_cli_file_and_numbers(self):
        with tempfile.TemporaryDirectory(prefix="mppmc-python-cal-") as tmp:
            out = Path(tmp) / "calibrated.toml"
            mt.mppmc("calibrate", mt.SMALL, "--year", 2026, "--band", "30000,45000,60000", "-o", out,
                     "--paths", 5000, "--seed", SEED, env=EPOCH, check=0)
            old = os.environ.get("SOURCE_DATE_EPOCH")
            os.environ.update(EPOCH)
            try:
                calibration = mppmc.calibrate(mt.SMALL, 2026, (30000, 45000, 60000), paths=5000, seed=SEED)
            finally:
                if old is None:
                    del os.environ["SOURCE_DATE_EPOCH"]
                else:
                    os.environ["SOURCE_DATE_EPOCH"] = old
            self.assertEqual(calibration.toml, out.read_text())
            self.assertEqual(calibration.summary["year"], 2026)
            self.assertEqual(len(calibration.summary["achieved"]), 3)
            self.assertIn(calibration.summary["entry"], out.read_text())

    def test_sensitivity_gives_the_cli_file(self):
        with tempfile.TemporaryDirectory(prefix="mppmc-python-sens-") as tmp:
            out = Path(tmp) / "sens.h5"
            mt.mppmc("sensitivity", STUDY, "--samples", 32, "--bootstrap", 20, "-o", out, "-q", check=0)
            indices = mppmc.sensitivity(STUDY, samples=32, bootstrap=20, threads=2)
            with h5py.File(out, "r") as h5:
                # The inputs' readable labels are in the file only (the module returns code names).
                found = {k: v for k, v in datasets(h5).items() if not k.endswith("/labels")}
                for path, expected in found.items():
                    group, variable = path.rsplit("/", 1)
                    ds = indices[group]
                    got = ds.coords["input"].values if variable == "inputs" else ds[variable].values
                    if expected.dtype.kind in "OS":
                        self.assertEqual([text(v) for v in expected], [text(v) for v in got], path)
                    else:
                        same_bits(self, expected, got, path)
                for output in indices.outputs:
                    self.assertEqual(h5[f"tornado/{output}"].attrs["base_output"],
                                     indices[f"tornado/{output}"].attrs["base_output"])
                    self.assertEqual(h5[f"sensitivity/{output}"].attrs["output_variance"],
                                     indices[f"sensitivity/{output}"].attrs["output_variance"])
            self.assertEqual(len(found), 4 * (5 + 6))
            self.assertEqual(set(indices.to_dataframe()["output"]), set(indices.outputs))


if __name__ == "__main__":
    unittest.main()
