"""Files of schema 1 stay readable: `mppmc info`, `mppmc export` and `mppmc score` read the
results file and `mppmc info` the sensitivity file that mppmc wrote before schema 2
(tests/data/*-schema1.h5.gz, gzipped to keep the repository small), and give the numbers of
the schema-2 file the same run writes now.

The schema-1 files: `mppmc run tests/data/small.toml --paths 20 --save-paths` and
`mppmc sensitivity --benchmark ishigami --samples 32 --bootstrap 5`, with
SOURCE_DATE_EPOCH=1700000000, by an mppmc built from 7197ee7 with uncommitted engine changes
(git_sha "7197ee7...-dirty"): its numbers differ from this mppmc's in the last bit or so
(at most 6e-16 relative), so the tables are compared to 1e-12.

Run: /usr/bin/python3 -m unittest -v tests/python/test_schema_versions.py
"""
import csv
import gzip
import io
import sys
import unittest
from pathlib import Path

import h5py

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

DATA = mt.SOURCE_DIR / "tests" / "data"


def unpack(name, folder):
    """tests/data/<name>.gz, decompressed into `folder`."""
    target = Path(folder) / name
    target.write_bytes(gzip.decompress((DATA / (name + ".gz")).read_bytes()))
    return target


def same_table(test, a, b, what):
    """Asserts that the CSV texts `a` and `b` have the same rows and fields, numbers equal to
    1e-12 relative."""
    rows_a, rows_b = list(csv.reader(io.StringIO(a))), list(csv.reader(io.StringIO(b)))
    test.assertEqual(len(rows_a), len(rows_b), what)
    for row_a, row_b in zip(rows_a, rows_b):
        test.assertEqual(len(row_a), len(row_b), what)
        for x, y in zip(row_a, row_b):
            try:
                fx, fy = float(x), float(y)
            except ValueError:
                test.assertEqual(x, y, what)
                continue
            if fx != fy:  # NaN fields are written as text, never as a float here
                test.assertLessEqual(abs(fx - fy), 1e-12 * max(abs(fx), abs(fy)), (what, row_a, row_b))


# First applications and total inflow in the years of small.toml's horizon, made up: for scoring.
REALISED = """\
series,period,value
inflow_first,2025,41000
inflow_first,2026,47000
total_inflow,2025,52000
total_inflow,2026,60000
"""


class SchemaOne(mt.FolderPerClass, unittest.TestCase):
    TMP_PREFIX = "mppmc-schema1-"

    @classmethod
    def setUpClass(cls):
        mt.require_binary()
        super().setUpClass()
        cls.old = unpack("results-schema1.h5", cls.tmp)
        # The same run by this mppmc: schema 2, the same numbers.
        cls.new = mt.run_results(mt.SMALL, cls.tmp / "new.h5", "--paths", "20", "--save-paths")

    def test_the_files_are_of_both_schemas(self):
        for path, version in ((self.old, 1), (self.new, 2)):
            with h5py.File(path, "r") as f:
                self.assertEqual(f.attrs["schema_version"], version)
                self.assertEqual("year" in f, version == 2)

    def test_info_reads_schema_1(self):
        old = mt.mppmc("info", self.old, check=0).stdout
        new = mt.mppmc("info", self.new, check=0).stdout
        self.assertIn("mppmc-results, version 1 ", old)
        self.assertIn("mppmc-results, version 2 ", new)
        # Everything from the scenario line on is the same: the band table is the same numbers.
        self.assertEqual(old[old.index("scenario:"):], new[new.index("scenario:"):])

    def test_export_reads_schema_1(self):
        tables = {}
        for path in (self.old, self.new):
            folder = self.tmp / ("csv-" + path.stem)
            mt.mppmc("export", path, "--csv", folder, check=0)
            tables[path] = {p.name: p.read_text() for p in sorted(folder.iterdir())}
        self.assertTrue(tables[self.old])
        self.assertEqual(sorted(tables[self.old]), sorted(tables[self.new]))
        for name, text in tables[self.old].items():
            same_table(self, text, tables[self.new][name], name)

    def test_score_reads_schema_1(self):
        realised = self.tmp / "realised.csv"
        realised.write_text(REALISED)
        scores = {}
        for path in (self.old, self.new):
            out = self.tmp / (path.stem + "-scores.csv")
            mt.mppmc("score", path, "--realised", realised, "-o", out, "-q", check=0)
            scores[path] = out.read_text().replace(path.name, "RESULTS")
        self.assertGreater(scores[self.old].count("\n"), 4)
        same_table(self, scores[self.old], scores[self.new], "scores")

    def test_info_reads_a_schema_1_sensitivity_file(self):
        old = unpack("sensitivity-schema1.h5", self.tmp)
        new = self.tmp / "sensitivity-new.h5"
        mt.mppmc("sensitivity", "--benchmark", "ishigami", "--samples", "32", "--bootstrap", "5", "-q", "-o", new,
                 check=0)
        old_text = mt.mppmc("info", old, check=0).stdout
        new_text = mt.mppmc("info", new, check=0).stdout
        self.assertIn("mppmc-sensitivity, version 1,", old_text)
        self.assertIn("mppmc-sensitivity, version 2,", new_text)
        self.assertEqual(old_text[old_text.index("samples:"):], new_text[new_text.index("samples:"):])


if __name__ == "__main__":
    unittest.main()
