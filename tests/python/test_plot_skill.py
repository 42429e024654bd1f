"""scripts/plot_skill.py (realised values against the bands, and the PIT histogram, from the tidy
scores CSV of `mppmc score`), run as a user would. The scores CSV is written here from
scenarios/data/mpp_bands.csv with the formulas of docs/forecast-skill.md computed in Python (band
min / max as the 5th / 95th percentiles), so the test does not depend on the mppmc binary.
Checks real PNGs, the printed path, the default file name and the bad-input errors (exit 2, one
line on stderr, nothing written).

Run: /usr/bin/python3 -m unittest -v tests/python/test_plot_skill.py
"""
import csv
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

PLOT_SKILL = mt.SOURCE_DIR / "scripts" / "plot_skill.py"
BANDS = mt.SOURCE_DIR / "scenarios" / "data" / "mpp_bands.csv"
HEADER = "kind,group,forecast,series,period,horizon,method,statistic,value"


def scores_csv(path):
    """The published bands' scores as `mppmc score` writes them (the statistics the chart reads)."""
    lines, scored = [HEADER], []
    with open(BANDS, newline="") as f:
        for r in csv.DictReader(f):
            if not r["realised"]:
                continue
            low, high, y = float(r["minimum"]), float(r["maximum"]), float(r["realised"])
            medio = r["medio"]
            # PIT: linear CDF between the stored levels (5, [50,] 95); the two misses lie below the
            # band, where the chart only needs a value under 0.05.
            levels = [(0.05, low)] + ([(0.5, float(medio))] if medio else []) + [(0.95, high)]
            pit = 0.01
            for (p0, q0), (p1, q1) in zip(levels, levels[1:]):
                if q0 <= y <= q1:
                    pit = p0 + (p1 - p0) * (y - q0) / (q1 - q0)
            interval = (high - low) + 20 * max(low - y, 0) + 20 * max(y - high, 0)
            covered = int(low <= y <= high)
            scored.append((covered, interval))
            prefix = f"period,published,{r['edition']},total_inflow,{r['target_year']},0,quantiles,"
            for name, value in [("realised", y), ("band_low", low), ("medio", medio), ("band_high", high),
                                ("band_nominal", 0.9), ("pit", pit), ("covered_band", covered),
                                ("interval_score", interval)]:
                lines.append(f"{prefix}{name},{value}")
    n = len(scored)
    for name, value in [("count", n), ("coverage_90", sum(c for c, _ in scored) / n),
                        ("coverage_band", sum(c for c, _ in scored) / n), ("band_nominal", 0.9),
                        ("mean_interval_score", sum(i for _, i in scored) / n)]:
        lines.append(f"summary,published,,total_inflow,,all,,{name},{value}")
    Path(path).write_text("\n".join(lines) + "\n")
    return scored


class PlotSkill(mt.ScriptResults, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp("mppmc-skill-plot-")
        cls.scores = tmp / "scores.csv"
        cls.scored = scores_csv(cls.scores)
        wrong = tmp / "wrong.csv"
        wrong.write_text("series,period,value\ntotal_inflow,2024,45640\n")
        scores = str(cls.scores)
        cls.jobs = {
            "default": [scores],
            "named": [scores, "--series", "total_inflow", "-o", "published.png"],
            "e_missing": [str(tmp / "no-such.csv"), "-o", "x.png"],
            "e_header": [str(wrong), "-o", "x.png"],
            "e_series": [scores, "--series", "coa_occupancy", "-o", "x.png"],
            "e_png": [scores, "-o", "x.jpg"],
        }
        cls.run_script(PLOT_SKILL, cls.jobs)

    def test_the_known_answer_behind_the_chart(self):
        # Issue 12: read as 90% intervals the four scored editions held 2 of 4, mean interval
        # score about 60,300 persons.
        self.assertEqual(len(self.scored), 4)
        self.assertEqual(sum(c for c, _ in self.scored), 2)
        self.assertAlmostEqual(sum(i for _, i in self.scored) / 4, 60265.0)

    def test_default_name(self):
        self.assert_png(self.written("default", "scores_skill.png"))

    def test_named_series_and_output(self):
        self.assert_png(self.written("named", "published.png"))

    def test_errors(self):
        self.assert_one_line_error("e_missing", "not found")
        self.assert_one_line_error("e_header", "not a scores CSV")
        self.assert_one_line_error("e_series", "coa_occupancy", "total_inflow")
        self.assert_one_line_error("e_png", ".png")


if __name__ == "__main__":
    unittest.main()
