"""The shipped default scenario (scenarios/mpp-2024-II.toml) reproduces the published MPP 2024-II
asylum inflow band for 2025: 37,600 (minimum), 57,600 (medio), 66,700 (maximum), read as the
5th / 50th / 95th percentiles of total_inflow (model-spec.md, background; config/default.toml).

Run: /usr/bin/python3 -m unittest -v tests/python/test_default_band.py
"""
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

N_PATHS = 20000  # the relative standard error of p5/p95 at 20000 paths is well below 1%
PUBLISHED_2025 = {"min": 37600.0, "medio": 57600.0, "max": 66700.0}
REL_TOL = 0.10


class DefaultScenarioBand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-band-")
        out = mt.run_results(mt.DEFAULT_SCENARIO, Path(cls._tmp.name) / "mpp.h5", "--config", mt.DEFAULT_CONFIG,
                             "--paths", N_PATHS)
        cls.h5 = h5py.File(out, "r")

    @classmethod
    def tearDownClass(cls):
        cls.h5.close()
        cls._tmp.cleanup()

    def test_band_percentiles_are_5_50_95(self):
        attrs = self.h5["band"].attrs
        self.assertEqual((float(attrs["min_percentile"]), float(attrs["medio_percentile"]),
                          float(attrs["max_percentile"])), mt.DEFAULT_BAND)

    def test_2025_is_a_full_year(self):
        years = [int(y) for y in self.h5["time/year"][()]]
        self.assertIn(2025, years)
        self.assertEqual(int(self.h5["time/months_in_year"][years.index(2025)]), 12)

    def test_2025_total_inflow_band_matches_the_published_band(self):
        years = [int(y) for y in self.h5["time/year"][()]]
        band = self.h5["annual/total_inflow/band"][()][:, years.index(2025)]
        for (label, published), value in zip(PUBLISHED_2025.items(), band):
            with self.subTest(band=label):
                self.assertLessEqual(abs(value - published) / published, REL_TOL,
                                     f"2025 total_inflow {label}: simulated {value:,.0f} vs published {published:,.0f}")
        self.assertTrue(band[0] < band[1] < band[2], f"band not increasing: {band}")

    def test_band_is_ordered_every_year_and_series(self):
        for series in mt.ALL_SERIES:
            with self.subTest(series=series):
                band = self.h5[f"annual/{series}/band"][()]
                self.assertTrue(np.all(np.diff(band, axis=0) >= 0), f"{series}: band rows not ordered")


if __name__ == "__main__":
    unittest.main()
