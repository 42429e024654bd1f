"""Charts with context (docs/cli.md, "Charts and reports"): scripts/plot_fan.py with the realised
history (--history), a published band (--published, --edition) and the fan of a variant's
path-wise effect (--effect); one median entry in the legend; one money unit per chart, named on
the axis; report.py --html as one self-contained page. Checks the matplotlib objects of the
drawn figure (legend texts, axis label, the plotted history) and real PNGs.

Run: /usr/bin/python3 -m unittest -v tests/python/test_plot_context.py
"""
import re
import sys
import unittest
from pathlib import Path
from unittest import mock

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

sys.path.insert(0, str(mt.SOURCE_DIR / "scripts"))
import plot_fan as pf  # noqa: E402

PLOT_FAN = mt.SOURCE_DIR / "scripts" / "plot_fan.py"
REPORT = mt.SOURCE_DIR / "scripts" / "report.py"
REALISED = mt.SOURCE_DIR / "scenarios" / "data" / "realised.csv"
BANDS = mt.SOURCE_DIR / "scenarios" / "data" / "mpp_bands.csv"


def drawn_figure(f, series, **options):
    """The matplotlib figure plot_fan draws (saving is replaced by capturing it)."""
    captured = {}

    def capture(fig, output, dpi):
        captured["fig"] = fig
        return Path(output)

    with mock.patch.object(pf, "save_png", capture):
        pf.plot_fan(f, series, "unused.png", **options)
    return captured["fig"]


def legend_texts(fig):
    return [t.get_text() for legend in fig.legends for t in legend.get_texts()]


