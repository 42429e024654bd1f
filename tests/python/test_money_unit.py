"""The money rule (docs/cli.md, "Money units"), implemented once per language: Python in
scripts/mppmc_plotting.py (charts, report.py), C++ in core/money_unit.h (the terminal tables,
tested in tests/core/test_money_unit.cpp with the same cases). Here: the Python rule's known
answers, and the C++ rule as `mppmc info` prints it agreeing with the Python rule on a run.

Run: /usr/bin/python3 -m unittest -v tests/python/test_money_unit.py
"""
import math
import re
import sys
import tempfile
import unittest
from pathlib import Path

import h5py

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

sys.path.insert(0, str(mt.SOURCE_DIR / "scripts"))
import mppmc_plotting as mp  # noqa: E402

# (medio, unit name, decimals): the cases of tests/core/test_money_unit.cpp.
CASES = [(0, "EUR", 0), (999.99, "EUR", 0), (1000, "EUR thousand", 1), (-250000, "EUR thousand", 1),
         (999999, "EUR thousand", 1), (1e6, "EUR m", 1), (4.97e8, "EUR m", 1), (5.05e9, "EUR bn", 2),
         (-3e12, "EUR bn", 2), (math.nan, "EUR", 0)]


class PythonRule(unittest.TestCase):
    def test_known_answers(self):
        for medio, name, decimals in CASES:
            with self.subTest(medio=medio):
                divisor, got, got_decimals = mp.money_unit(medio)
                self.assertEqual((got, got_decimals), (name, decimals))
                self.assertEqual(divisor, {"EUR": 1.0, "EUR thousand": 1e3, "EUR m": 1e6, "EUR bn": 1e9}[name])

    def test_scaled_unit_and_amounts(self):
        self.assertEqual(mp.scaled_unit("EUR/year", mp.money_unit(5e9)), "EUR bn/year")
        self.assertEqual(mp.scaled_unit("persons", mp.money_unit(5e9)), "persons")
        self.assertEqual(mp.unit_for("persons", 5e9), (1.0, "persons", 0))
        self.assertEqual(mp.format_amount(4973912.44, (1.0, "EUR", 1)), "4,973,912.4")
        self.assertEqual(mp.format_amount(-0.001, (1.0, "EUR", 1)), "0.0")
        self.assertEqual(mp.format_value(5.05e9, "EUR/year"), "5.05 EUR bn")


class TerminalTableAgrees(unittest.TestCase):
    def test_info_prints_cost_in_the_rule_unit(self):
        with tempfile.TemporaryDirectory(prefix="mppmc-money-") as tmp:
            h5 = mt.run_results(mt.SMALL, Path(tmp) / "run.h5", "--paths", 200, "--seed", 3)
            info = mt.mppmc("info", h5, check=0).stdout
            with h5py.File(h5, "r") as f:
                band = f["annual/cost_total/band"][:]
                years = [f"{y}{'*' if n < 12 else ''}" for y, n in zip(f["time/year"][:], f["time/months_in_year"][:])]
            money = mp.money_unit(max(abs(v) for v in band[1]))
            rows = [line.split() for line in info.splitlines() if line.startswith("cost_total ")]
            self.assertEqual(len(rows), len(years))
            for row, year, j in zip(rows, years, range(len(years))):
                # cost_total, "EUR", "bn/year", year, min, medio, max (the unit holds one space)
                self.assertEqual(" ".join(row[1:3]), mp.scaled_unit("EUR/year", money))
                self.assertEqual(row[3], year)
                self.assertEqual(row[4:7], [mp.format_amount(band[k][j], money) for k in range(3)])
            self.assertIsNotNone(re.search(r"EUR (thousand|m|bn)/year", info))


if __name__ == "__main__":
    unittest.main()
