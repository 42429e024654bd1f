"""`mppmc export` as people publish: --xlsx (a sheet per band table, years as columns, units in
the header row's unit column, a provenance sheet), --csv --csv-layout wide, --decimal-comma
(`;` and `,` as Dutch-locale Excel reads them), and the tables of a sensitivity file with the
study's input labels. Every number is compared with the HDF5 datasets read here with h5py:
the CSV holds the file's doubles exactly, the xlsx to the 16 significant digits libxlsxwriter
writes (%.16G; Excel itself keeps 15). Bad input exits 2 and leaves an existing workbook
untouched.

Run: /usr/bin/python3 -m unittest -v tests/python/test_export_tables.py
"""
import csv
import io
import sys
import unittest
from pathlib import Path

import h5py

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

try:
    import openpyxl
except ImportError:  # pragma: no cover
    openpyxl = None

STUDY = mt.SOURCE_DIR / "scenarios" / "studies" / "coa-drivers.toml"
SCENARIO = mt.SOURCE_DIR / "scenarios" / "mpp-2024-II.toml"
LABEL = "First applications, level per year"


def xlsx_number(value):
    """A double as an xlsx cell holds it: 16 significant digits (libxlsxwriter writes %.16G)."""
    return float(f"{float(value):.16G}")


def year_header(f):
    return [f"{y}{'*' if n < 12 else ''}" for y, n in zip(f["time/year"][:], f["time/months_in_year"][:])]


