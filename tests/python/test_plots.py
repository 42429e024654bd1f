"""The plotting scripts: scripts/plot_fan.py (a fan chart of one series) and scripts/report.py
(annual fan charts of the key series and summary.md), run as a user would on a small run with a
variant. Checks real PNGs (signature, IHDR size), that summary.md's band tables hold the file's
/annual/<series>/band values (read here with h5py and formatted independently of the scripts),
that the images it links exist, and the bad-input errors (exit 2, one line on stderr naming the
problem, nothing written).

Every script invocation is started at once in setUpClass (they are independent), so that the
suite takes seconds.

Run: /usr/bin/python3 -m unittest -v tests/python/test_plots.py
"""
import re
import subprocess
import sys
import unittest
from pathlib import Path

import h5py

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

PLOT_FAN = mt.SOURCE_DIR / "scripts" / "plot_fan.py"
REPORT = mt.SOURCE_DIR / "scripts" / "report.py"
N_PATHS = 400
SEED = 4242
KEY_SERIES = ["total_inflow", "ind_asylum_backlog", "ind_nareis_backlog", "coa_occupancy", "cost_total"]
COMPARE_SERIES = ["total_inflow", "ind_nareis_applications", "ind_asylum_backlog", "coa_occupancy", "cost_total"]
SCRIPT_TIMEOUT_S = 120


# The money rule, written out here (docs/cli.md, "Money units"): the largest of EUR, EUR
# thousand, EUR m, EUR bn that keeps the table's largest medio at or above 1.
MONEY = [(1e9, "EUR bn", 2), (1e6, "EUR m", 1), (1e3, "EUR thousand", 1)]


def table_unit(band, unit):
    """(divisor, decimals, unit as the header names it) of a table of `band` [3, years]."""
    if not unit.startswith("EUR"):
        return 1.0, 0, unit
    medio = max(abs(v) for v in band[1])
    for divisor, name, decimals in MONEY:
        if medio >= divisor:
            return divisor, decimals, name + unit[3:]
    return 1.0, 0, unit


def fmt(value, table):
    """The report's number format: the value in the table's unit with its decimals and thousands
    separators, no sign on a zero."""
    divisor, decimals, _ = table
    text = f"{value / divisor:,.{decimals}f}"
    return text[1:] if text.startswith("-") and not any(c in "123456789" for c in text) else text


def fmt_signed(value, table):
    """Differences: as fmt, with a "+" on a number that shows as positive at the printed
    precision (decided from the value here, not from the text as the report does)."""
    divisor, decimals, _ = table
    text = fmt(value, table)
    return "+" + text if round(value / divisor, decimals) > 0 else text


class SignedFormat(unittest.TestCase):
    def test_known_answers(self):
        persons, millions = (1.0, 0, "persons"), (1e6, 1, "EUR m/year")
        cases = [(1234.4, persons, "+1,234"), (-5.0, persons, "-5"), (0.4, persons, "0"),
                 (12.34e6, millions, "+12.3"), (-0.04e6, millions, "0.0"), (0.0, millions, "0.0")]
        for value, table, expected in cases:
            self.assertEqual(fmt_signed(value, table), expected, (value, table))


def year_labels(f):
    return [f"{y}{'*' if n < 12 else ''}" for y, n in zip(f["time/year"][:], f["time/months_in_year"][:])]


def table_after(lines, start):
    """The rows (lists of stripped cells) of the first Markdown table at or after line `start`,
    header first, the |---| rule dropped."""
    i = start
    while i < len(lines) and not lines[i].startswith("|"):
        i += 1
    rows = []
    while i < len(lines) and lines[i].startswith("|"):
        cells = [c.strip() for c in lines[i].strip().strip("|").split("|")]
        if not all(re.fullmatch(r":?-+:?", c) for c in cells):
            rows.append(cells)
        i += 1
    return rows


