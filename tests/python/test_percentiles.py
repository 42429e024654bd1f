"""The statistics in a results file against NumPy recomputing them from the saved paths:
percentiles (Hyndman-Fan type 7 = numpy.percentile's default "linear"), means, standard
deviations, the annual aggregation of every path and the band.

The saved paths (/paths/<series>) are float32 copies of the doubles that mppmc summarised, so the
comparison allows float32 rounding (relative ~6e-8 per value) with margin: rtol 1e-5 monthly,
1e-4 annual (sums of up to 12 rounded values).

Run: /usr/bin/python3 -m unittest -v tests/python/test_percentiles.py
"""
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

N_PATHS = 3000
SEED = 4242
MONTHLY_RTOL = 1e-5
ANNUAL_RTOL = 1e-4


class PercentilesFromSavedPaths(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-pct-")
        out = mt.run_results(mt.SMALL, Path(cls._tmp.name) / "small.h5", "--paths", N_PATHS, "--seed", SEED,
                             "--save-paths")
        cls.h5 = h5py.File(out, "r")
        cls.percentiles = cls.h5["percentiles"][()]
        cls.months = mt.decode(cls.h5["time/month"][()])
        cls.paths = {s: cls.h5["paths/" + s][()] for s in mt.ALL_SERIES}

    @classmethod
    def tearDownClass(cls):
        cls.h5.close()
        cls._tmp.cleanup()

    def atol_for(self, paths):
        # float32 rounding is relative to the magnitude of the values, also where the spread or
        # a percentile is near zero: allow 1e-6 of the series' largest magnitude.
        return 1e-6 * max(1.0, float(np.max(np.abs(paths))))

    def test_run_settings_recorded(self):
        self.assertEqual(int(self.h5.attrs["n_paths"]), N_PATHS)
        self.assertEqual(int(self.h5.attrs["seed"]), SEED)
        self.assertEqual(self.h5.attrs["sampling"], "mc")
        self.assertEqual(self.h5.attrs["quantile_method"], "exact")
        np.testing.assert_array_equal(self.percentiles, mt.DEFAULT_PERCENTILES)
        self.assertEqual(self.percentiles.dtype, np.float64)

    def test_saved_paths_shape_and_type(self):
        T = len(self.months)
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                p = self.paths[series]
                self.assertEqual(p.shape, (N_PATHS, T))
                self.assertEqual(p.dtype, np.float32)
                self.assertTrue(np.all(np.isfinite(p)))
                # Every model quantity is a count of people, places or euros: never negative.
                self.assertGreaterEqual(float(p.min()), 0.0)

    def test_monthly_quantiles_mean_std(self):
        T = len(self.months)
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                values = self.paths[series].astype(np.float64)
                atol = self.atol_for(values)
                g = self.h5["monthly/" + series]
                q = g["quantiles"][()]
                self.assertEqual(q.shape, (len(self.percentiles), T))
                expected = np.percentile(values, self.percentiles, axis=0)
                np.testing.assert_allclose(q, expected, rtol=MONTHLY_RTOL, atol=atol,
                                           err_msg=f"monthly/{series}/quantiles")
                np.testing.assert_allclose(g["mean"][()], values.mean(axis=0), rtol=MONTHLY_RTOL, atol=atol,
                                           err_msg=f"monthly/{series}/mean")
                np.testing.assert_allclose(g["std"][()], values.std(axis=0, ddof=0), rtol=MONTHLY_RTOL,
                                           atol=atol, err_msg=f"monthly/{series}/std")
                # Quantiles are non-decreasing in the percentile.
                self.assertTrue(np.all(np.diff(q, axis=0) >= 0), f"monthly/{series}: quantiles not sorted")

    def test_annual_quantiles_mean_std(self):
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                kind = mt.kind_of(series)
                years, annual = mt.annual_from_monthly(self.paths[series].astype(np.float64), self.months, kind)
                self.assertEqual([int(y) for y in self.h5["time/year"][()]], years)
                atol = self.atol_for(annual)
                g = self.h5["annual/" + series]
                q = g["quantiles"][()]
                self.assertEqual(q.shape, (len(self.percentiles), len(years)))
                np.testing.assert_allclose(q, np.percentile(annual, self.percentiles, axis=0), rtol=ANNUAL_RTOL,
                                           atol=atol, err_msg=f"annual/{series}/quantiles")
                np.testing.assert_allclose(g["mean"][()], annual.mean(axis=0), rtol=ANNUAL_RTOL, atol=atol,
                                           err_msg=f"annual/{series}/mean")
                np.testing.assert_allclose(g["std"][()], annual.std(axis=0, ddof=0), rtol=ANNUAL_RTOL, atol=atol,
                                           err_msg=f"annual/{series}/std")

    def test_band_is_the_configured_percentiles(self):
        attrs = self.h5["band"].attrs
        band_pct = [float(attrs["min_percentile"]), float(attrs["medio_percentile"]), float(attrs["max_percentile"])]
        self.assertEqual(band_pct, list(mt.DEFAULT_BAND))
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                years, annual = mt.annual_from_monthly(self.paths[series].astype(np.float64), self.months,
                                                       mt.kind_of(series))
                g = self.h5["annual/" + series]
                band = g["band"][()]
                self.assertEqual(band.shape, (3, len(years)))
                np.testing.assert_allclose(band, np.percentile(annual, band_pct, axis=0), rtol=ANNUAL_RTOL,
                                           atol=self.atol_for(annual), err_msg=f"annual/{series}/band")
                # The band's rows are the same statistics as the quantiles rows at those percentiles.
                q = g["quantiles"][()]
                for row, pct in enumerate(band_pct):
                    k = int(np.nonzero(self.percentiles == pct)[0][0])
                    np.testing.assert_allclose(band[row], q[k], rtol=1e-12, atol=0,
                                               err_msg=f"annual/{series}/band[{row}] vs quantiles[{k}]")

    def test_input_samples(self):
        names = mt.decode(self.h5["inputs/names"][()])
        samples = self.h5["inputs/samples"][()]
        self.assertGreater(len(names), 0)
        self.assertEqual(len(set(names)), len(names), "input names are not unique")
        self.assertEqual(samples.shape, (N_PATHS, len(names)))
        self.assertEqual(samples.dtype, np.float64)
        self.assertTrue(np.all(np.isfinite(samples)))
        # Inputs that small.toml gives a distribution vary across paths.
        for name in ["inflow.repeat_ratio", "ind.asylum.grant_rate", "coa.uptake", "departure.monthly_rate"]:
            with self.subTest(input=name):
                self.assertIn(name, names)
                column = samples[:, names.index(name)]
                self.assertGreater(float(column.std()), 0.0)
        # Support of a few distributions from small.toml, and their medians (Q(0.5)) roughly.
        col = samples[:, names.index("inflow.repeat_ratio")]  # uniform 0.04..0.08
        self.assertTrue(np.all((col >= 0.04) & (col <= 0.08)))
        self.assertAlmostEqual(float(np.median(col)), 0.06, delta=0.002)
        col = samples[:, names.index("departure.monthly_rate")]  # uniform 0.04..0.10
        self.assertTrue(np.all((col >= 0.04) & (col <= 0.10)))
        col = samples[:, names.index("ind.asylum.grant_rate")]  # beta(30, 20)
        self.assertAlmostEqual(float(col.mean()), 0.6, delta=0.01)

    def test_paths_satisfy_conservation(self):
        # Contract: Δ ind_asylum_backlog = asylum_in − decisions on every path and month. The
        # initial backlog of small.toml is 40000; float32 paths allow ~1e-6 relative error.
        first = self.paths["inflow_first"].astype(np.float64)
        repeat = self.paths["inflow_repeat"].astype(np.float64)
        decisions = self.paths["ind_asylum_decisions"].astype(np.float64)
        backlog = self.paths["ind_asylum_backlog"].astype(np.float64)
        expected = 40000.0 + np.cumsum(first + repeat - decisions, axis=1)
        np.testing.assert_allclose(backlog, expected, rtol=1e-5, atol=1.0)
        arrivals = self.paths["nareis_arrivals"].astype(np.float64)
        total = self.paths["total_inflow"].astype(np.float64)
        np.testing.assert_allclose(total, first + repeat + arrivals, rtol=1e-5, atol=1e-3)
        # Δ coa_occupancy = uptake·asylum_in + nareis_uptake·nareis_arrivals − left − housed − departures,
        # with the path's coa.uptake from /inputs/samples, nareis_uptake = 0.5 and an initial
        # occupancy of 30000 + 15000 + 6000 (small.toml).
        names = mt.decode(self.h5["inputs/names"][()])
        uptake = self.h5["inputs/samples"][()][:, names.index("coa.uptake")][:, None]
        outflow = sum(self.paths[s].astype(np.float64) for s in ("left_in_procedure", "housed", "departures"))
        expected = 51000.0 + np.cumsum(uptake * (first + repeat) + 0.5 * arrivals - outflow, axis=1)
        np.testing.assert_allclose(self.paths["coa_occupancy"].astype(np.float64), expected, rtol=1e-5, atol=1.0)


class CustomConfig(unittest.TestCase):
    """Percentiles and a band from a --config file that are not the defaults; the band's
    percentiles are not among the listed ones, and the config's paths and seed are used."""

    CONFIG = """\
[run]
paths = 1500
seed = 31

[statistics]
percentiles = [1, 33.3, 50, 99.9]

[band]
min_percentile = 2.5
medio_percentile = 50
max_percentile = 97.5
"""

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-pct-config-")
        config = Path(cls._tmp.name) / "config.toml"
        config.write_text(cls.CONFIG)
        out = mt.run_results(mt.SMALL, Path(cls._tmp.name) / "small.h5", "--config", config, "--save-paths")
        cls.h5 = h5py.File(out, "r")
        cls.months = mt.decode(cls.h5["time/month"][()])

    @classmethod
    def tearDownClass(cls):
        cls.h5.close()
        cls._tmp.cleanup()

    def test_settings_from_the_config(self):
        self.assertEqual(int(self.h5.attrs["n_paths"]), 1500)
        self.assertEqual(int(self.h5.attrs["seed"]), 31)
        np.testing.assert_array_equal(self.h5["percentiles"][()], [1, 33.3, 50, 99.9])
        attrs = self.h5["band"].attrs
        self.assertEqual([float(attrs[k]) for k in ("min_percentile", "medio_percentile", "max_percentile")],
                         [2.5, 50.0, 97.5])

    def test_quantiles_and_band(self):
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                paths = self.h5["paths/" + series][()].astype(np.float64)
                atol = 1e-6 * max(1.0, float(np.max(np.abs(paths))))
                np.testing.assert_allclose(self.h5[f"monthly/{series}/quantiles"][()],
                                           np.percentile(paths, [1, 33.3, 50, 99.9], axis=0), rtol=MONTHLY_RTOL,
                                           atol=atol)
                _, annual = mt.annual_from_monthly(paths, self.months, mt.kind_of(series))
                atol = 1e-6 * max(1.0, float(np.max(np.abs(annual))))
                g = self.h5["annual/" + series]
                np.testing.assert_allclose(g["quantiles"][()], np.percentile(annual, [1, 33.3, 50, 99.9], axis=0),
                                           rtol=ANNUAL_RTOL, atol=atol)
                np.testing.assert_allclose(g["band"][()], np.percentile(annual, [2.5, 50, 97.5], axis=0),
                                           rtol=ANNUAL_RTOL, atol=atol)


if __name__ == "__main__":
    unittest.main()