@unittest.skipIf(openpyxl is None, "openpyxl is not installed")
class ExportTables(mt.FolderPerClass, unittest.TestCase):
    TMP_PREFIX = "mppmc-export-tables-"

    @classmethod
    def setUpClass(cls):
        mt.require_binary()
        super().setUpClass()
        cls.h5 = mt.run_results(mt.SMALL, cls.tmp / "run.h5", mt.VARIANT, "--paths", 300, "--seed", 5)
        cls.f = h5py.File(cls.h5, "r")
        cls.xlsx = cls.tmp / "tables.xlsx"
        mt.mppmc("export", cls.h5, "--xlsx", cls.xlsx, "--csv", cls.tmp / "wide", "--csv-layout", "wide", check=0)
        mt.mppmc("export", cls.h5, "--csv", cls.tmp / "comma", "--csv-layout", "wide", "--decimal-comma", check=0)
        mt.mppmc("export", cls.h5, "--csv", cls.tmp / "tidy_comma", "--decimal-comma", check=0)
        cls.book = openpyxl.load_workbook(cls.xlsx)

        # A study with a readable label for one input.
        study = cls.tmp / "study.toml"
        text = STUDY.read_text().replace('scenario = "../mpp-2024-II.toml"', f'scenario = "{SCENARIO}"')
        text = text.replace("[study]\n", f'[study]\nlabels = {{ "inflow.first.annual" = "{LABEL}" }}\n', 1)
        study.write_text(text)
        cls.sens = cls.tmp / "sens.h5"
        mt.mppmc("sensitivity", study, "-o", cls.sens, "--samples", 64, "--bootstrap", 20, "-q", check=0)
        mt.mppmc("export", cls.sens, "--xlsx", cls.tmp / "sens.xlsx", "--csv", cls.tmp / "sens_csv", check=0)

    @classmethod
    def tearDownClass(cls):
        cls.f.close()
        super().tearDownClass()

    def band_rows(self, sheet):
        """{(series, band): (unit, [values])} of a band sheet; checks the title and header rows."""
        rows = list(sheet.iter_rows(values_only=True))
        self.assertTrue(rows[0][0])  # the title
        header = list(rows[1])
        self.assertEqual(header[:4], ["scenario", "series", "unit", "band"])
        self.assertEqual(header[4:], year_header(self.f))
        return {(r[1], r[3]): (r[2], list(r[4:])) for r in rows[2:]}

    def assert_band_sheet(self, sheet, group):
        got = self.band_rows(sheet)
        series = sorted(self.f[group].keys())
        self.assertEqual(sorted({s for s, _ in got}), series)
        for name in series:
            band = self.f[f"{group}/{name}/band"][:]
            for k, statistic in enumerate(("min", "medio", "max")):
                unit, values = got[(name, statistic)]
                self.assertEqual(unit, self.f[f"{group}/{name}"].attrs["unit"])
                self.assertEqual(values, [xlsx_number(v) for v in band[k]], f"{group}/{name} {statistic}")

    def test_xlsx_sheets(self):
        self.assertEqual(self.book.sheetnames, ["band", "band variant", "effect variant", "provenance"])

    def test_xlsx_band_values_equal_the_file(self):
        self.assert_band_sheet(self.book["band"], "annual")
        self.assert_band_sheet(self.book["band variant"], "variants/variant/annual")
        self.assert_band_sheet(self.book["effect variant"], "compare/variant/annual")
        self.assertIn("path-wise", self.book["effect variant"]["A1"].value)

    def test_xlsx_units_in_the_header(self):
        rows = list(self.book["band"].iter_rows(values_only=True))
        self.assertIn("unit", rows[1])
        units = {r[1]: r[2] for r in rows[2:]}
        self.assertEqual(units["coa_occupancy"], "persons")
        self.assertEqual(units["cost_total"], "EUR/year")

    def test_xlsx_provenance(self):
        items = {r[0]: r[1] for r in self.book["provenance"].iter_rows(min_row=3, values_only=True)}
        a = self.f.attrs
        self.assertEqual(items["tool version"], a["tool_version"])
        self.assertEqual(items["git sha"], a["git_sha"])
        self.assertEqual(items["scenario name"], a["scenario_name"])
        self.assertEqual(items["scenario file"], a["scenario_file"])
        self.assertEqual(items["seed"], str(a["seed"]))
        self.assertEqual(items["paths"], str(a["n_paths"]))
        self.assertEqual(items["sampling"], a["sampling"])
        self.assertEqual(items["quantile method"], a["quantile_method"])
        self.assertEqual(items["created (UTC)"], a["created_utc"])
        self.assertEqual(items["percentiles"], ", ".join(f"{p:g}" for p in self.f["percentiles"][:]))
        self.assertEqual(items["band"], "min = p5, medio = p50, max = p95 of the paths")
        self.assertIn("test variant", items["variant variant"])

    def test_wide_csv_equals_the_file(self):
        with open(self.tmp / "wide" / "annual_band.csv", newline="") as f:
            rows = list(csv.reader(f))
        self.assertEqual(rows[0], ["scenario", "series", "unit", "band"] + year_header(self.f))
        baseline = [r for r in rows[1:] if r[0] == self.f.attrs["scenario_name"]]
        for r in baseline:
            k = ("min", "medio", "max").index(r[3])
            self.assertEqual([float(v) for v in r[4:]], list(self.f[f"annual/{r[1]}/band"][k]))
        self.assertEqual(len(baseline), 3 * len(self.f["annual"]))
        self.assertTrue((self.tmp / "wide" / "compare_annual_band.csv").is_file())
        self.assertFalse((self.tmp / "wide" / "annual.csv").exists())

    def test_decimal_comma_csv_reads_back(self):
        text = (self.tmp / "comma" / "annual_band.csv").read_text()
        self.assertIn(";", text.splitlines()[0])
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        self.assertEqual(rows[0][:4], ["scenario", "series", "unit", "band"])
        checked = 0
        for r in rows[1:]:
            if r[0] != self.f.attrs["scenario_name"]:
                continue
            k = ("min", "medio", "max").index(r[3])
            self.assertNotIn(".", "".join(r[4:]))
            self.assertEqual([float(v.replace(",", ".")) for v in r[4:]], list(self.f[f"annual/{r[1]}/band"][k]))
            checked += 1
        self.assertGreater(checked, 0)
        tidy = list(csv.reader(io.StringIO((self.tmp / "tidy_comma" / "annual.csv").read_text()), delimiter=";"))
        self.assertEqual(tidy[0], ["scenario", "series", "unit", "period", "statistic", "value"])
        row = next(r for r in tidy if r[1] == "coa_occupancy" and r[4] == "medio")
        year = list(self.f["time/year"][:]).index(int(row[3]))
        self.assertEqual(float(row[5].replace(",", ".")), self.f["annual/coa_occupancy/band"][1][year])

    def test_sensitivity_export(self):
        book = openpyxl.load_workbook(self.tmp / "sens.xlsx")
        self.assertEqual(book.sheetnames, ["tornado", "sobol", "provenance"])
        with h5py.File(self.sens, "r") as f:
            for method, sheet_name, column in (("tornado", "tornado", "swing"),
                                               ("sensitivity", "sobol", "total order")):
                rows = list(book[sheet_name].iter_rows(min_row=2, values_only=True))
                header = list(rows[0])
                with open(self.tmp / "sens_csv" / f"{sheet_name}.csv", newline="") as c:
                    csv_rows = list(csv.reader(c))
                self.assertEqual(csv_rows[0], header)
                for output in f[method]:
                    g = f[method][output]
                    inputs = [s.decode() if isinstance(s, bytes) else s for s in g["inputs"][:]]
                    labels = [s.decode() if isinstance(s, bytes) else s for s in g["labels"][:]]
                    values = g["swing" if method == "tornado" else "total_order"][:]
                    mine = [r for r in rows[1:] if r[0] == output]
                    self.assertEqual([r[header.index("input")] for r in mine], inputs)
                    self.assertEqual([r[header.index("label")] for r in mine], labels)
                    self.assertEqual([r[header.index(column)] for r in mine], [xlsx_number(v) for v in values])
                    mine_csv = [r for r in csv_rows[1:] if r[0] == output]
                    self.assertEqual([float(r[header.index(column)]) for r in mine_csv], [float(v) for v in values])
                    self.assertIn(LABEL, labels)
                    self.assertEqual(labels[inputs.index("monthly_noise")], "monthly_noise")  # no label: the code name

    def test_tornado_chart_names_inputs_by_label(self):
        sys.path.insert(0, str(mt.SOURCE_DIR / "scripts"))
        from unittest import mock
        import plot_tornado as pt
        captured = {}

        def capture(fig, output, dpi):
            captured["fig"] = fig
            return Path(output)

        with h5py.File(self.sens, "r") as f, mock.patch.object(pt, "save_png", capture):
            pt.plot_tornado(f, "cost_total[2025]", "unused.png", top=30)
            base = f["tornado/cost_total[2025]"].attrs["base_output"]
        ax = captured["fig"].axes[0]
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        self.assertIn(LABEL, " ".join(ticks).replace("\n", " "))
        self.assertNotIn("inflow.first.annual", ticks)
        unit = next(name for divisor, name in ((1e9, "EUR bn"), (1e6, "EUR m"), (1e3, "EUR thousand"))
                    if abs(base) >= divisor)
        self.assertTrue(ax.get_xlabel().startswith(f"{unit}/year"), ax.get_xlabel())

    def test_a_label_for_an_unknown_input_is_an_error(self):
        study = self.tmp / "bad-labels.toml"
        text = STUDY.read_text().replace('scenario = "../mpp-2024-II.toml"', f'scenario = "{SCENARIO}"')
        study.write_text(text.replace("[study]\n", '[study]\nlabels = { "inflow.first.anual" = "x" }\n', 1))
        r = mt.mppmc("sensitivity", study, "-o", self.tmp / "never.h5", "-q", check=2)
        self.assertIn("study.labels", r.stderr)
        self.assertIn("did you mean 'inflow.first.annual'", r.stderr)
        self.assertFalse((self.tmp / "never.h5").exists())

    def test_existing_workbook_is_refused_and_untouched(self):
        before = self.xlsx.read_bytes()
        r = mt.mppmc("export", self.h5, "--xlsx", self.xlsx, check=2)
        self.assertIn("--overwrite", r.stderr)
        self.assertEqual(self.xlsx.read_bytes(), before)
        # Refused with --csv too, before any table is written.
        mt.mppmc("export", self.h5, "--xlsx", self.xlsx, "--csv", self.tmp / "never", check=2)
        self.assertFalse((self.tmp / "never").exists())
        self.assertEqual(self.xlsx.read_bytes(), before)
        r = mt.mppmc("export", self.tmp / "no-such.h5", "--xlsx", self.tmp / "x.xlsx", check=2)
        self.assertIn("no such file", r.stderr)
        r = mt.mppmc("export", self.h5, "--xlsx", self.tmp / "x.xls", check=2)
        self.assertIn(".xlsx", r.stderr)
        damaged = self.tmp / "damaged.h5"
        damaged.write_bytes(self.h5.read_bytes()[: 4096])
        mt.mppmc("export", damaged, "--xlsx", self.tmp / "y.xlsx", check=2)
        self.assertEqual(sorted(p.name for p in self.tmp.glob("*.xlsx*")), ["sens.xlsx", "tables.xlsx"])


if __name__ == "__main__":
    unittest.main()