class PlotScripts(mt.ScriptResults, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        tmp = cls.make_tmp("mppmc-plots-")
        cls.h5_path = mt.run_results(mt.SMALL, tmp / "run.h5", mt.VARIANT, "--paths", N_PATHS, "--seed", SEED)
        cls.f = h5py.File(cls.h5_path, "r")
        other = tmp / "other.h5"  # an HDF5 file that is not an mppmc results file
        with h5py.File(other, "w") as g:
            g.attrs["schema"] = "something-else"
            g["time/month"] = [b"2025-01"]
        text_file = tmp / "notes.h5"
        text_file.write_text("not HDF5 at all\n")
        cls.inputs = {"other": other, "text": text_file}

        for name in ("fan_default", "fan_monthly", "report", "e_missing", "e_other", "e_text",
                     "e_series", "e_variant", "e_report_missing", "e_report_other"):
            (tmp / name).mkdir()
        h5 = str(cls.h5_path)
        cls.jobs = {
            # name: (cwd, argv)
            # (report.py draws every variant by default; here one is named)
            "fan_default": ("fan_default", [PLOT_FAN, h5, "--series", "coa_occupancy", "--annual",
                                            "--variant", "variant"]),
            "fan_monthly": ("fan_monthly", [PLOT_FAN, h5, "--series", "total_inflow", "--no-variants",
                                            "-o", "monthly.png", "--title", "Monthly inflow"]),
            "report": ("report", [REPORT, h5, "-o", "out/report"]),
            "e_missing": ("e_missing", [PLOT_FAN, str(tmp / "no-such-file.h5"), "--series", "total_inflow",
                                        "-o", "x.png"]),
            "e_other": ("e_other", [PLOT_FAN, str(other), "--series", "total_inflow", "-o", "x.png"]),
            "e_text": ("e_text", [PLOT_FAN, str(text_file), "--series", "total_inflow"]),
            "e_series": ("e_series", [PLOT_FAN, h5, "--series", "no_such_series", "--annual", "-o", "x.png"]),
            "e_variant": ("e_variant", [PLOT_FAN, h5, "--series", "total_inflow", "--variant", "no_such_variant"]),
            "e_report_missing": ("e_report_missing", [REPORT, str(tmp / "no-such-file.h5"), "-o", "rep"]),
            "e_report_other": ("e_report_other", [REPORT, str(other), "-o", "rep"]),
        }
        cls.results = mt.run_at_once({name: ([mt.PYTHON, *argv], tmp / cwd) for name, (cwd, argv) in cls.jobs.items()},
                                     timeout=SCRIPT_TIMEOUT_S)

    @classmethod
    def tearDownClass(cls):
        cls.f.close()
        super().tearDownClass()

    # ---- plot_fan.py

    def test_fan_default_output_name(self):
        out, _ = self.result("fan_default")
        self.assertEqual(out.strip(), "run_coa_occupancy_annual.png")
        self.assertEqual(self.files_in("fan_default"), ["run_coa_occupancy_annual.png"])  # no temp litter
        self.assert_png(self.tmp / "fan_default" / "run_coa_occupancy_annual.png")

    def test_fan_variants_side_by_side(self):
        self.result("fan_default")
        self.result("fan_monthly")
        w_both, _ = self.assert_png(self.tmp / "fan_default" / "run_coa_occupancy_annual.png")
        w_one, _ = self.assert_png(self.tmp / "fan_monthly" / "monthly.png")
        # Baseline + variant side by side are two panels (6.4 in each), the baseline alone one of 11 in.
        self.assertGreater(w_both, 1.1 * w_one, "the chart with the variant is not wider than the baseline alone")

    def test_fan_monthly_baseline_only(self):
        out, err = self.result("fan_monthly")
        self.assertEqual(out.strip(), "monthly.png")
        self.assertEqual(self.files_in("fan_monthly"), ["monthly.png"])
        self.assert_png(self.tmp / "fan_monthly" / "monthly.png")

    # ---- report.py

    def report_dir(self):
        self.result("report")
        return self.tmp / "report" / "out" / "report"

    def summary(self):
        return (self.report_dir() / "summary.md").read_text(encoding="utf-8")

    def test_report_files(self):
        out, _ = self.result("report")
        folder = self.report_dir()
        expected = sorted([f"{s}_annual.png" for s in KEY_SERIES] + ["summary.md"])
        self.assertEqual(sorted(p.name for p in folder.iterdir()), expected)
        for series in KEY_SERIES:
            self.assert_png(folder / f"{series}_annual.png")
        printed = [Path(line).name for line in out.split()]
        self.assertEqual(sorted(printed), expected)

    def test_summary_run_facts(self):
        text = self.summary()
        self.assertIn(mt.decode([self.f.attrs["scenario_name"]])[0], text)
        self.assertIn("test small", text)
        self.assertIn("test variant", text)  # the variant's scenario name
        self.assertIn(f"{N_PATHS:,}", text)
        self.assertIn(str(SEED), text)
        self.assertIn(str(self.f.attrs["start"]), text)
        self.assertIn(f"{int(self.f.attrs['horizon_months'])} months", text)
        self.assertIn(str(self.f.attrs["tool_version"]), text)
        self.assertIn(str(self.f.attrs["git_sha"]), text)

    def test_summary_band_tables_match_the_file(self):
        lines = self.summary().splitlines()
        labels = year_labels(self.f)
        for series in KEY_SERIES:
            with self.subTest(series=series):
                heading = [i for i, line in enumerate(lines) if line.startswith("#") and f"(`{series}`)" in line]
                self.assertEqual(len(heading), 1, f"no single heading for {series}")
                rows = table_after(lines, heading[0] + 1)
                unit = self.f[f"annual/{series}"].attrs["unit"]
                band = self.f[f"annual/{series}/band"][:]
                table = table_unit(band, unit)
                header = rows[0]
                self.assertEqual(header[0], "year")
                for cell, word, pct in zip(header[1:], ("min", "medio", "max"), ("p5", "p50", "p95")):
                    self.assertIn(word, cell)
                    self.assertIn(pct, cell)
                    self.assertIn(f"({table[2]})", cell)  # the table's one unit, e.g. EUR m/year
                self.assertEqual([r[0] for r in rows[1:]], labels)
                for j, row in enumerate(rows[1:]):
                    self.assertEqual(row[2], fmt(band[1][j], table), f"{series} {labels[j]} medio")
                    self.assertEqual(row[1], fmt(band[0][j], table), f"{series} {labels[j]} min")
                    self.assertEqual(row[3], fmt(band[2][j], table), f"{series} {labels[j]} max")
        self.assertRegex("\n".join(lines), r"\(EUR (thousand|m|bn)/year\)")

    def test_summary_images_exist(self):
        text = self.summary()
        links = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", text)
        self.assertEqual(sorted(links), sorted(f"{s}_annual.png" for s in KEY_SERIES))
        for link in links:
            self.assertFalse(Path(link).is_absolute(), link)
            self.assert_png(self.report_dir() / link)

    def test_summary_compare_table_matches_the_file(self):
        lines = self.summary().splitlines()
        heading = [i for i, line in enumerate(lines) if line.startswith("#") and "(`variant`)" in line]
        self.assertEqual(len(heading), 1)
        self.assertIn("test variant", lines[heading[0]])
        rows = table_after(lines, heading[0] + 1)
        header = rows[0]
        col = {name: next(k for k, c in enumerate(header) if c.startswith(name)) for name in ("min", "medio", "max")}
        labels = year_labels(self.f)
        got = {(r[0].strip("`"), r[header.index("year")]): r for r in rows[1:]}
        self.assertEqual(set(got), {(s, y) for s in COMPARE_SERIES for y in labels})
        for series in COMPARE_SERIES:
            group = self.f[f"compare/variant/annual/{series}"]
            band = group["band"][:]
            table = table_unit(band, group.attrs["unit"])
            for j, year in enumerate(labels):
                row = got[(series, year)]
                self.assertEqual(row[header.index("unit")], table[2])
                for k, name in enumerate(("min", "medio", "max")):
                    self.assertEqual(row[col[name]], fmt_signed(band[k][j], table), f"{series} {year} {name}")

    # ---- bad input

    def assert_input_error(self, name, *needles):
        return self.assert_one_line_error(name, *needles)[0]

    def test_missing_file(self):
        self.assert_input_error("e_missing", "no-such-file.h5", "not found")
        self.assert_input_error("e_report_missing", "no-such-file.h5", "not found")

    def test_not_an_mppmc_file(self):
        self.assert_input_error("e_other", "other.h5", "not an mppmc results file")
        self.assert_input_error("e_report_other", "other.h5", "not an mppmc results file")
        self.assert_input_error("e_text", "notes.h5", "not an HDF5 file")

    def test_unknown_series_lists_the_available_ones(self):
        line = self.assert_input_error("e_series", "no_such_series", "unknown series")
        for series in mt.ALL_SERIES:
            self.assertIn(series, line)

    def test_unknown_variant(self):
        self.assert_input_error("e_variant", "no_such_variant", "variant")

    def test_help(self):
        for script in (PLOT_FAN, REPORT):
            proc = subprocess.run([mt.PYTHON, str(script), "--help"], text=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, timeout=SCRIPT_TIMEOUT_S)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            self.assertIn("usage:", proc.stdout)
            self.assertIn("FILE.h5", proc.stdout)


if __name__ == "__main__":
    unittest.main()