class ChartContext(mt.ScriptResults, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp("mppmc-context-")
        cls.h5_path = mt.run_results(mt.SMALL, tmp / "run.h5", mt.VARIANT, "--paths", 400, "--seed", 11)
        cls.f = h5py.File(cls.h5_path, "r")
        cls.history = tmp / "history.csv"
        # 2023 and 2024 by quarters (summed to years for an annual flow), 2022 as a year, and the
        # months of 2024 for a monthly chart.
        rows = ["series,period,value", "total_inflow,2022,48000"]
        rows += [f"total_inflow,{y}-Q{q},{1000 * y - 2000000 + q}" for y in (2023, 2024) for q in (1, 2, 3, 4)]
        rows += [f"total_inflow,2025-{m:02d},{4000 + m}" for m in (1, 2)]
        rows += ["coa_occupancy,2024,99000"]
        cls.history.write_text("\n".join(rows) + "\n")
        h5 = str(cls.h5_path)
        cls.run_script(PLOT_FAN, {
            "context": [h5, "--series", "total_inflow", "--annual", "--no-variants", "--history", str(REALISED),
                        "--published", str(BANDS), "--edition", "2024-II", "-o", "context.png"],
            "effect": [h5, "--series", "coa_occupancy", "--annual", "--effect", "variant", "-o", "effect.png"],
            "e_edition": [h5, "--series", "total_inflow", "--annual", "--published", str(BANDS), "--edition",
                          "1999-I", "-o", "x.png"],
            "e_monthly_published": [h5, "--series", "total_inflow", "--published", str(BANDS), "-o", "x.png"],
            "e_effect": [h5, "--series", "coa_occupancy", "--annual", "--effect", "nope", "-o", "x.png"],
        })
        (tmp / "html").mkdir()
        cls.html_result = mt.run_at_once({"html": ([mt.PYTHON, REPORT, h5, "--html", "page.html"], tmp / "html")})

    @classmethod
    def tearDownClass(cls):
        cls.f.close()
        super().tearDownClass()

    def test_context_chart_is_written(self):
        self.assert_png(self.written("context", "context.png"))
        self.assert_png(self.written("effect", "effect.png"))

    def test_one_median_entry_in_the_legend(self):
        for annual in (True, False):
            with self.subTest(annual=annual):
                texts = legend_texts(drawn_figure(self.f, "coa_occupancy", annual=annual, variants=[]))
                self.assertEqual(len([t for t in texts if "median" in t]), 1, texts)
                self.assertEqual(len([t for t in texts if "p50" in t]), 1, texts)  # medio p50 is not listed again
                self.assertIn("min p5", texts)
                self.assertIn("max p95", texts)

    def test_axis_names_the_one_money_unit(self):
        band = self.f["annual/cost_total/band"][:]
        medio = np.max(np.abs(band[1]))
        expected = next((name for divisor, name in ((1e9, "EUR bn"), (1e6, "EUR m"), (1e3, "EUR thousand"))
                         if medio >= divisor), "EUR")
        fig = drawn_figure(self.f, "cost_total", annual=True)
        self.assertEqual(fig.axes[0].get_ylabel(), f"{expected}/year")
        fig = drawn_figure(self.f, "coa_occupancy", annual=True, variants=[])
        self.assertEqual(fig.axes[0].get_ylabel(), "persons")

    def test_history_and_published_band_are_drawn(self):
        history = pf.read_history(self.history, "total_inflow", True, "flow")
        self.assertEqual(history, [(2022, 48000.0), (2023, sum(23000 + q for q in range(1, 5))),
                                   (2024, sum(24000 + q for q in range(1, 5)))])
        self.assertEqual(pf.read_history(self.history, "coa_occupancy", True, "stock"), [(2024, 99000.0)])
        edition, bands = pf.read_published(BANDS, "total_asylum_inflow", "2024-II")
        self.assertEqual((edition, bands), ("2024-II", [(2025, 37600.0, 57600.0, 66700.0)]))
        fig = drawn_figure(self.f, "total_inflow", annual=True, variants=[], history=history,
                           published=(edition, bands))
        ax = fig.axes[0]
        drawn = [list(map(tuple, np.column_stack(line.get_data()))) for line in ax.get_lines()]
        self.assertIn([(float(y), v) for y, v in history], drawn)
        self.assertLessEqual(ax.get_xlim()[0], 2022)
        texts = legend_texts(fig)
        self.assertIn("realised", texts)
        self.assertTrue(any("published MPP 2024-II" in t for t in texts), texts)

    def test_monthly_history(self):
        history = pf.read_history(self.history, "total_inflow", False, "flow")
        self.assertEqual([v for _, v in history], [4001.0, 4002.0])

    def test_effect_fan_draws_the_compare_group(self):
        fig = drawn_figure(self.f, "coa_occupancy", annual=True, effect="variant")
        ax = fig.axes[0]
        self.assertEqual(ax.get_ylabel(), "change in persons")
        self.assertIn("effect of", fig._suptitle.get_text())
        band = self.f["compare/variant/annual/coa_occupancy/band"][:]
        markers = [line.get_ydata() for line in ax.get_lines() if line.get_linestyle() == "None"]
        self.assertTrue(any(np.array_equal(np.asarray(m, dtype=float), band[0]) for m in markers))

    def test_bad_context_input(self):
        self.assert_one_line_error("e_edition", "1999-I", "2024-II")
        self.assert_one_line_error("e_monthly_published", "--annual")
        self.assert_one_line_error("e_effect", "nope", "variant")

    def test_report_html_is_self_contained(self):
        rc, out, err = self.html_result["html"]
        self.assertEqual(rc, 0, err)
        page = (self.tmp / "html" / "page.html").read_text(encoding="utf-8")
        self.assertEqual(sorted(p.name for p in (self.tmp / "html").iterdir()), ["page.html"])
        self.assertEqual(page.count('src="data:image/png;base64,'), 5)
        self.assertIsNone(re.search(r'(src|href)="(?!data:)', page), "a link to another file")
        self.assertNotIn("http", page)
        self.assertIn("<table>", page)
        medio = self.f["annual/coa_occupancy/band"][1][0]
        self.assertIn(f">{medio:,.0f}<", page)


if __name__ == "__main__":
    unittest.main()
