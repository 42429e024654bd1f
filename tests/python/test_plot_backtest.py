"""scripts/plot_backtest.py (the fan chart of a backtest beside the published bands), run as a user
would on a small backtest written here by `mppmc backtest` (origins 2019-2021, 500 paths) and a
small `mppmc run` of the shipped scenario. Checks real PNGs, the default file name, the model
chosen by default against the mean CRPS computed here from the file's scored periods, and the
bad-input errors (exit 2, one line on stderr, nothing written).

Run: MPPMC_BIN=build/mppmc /usr/bin/python3 -m unittest -v tests/python/test_plot_backtest.py
"""
import importlib.util
import sys
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

PLOT = mt.SOURCE_DIR / "scripts" / "plot_backtest.py"
BANDS = mt.SOURCE_DIR / "scenarios" / "data" / "mpp_bands.csv"


class PlotBacktest(mt.ScriptResults, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp("mppmc-backtest-plot-")
        cls.backtest = tmp / "bt.h5"
        mt.mppmc("backtest", "--origins", "2019-2021", "--paths", "500", "--published", BANDS, "-o", cls.backtest,
                 "-q", check=0)
        cls.results_file = mt.run_results(mt.DEFAULT_SCENARIO, tmp / "run.h5", "--paths", "500")
        b, r = str(cls.backtest), str(cls.results_file)
        cls.jobs = {
            "default": [b],
            "named": [b, "--model", "expert", "--results", r, "--published", str(BANDS), "--horizon", "2",
                      "-o", "fan.png"],
            "first": [b, "--series", "inflow_first", "-o", "first.png"],
            "e_missing": [str(tmp / "no-such.h5"), "-o", "x.png"],
            "e_schema": [r, "-o", "x.png"],
            "e_model": [b, "--model", "arima", "-o", "x.png"],
            "e_horizon": [b, "--horizon", "4", "-o", "x.png"],
            "e_png": [b, "-o", "x.jpg"],
        }
        cls.run_script(PLOT, cls.jobs)

    def test_default_name_and_charts(self):
        self.assert_png(self.written("default", "bt_fan.png"))
        self.assert_png(self.written("named", "fan.png"))
        self.assert_png(self.written("first", "first.png"))

    def test_default_model_has_the_lowest_mean_crps(self):
        crps = {}
        with h5py.File(self.backtest) as f:
            for model, group in f["models"].items():
                periods = group["skill/periods"]
                keep = periods["series"].asstr()[:] == "total_inflow"
                crps[model] = float(np.mean(periods["crps"][:][keep]))
        spec = importlib.util.spec_from_file_location("plot_backtest", PLOT)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        chosen, reason = module.best_model(module.read_backtest(self.backtest), "total_inflow")
        self.assertEqual(chosen, min(crps, key=crps.get))  # every model ran at every origin here
        self.assertIn("lowest mean CRPS", reason)

    def test_errors(self):
        self.assert_one_line_error("e_missing", "not found")
        self.assert_one_line_error("e_schema", "not an mppmc backtest file")
        self.assert_one_line_error("e_model", "arima", "random-walk")
        self.assert_one_line_error("e_horizon", "--horizon 4")
        self.assert_one_line_error("e_png", ".png")


if __name__ == "__main__":
    unittest.main()
