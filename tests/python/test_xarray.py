"""Results and sensitivity files describe their own dimensions (schema 2, docs/hdf5-schema.md,
"Dimensions"): every group opens with xarray (h5netcdf) without phony dimensions, every axis
has its name, the labelled ones their coordinates (the file's months, years, percentiles, band
statistics, inputs, interval bounds), every variable has units and long_name, and netCDF-C's
ncdump reads the file.

Skipped (exit 77) where xarray or h5netcdf is not installed (Debian: python3-xarray,
python3-h5netcdf; scripts/setup.sh).

Run: /usr/bin/python3 -m unittest -v tests/python/test_xarray.py
"""
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

try:
    import h5netcdf  # noqa: F401
    import xarray
except ImportError:  # the whole file is skipped
    xarray = None

BAND_LABELS = ["min", "medio", "max"]
BOUND_LABELS = ["lower", "upper"]

# A small study on small.toml: an annual and a monthly output, both methods.
STUDY = """\
[study]
scenario = "{scenario}"
methods = ["tornado", "sobol"]
samples = 32
sampling = "sobol"
bootstrap = 20
confidence = 0.9
seed = 7

[[output]]
series = "coa_occupancy"
year = 2026

[[output]]
series = "total_inflow"
month = "2025-08"
"""


def groups_of(path):
    """Every group of an HDF5 file, "/" first."""
    names = ["/"]
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Group) else None)
    return names


def strings(values):
    return [v.decode() if isinstance(v, bytes) else str(v) for v in np.asarray(values).ravel()]


@unittest.skipIf(xarray is None, "xarray or h5netcdf is not installed")
class LabelledGroups(mt.FolderPerClass, unittest.TestCase):
    """Opens every group of the files with xarray and checks each variable against h5py."""
    TMP_PREFIX = "mppmc-xarray-"

    @classmethod
    def setUpClass(cls):
        mt.require_binary()
        super().setUpClass()
        tmp = cls.tmp
        cls.results = tmp / "run.h5"
        mt.mppmc("run", mt.SMALL, mt.VARIANT, "--paths", "200", "--save-paths", "-q", "-o", cls.results, check=0)
        study = tmp / "study.toml"
        study.write_text(STUDY.format(scenario=mt.SMALL))
        cls.sensitivity = tmp / "study.h5"
        mt.mppmc("sensitivity", study, "-q", "-o", cls.sensitivity, check=0)

    def check_group(self, f, group, expected_axes):
        """Opens `group` with xarray and checks every variable: its dimensions name a known axis,
        the labelled axes carry the expected coordinates, it has units and long_name, and its
        values are the file's. Returns the dataset's variable names."""
        with xarray.open_dataset(self.path, engine="h5netcdf", group=group) as ds:
            for dim, size in ds.sizes.items():
                self.assertIn(dim, expected_axes, f"{group}: unknown dimension {dim}")
                labels = expected_axes[dim]
                if labels is None:  # an index without values (path)
                    self.assertNotIn(dim, ds.coords, f"{group}: {dim} has values")
                    self.assertEqual(size, f.attrs["n_paths"], f"{group}: {dim}")
                    continue
                self.assertIn(dim, ds.coords, f"{group}: {dim} has no coordinate")
                coordinate = ds.coords[dim].values
                if isinstance(labels[0], str):
                    self.assertEqual(strings(coordinate), list(labels), f"{group}: {dim}")
                else:
                    np.testing.assert_array_equal(coordinate, labels, err_msg=f"{group}: {dim}")
            for name, variable in ds.variables.items():
                self.assertTrue(variable.attrs.get("units"), f"{group}/{name}: no units")
                self.assertTrue(variable.attrs.get("long_name"), f"{group}/{name}: no long_name")
                stored = f[group][name][()] if group != "/" else f[name][()]
                if variable.dtype.kind in "fi":
                    np.testing.assert_array_equal(variable.values, stored, err_msg=f"{group}/{name}")
            return set(ds.variables), {name: ds[name].dims for name in ds.variables}

    def test_every_group_of_a_results_file(self):
        self.path = self.results
        with h5py.File(self.results, "r") as f:
            time = {
                "month": strings(f["time/month"].asstr()[:]),
                "year": f["time/year"][:].tolist(),
                "percentile": f["percentiles"][:].tolist(),
                "statistic": BAND_LABELS,
                "path": None,
            }
            self.assertEqual(f.attrs["schema_version"], 2)
            self.assertEqual(len(time["percentile"]), len(mt.DEFAULT_PERCENTILES))
            opened = set()
            for group in groups_of(self.results):
                axes = dict(time)
                parts = group.split("/")
                if parts[-1] == "inputs":
                    axes["input"] = strings(f[group]["names"].asstr()[:])
                names, dims = self.check_group(f, group, axes)
                opened.add(group)
                for name, d in dims.items():
                    if name in ("quantiles", "band", "mean", "std"):
                        period = "year" if "annual" in parts else "month"
                        first = {"quantiles": ("percentile",), "band": ("statistic",)}.get(name, ())
                        self.assertEqual(d, first + (period,), f"{group}/{name}")
                    elif name == "samples":
                        self.assertEqual(d, ("path", "input"), f"{group}/{name}")
                    elif parts[-1] == "paths" and name in mt.ALL_SERIES:
                        self.assertEqual(d, ("path", "month"), f"{group}/{name}")
                if len(parts) >= 2 and parts[-2] in ("annual", "monthly"):
                    self.assertEqual(names & {"quantiles", "band", "mean", "std"}, {"quantiles", "band", "mean", "std"})
        for group in ("annual/total_inflow", "monthly/total_inflow", "variants/variant/annual/total_inflow",
                      "compare/variant/annual/total_inflow", "compare/variant/monthly/cost_total", "inputs",
                      "variants/variant/inputs", "paths", "variants/variant/paths", "time"):
            self.assertIn(group, opened)

    def test_every_group_of_a_sensitivity_file(self):
        self.path = self.sensitivity
        with h5py.File(self.sensitivity, "r") as f:
            self.assertEqual(f.attrs["schema_version"], 2)
            outputs = 0
            for group in groups_of(self.sensitivity):
                axes = {"bound": BOUND_LABELS}
                if group != "/" and group.count("/") == 1:  # sensitivity/<output> or tornado/<output>
                    axes["input"] = strings(f[group]["inputs"].asstr()[:])
                    outputs += 1
                _, dims = self.check_group(f, group, axes)
                for name, d in dims.items():
                    if name.endswith("_ci"):
                        self.assertEqual(d, ("bound", "input"), f"{group}/{name}")
                    elif name not in ("bound",):
                        self.assertEqual(d, ("input",), f"{group}/{name}")
            self.assertEqual(outputs, 4)  # 2 outputs, sobol and tornado

    def test_ncdump_names_every_dimension(self):
        if not shutil.which("ncdump"):
            self.skipTest("ncdump (netcdf-bin) is not installed")
        for path, expected in ((self.results, ["month = 30 ;", "year = 3 ;", "percentile = 7 ;", "statistic = 3 ;",
                                               "path = 200 ;", "double quantiles(percentile, year) ;",
                                               "float total_inflow(path, month) ;"]),
                               (self.sensitivity, ["bound = 2 ;", "double first_order_ci(bound, input) ;"])):
            with self.subTest(path=path.name):
                proc = subprocess.run(["ncdump", "-h", str(path)], capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 0, proc.stderr)
                self.assertNotIn("phony_dim", proc.stdout)
                for text in expected:
                    self.assertIn(text, proc.stdout)


if __name__ == "__main__":
    unittest.main()
