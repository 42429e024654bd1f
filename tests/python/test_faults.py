"""Faults rather than bad input (issue 16): a disk that fills up part way through every kind of
write, and results files that are damaged or crafted. Needs no root: a full disk is a file-size
limit (RLIMIT_FSIZE, with SIGXFSZ ignored so that a write past it fails with EFBIG, as a write
to a full disk fails with ENOSPC), set in the child before mppmc starts.

Each write case runs the same command under several limits, from 0 bytes to one byte short of
the file it would write (the sizes come from the same command run without a limit), and asserts
what docs/cli.md promises: exit 3 with one message (no HDF5 error stack, no crash), the earlier
output byte for byte as it was and still readable (`mppmc info` exits 0 and prints the same),
and no temporary file left behind.

Each damaged or crafted results file must give exit 2 with a message that names the file, from
`info` and from `export`, which writes nothing; never a crash.

Run: /usr/bin/python3 -m unittest -v tests/python/test_faults.py
"""
import contextlib
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

EXIT_OK, EXIT_INPUT, EXIT_RUNTIME = 0, 2, 3


def with_file_size_limit(limit):
    """preexec_fn: files of this process may not grow past `limit` bytes; a write past it fails
    with EFBIG instead of killing the process (SIGXFSZ ignored: an ignored signal stays ignored
    across exec)."""
    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def limited(limit, *args, cwd=None):
    """Runs mppmc with the file-size limit `limit` (bytes); returns the CompletedProcess."""
    mt.require_binary()
    return subprocess.run([str(mt.BIN), *[str(a) for a in args]], cwd=cwd, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=mt.RUN_TIMEOUT_S, preexec_fn=with_file_size_limit(limit))


def litter(folder):
    """Temporary files left in `folder` (results "<file>.tmp-<pid>", checkpoints and CSV tables
    alike; also the old fixed names "<file>.ckpt.tmp")."""
    return sorted(p.name for p in Path(folder).rglob("*") if ".tmp" in p.name)


def cut_points(size):
    """File-size limits that stop a write of `size` bytes part way: at its first byte, early,
    a quarter, half and nine tenths of the way, and one byte short of the end."""
    return sorted({0, min(4096, size // 8), size // 4, size // 2, 9 * size // 10, size - 1})


def snapshot(folder):
    """{relative path: bytes} of every file under `folder`."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(Path(folder).rglob("*")) if p.is_file()}


class FullDisk(mt.FolderPerClass, unittest.TestCase):
    """Every writer of mppmc on a disk that fills up part way."""
    TMP_PREFIX = "mppmc-faults-"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table = []  # (case, runs, outcome): the fault-injection table (docs/testing.md)

    @classmethod
    def tearDownClass(cls):
        if os.environ.get("MPPMC_FAULT_TABLE"):
            with open(os.environ["MPPMC_FAULT_TABLE"], "a") as out:
                for row in cls.table:
                    out.write(" | ".join(str(x) for x in row) + "\n")
        super().tearDownClass()

    def assert_failed_cleanly(self, proc, what):
        """Exit 3 with one message of mppmc's own (besides the scenario's warnings)."""
        self.assertEqual(proc.returncode, EXIT_RUNTIME, f"{what}: exit {proc.returncode}\n{proc.stderr}")
        self.assertNotIn("HDF5-DIAG", proc.stderr, f"{what}: HDF5 printed its error stack")
        lines = [line for line in proc.stderr.splitlines() if line.strip() and ": warning: " not in line]
        self.assertEqual(len(lines), 1, f"{what}: expected one message, got {proc.stderr!r}")
        self.assertTrue(lines[0].startswith("mppmc: "), f"{what}: {lines[0]!r}")

    @contextlib.contextmanager
    def counted(self, tally, **params):
        """A subTest that counts itself in `tally` = [runs, failed] for the table."""
        with self.subTest(**params):
            tally[0] += 1
            try:
                yield
            except AssertionError:
                tally[1] += 1
                raise

    def record(self, case, tally, outcome):
        """A row of the fault-injection table (case, runs, outcome)."""
        self.table.append((case, tally[0], outcome if tally[1] == 0 else f"{tally[1]} of {tally[0]} FAILED"))

    def results_case(self, name, args, *, paths_small="300", paths_big="3000"):
        """`mppmc run ARGS` replacing a good results file on a disk that fills up: for every cut
        point the run exits 3, the good file stays as it was, and nothing else is left."""
        folder = self.tmp / name
        folder.mkdir()
        out = folder / "r.h5"
        mt.mppmc("run", *args, "--paths", paths_small, "-o", out, "-q", check=EXIT_OK)
        good = out.read_bytes()
        info = mt.mppmc("info", out, check=EXIT_OK).stdout
        reference = self.tmp / f"{name}-reference.h5"
        mt.mppmc("run", *args, "--paths", paths_big, "-o", reference, "-q", check=EXIT_OK)
        tally = [0, 0]
        for limit in cut_points(reference.stat().st_size):
            with self.counted(tally, limit=limit):
                proc = limited(limit, "run", *args, "--paths", paths_big, "-o", out, "-q", "--overwrite")
                self.assert_failed_cleanly(proc, f"{name}, limit {limit}")
                self.assertEqual(out.read_bytes(), good, "the earlier results file changed")
                self.assertEqual(mt.mppmc("info", out, check=EXIT_OK).stdout, info)
                self.assertEqual(litter(folder), [])
        self.record(f"run {name}", tally, "exit 3, earlier file intact and readable, nothing left")

    def test_run_month_by_month(self):
        self.results_case("exact", [mt.SMALL])

    def test_run_sketch(self):
        self.results_case("sketch", [mt.SMALL, "--quantiles", "sketch"])

    def test_run_save_paths(self):
        self.results_case("save-paths", [mt.SMALL, "--save-paths"])

    def test_run_with_a_variant(self):
        self.results_case("variant", [mt.SMALL, mt.VARIANT])

    def test_sensitivity(self):
        folder = self.tmp / "sensitivity"
        folder.mkdir()
        out = folder / "s.h5"
        args = ["sensitivity", "--benchmark", "ishigami", "--bootstrap", "20", "-q"]
        mt.mppmc(*args, "--samples", "64", "-o", out, check=EXIT_OK)
        good = out.read_bytes()
        info = mt.mppmc("info", out, check=EXIT_OK).stdout
        reference = self.tmp / "sensitivity-reference.h5"
        mt.mppmc(*args, "--samples", "512", "-o", reference, check=EXIT_OK)
        tally = [0, 0]
        for limit in cut_points(reference.stat().st_size):
            with self.counted(tally, limit=limit):
                proc = limited(limit, *args, "--samples", "512", "-o", out, "--overwrite")
                self.assert_failed_cleanly(proc, f"sensitivity, limit {limit}")
                self.assertEqual(out.read_bytes(), good)
                self.assertEqual(mt.mppmc("info", out, check=EXIT_OK).stdout, info)
                self.assertEqual(litter(folder), [])
        self.record("sensitivity --benchmark", tally, "exit 3, earlier file intact and readable, nothing left")

    # The calibrated scenario goes through core/atomic_file.h write_text_atomically (src/app/calibrate.cpp).
    def test_calibrate(self):
        folder = self.tmp / "calibrate"
        folder.mkdir()
        out = folder / "calibrated.toml"
        args = ["calibrate", mt.SMALL, "--year", "2026", "--series", "inflow_first", "--band", "30000,45000,60000",
                "--paths", "2000", "-q", "-o", out]
        mt.mppmc(*args, check=EXIT_OK)
        good = out.read_bytes()
        tally = [0, 0]
        for limit in cut_points(len(good)):
            with self.counted(tally, limit=limit):
                proc = limited(limit, *args, "--overwrite")
                self.assert_failed_cleanly(proc, f"calibrate, limit {limit}")
                self.assertEqual(out.read_bytes(), good)
                mt.mppmc("validate", out, check=EXIT_OK)
                self.assertEqual(litter(folder), [])
        self.record("calibrate", tally, "exit 3, earlier file intact and valid, nothing left")

    def test_export(self):
        source = mt.run_results(mt.SMALL, self.tmp / "export-source.h5", "--paths", "300", mt.VARIANT)
        folder = self.tmp / "export"
        mt.mppmc("export", source, "--csv", folder, check=EXIT_OK)
        before = snapshot(folder)
        largest = max(len(v) for v in before.values())
        tally = [0, 0]
        for limit in cut_points(largest):
            with self.counted(tally, limit=limit, folder="existing"):
                proc = limited(limit, "export", source, "--csv", folder, "--overwrite")
                self.assert_failed_cleanly(proc, f"export, limit {limit}")
                self.assertEqual(snapshot(folder), before, "the earlier tables changed")
                self.assertEqual(litter(folder), [])
            with self.counted(tally, limit=limit, folder="new"):
                fresh = self.tmp / "export-new" / "tables"
                proc = limited(limit, "export", source, "--csv", fresh)
                self.assert_failed_cleanly(proc, f"export to a new folder, limit {limit}")
                self.assertFalse((self.tmp / "export-new").exists(), "a failed export left its folders")
        self.record("export --csv (existing and new folder)", tally,
                    "exit 3, earlier tables intact, no new folder, nothing left")

    def test_checkpoint(self):
        # A --save-paths run keeps every path, and so does its checkpoint (11 kB a path), while its
        # results file holds only the inputs until the end (about 0.2 kB a path): a limit between
        # the two stops the first checkpoint write.
        folder = self.tmp / "checkpoint"
        folder.mkdir()
        out = folder / "r.h5"
        args = ["run", mt.SMALL, "--save-paths", "-o", out, "-q", "--threads", "2"]
        mt.mppmc(*args, "--paths", "300", check=EXIT_OK)
        good = out.read_bytes()
        info = mt.mppmc("info", out, check=EXIT_OK).stdout
        tally = [0, 0]
        for limit in (10_000_000, 20_000_000, 40_000_000):
            with self.counted(tally, limit=limit):
                proc = limited(limit, *args, "--paths", "20000", "--overwrite", "--checkpoint-seconds", "0.001")
                self.assert_failed_cleanly(proc, f"checkpoint, limit {limit}")
                self.assertIn(".ckpt", proc.stderr, "the failure is the checkpoint's")
                self.assertEqual(out.read_bytes(), good)
                self.assertEqual(mt.mppmc("info", out, check=EXIT_OK).stdout, info)
                self.assertEqual(litter(folder), [])
                self.assertFalse(Path(str(out) + ".ckpt").exists())
        self.record("checkpoint (run --save-paths --checkpoint-seconds)", tally,
                    "exit 3, earlier file intact and readable, no checkpoint or temporary left")


# ---- Damaged and crafted results files


class CraftedResults(mt.FolderPerClass, unittest.TestCase):
    """Results files whose shapes do not fit their axes, with a valid checksum: mppmc checks every
    shape before it reads."""
    TMP_PREFIX = "mppmc-crafted-"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = mt.run_results(mt.SMALL, cls.tmp / "good.h5", "--paths", "200", mt.VARIANT)

    def craft(self, name, edit):
        path = self.tmp / f"{name}.h5"
        shutil.copyfile(self.good, path)
        with h5py.File(path, "r+") as f:
            edit(f)
        mt.restamp(path)
        return path

    def assert_refused(self, path, *words):
        """info and export exit 2 naming the file; export writes nothing."""
        for command in ("info", "export"):
            folder = self.tmp / f"csv-{path.stem}"
            args = [command, path] + (["--csv", folder] if command == "export" else [])
            proc = mt.mppmc(*args)
            self.assertEqual(proc.returncode, EXIT_INPUT, f"{command} {path.name}: {proc.returncode}\n{proc.stderr}")
            self.assertIn(str(path), proc.stderr)
            for word in words:
                self.assertIn(word, proc.stderr)
            self.assertFalse(folder.exists(), f"export of {path.name} wrote {folder}")

    @staticmethod
    def replace(f, name, data):
        del f[name]
        f[name] = data

    def test_the_restamped_copy_itself_is_accepted(self):
        # The checksum written here from the documentation is mppmc's: a file edited and restamped
        # is read as mppmc's own, so the cases below reach the shape checks.
        path = self.craft("unchanged", lambda f: None)
        mt.mppmc("info", path, check=EXIT_OK)

    def test_a_band_of_two_zeros(self):
        self.assert_refused(self.craft("band2", lambda f: self.replace(f, "annual/total_inflow/band", np.zeros(2))),
                            "annual/total_inflow", "band", "[2]")

    def test_a_percentile_table_of_the_wrong_shape(self):
        def edit(f):
            q = f["monthly/coa_occupancy/quantiles"][:]
            self.replace(f, "monthly/coa_occupancy/quantiles", q[:-1])
        self.assert_refused(self.craft("quantiles", edit), "quantiles")

    def test_a_variant_comparison_of_the_wrong_shape(self):
        def edit(f):
            self.replace(f, "compare/variant/annual/cost_total/band", np.zeros((3, 1)))
        self.assert_refused(self.craft("compare", edit), "band")

    def test_a_missing_time_axis(self):
        for axis in ("time/year", "time/month", "time/months_in_year", "percentiles"):
            with self.subTest(axis=axis):
                self.assert_refused(self.craft(axis.replace("/", "-"), lambda f: f.__delitem__(axis)))

    def test_axes_that_disagree(self):
        def edit(f):
            self.replace(f, "time/months_in_year", f["time/months_in_year"][:-1])
        self.assert_refused(self.craft("months_in_year", edit), "months_in_year")

    def test_a_mean_of_another_length(self):
        def edit(f):
            self.replace(f, "monthly/inflow_first/mean", np.zeros(f["monthly/inflow_first/mean"].shape[0] + 5))
        self.assert_refused(self.craft("mean", edit), "mean")

    def test_an_axis_declared_huge(self):
        # A dataset that claims 10^9 percentiles holds no data (nothing is allocated): mppmc must
        # refuse it from its shape, not try to allocate 8 GB.
        def edit(f):
            del f["percentiles"]
            f.create_dataset("percentiles", shape=(10**9,), dtype="f8", chunks=(1024,))
        self.assert_refused(self.craft("huge", edit), "percentiles")

    def test_attributes_of_the_wrong_kind(self):
        cases = {
            "unit-array": lambda f: f["annual/total_inflow"].attrs.__setitem__("unit", ["a", "b"]),
            "version-array": lambda f: f.attrs.__setitem__("schema_version", np.array([1, 1], dtype=np.int64)),
            "band-attr-array": lambda f: f["band"].attrs.__setitem__("min_percentile", np.zeros(4)),
            "unit-number": lambda f: f["annual/total_inflow"].attrs.__setitem__("unit", 7.0),
        }
        for name, edit in cases.items():
            with self.subTest(case=name):
                self.assert_refused(self.craft(name, edit))

    def test_a_group_where_a_dataset_belongs_and_strings_where_numbers_belong(self):
        cases = {
            "group-band": lambda f: (f.__delitem__("annual/total_inflow/band"),
                                     f.create_group("annual/total_inflow/band")),
            "string-band": lambda f: self.replace(f, "annual/total_inflow/band",
                                                  np.array([["a"] * f["time/year"].shape[0]] * 3, dtype=object)),
            "series-dataset": lambda f: (f.__delitem__("monthly/housed"), f.__setitem__("monthly/housed", [1.0])),
        }
        for name, edit in cases.items():
            with self.subTest(case=name):
                self.assert_refused(self.craft(name, edit))


class DamagedResults(mt.FolderPerClass, unittest.TestCase):
    """Results files damaged after they were written: truncated, bytes overwritten at random
    (fixed seeds). The checksum in the user block catches all of it; Fletcher32 catches damage to
    a dataset's data for any HDF5 reader."""

    SEEDS = range(40)
    TMP_PREFIX = "mppmc-damaged-"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.good = mt.run_results(mt.SMALL, cls.tmp / "good.h5", "--paths", "200")
        cls.sensitivity = cls.tmp / "sensitivity.h5"
        mt.mppmc("sensitivity", "--benchmark", "ishigami", "--samples", "64", "--bootstrap", "10", "-q", "-o",
                 cls.sensitivity, check=EXIT_OK)

    def assert_refused(self, path, commands=("info", "export")):
        for command in commands:
            folder = self.tmp / f"csv-{path.stem}"
            args = [command, path] + (["--csv", folder] if command == "export" else [])
            proc = mt.mppmc(*args)
            self.assertEqual(proc.returncode, EXIT_INPUT, f"{command} {path.name}: {proc.returncode}\n{proc.stderr}")
            self.assertIn(str(path), proc.stderr)
            self.assertIn("damaged", proc.stderr)
            self.assertFalse(folder.exists())

    def test_truncated_files(self):
        size = self.good.stat().st_size
        for keep in (0, 100, 512, 600, 4096, size // 3, size // 2, size - 8, size - 1):
            with self.subTest(keep=keep):
                path = self.tmp / f"truncated-{keep}.h5"
                path.write_bytes(self.good.read_bytes()[:keep])
                proc = mt.mppmc("info", path)
                self.assertEqual(proc.returncode, EXIT_INPUT, proc.stderr)
                self.assertIn(str(path), proc.stderr)

    def test_random_damage(self):
        data = self.good.read_bytes()
        for seed in self.SEEDS:
            with self.subTest(seed=seed):
                rng = random.Random(seed)
                damaged = bytearray(data)
                for _ in range(rng.choice((1, 4, 64))):
                    at = rng.randrange(len(damaged))
                    damaged[at] ^= rng.randrange(1, 256)  # a change, never the same byte
                path = self.tmp / f"damaged-{seed}.h5"
                path.write_bytes(bytes(damaged))
                self.assert_refused(path)

    def test_a_damaged_sensitivity_file(self):
        data = self.sensitivity.read_bytes()
        for seed in range(10):
            with self.subTest(seed=seed):
                rng = random.Random(1000 + seed)
                damaged = bytearray(data)
                at = rng.randrange(512, len(damaged))
                damaged[at] ^= rng.randrange(1, 256)
                path = self.tmp / f"sensitivity-damaged-{seed}.h5"
                path.write_bytes(bytes(damaged))
                self.assert_refused(path, commands=("info",))

    def test_fletcher32_catches_damaged_data_for_any_reader(self):
        path = self.tmp / "data-damaged.h5"
        shutil.copyfile(self.good, path)
        with h5py.File(path, "r") as f:
            dataset = f["annual/total_inflow/band"]
            self.assertTrue(dataset.fletcher32)
            offset = f.userblock_size + dataset.id.get_chunk_info(0).byte_offset  # addresses skip the user block
        damaged = bytearray(path.read_bytes())
        damaged[offset + 3] ^= 0x10
        path.write_bytes(bytes(damaged))
        mt.restamp(path)  # the file checksum matches again: only Fletcher32 can tell
        with h5py.File(path, "r") as f:
            with self.assertRaises(OSError):
                f["annual/total_inflow/band"][:]
        self.assert_refused(path)


class WrittenFiles(unittest.TestCase):
    """What the writers put in a file so that damage is detected, without giving up identical
    bytes for identical runs."""

    def test_every_numeric_dataset_is_chunked_with_fletcher32(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = mt.run_results(mt.SMALL, Path(tmp) / "r.h5", "--paths", "100", "--save-paths", mt.VARIANT)
            sens = Path(tmp) / "s.h5"
            mt.mppmc("sensitivity", "--benchmark", "ishigami", "--samples", "32", "--bootstrap", "5", "-q", "-o", sens,
                     check=EXIT_OK)
            for path in (out, sens):
                datasets = []
                with h5py.File(path, "r") as f:
                    self.assertEqual(f.userblock_size, 512)
                    f.visititems(lambda name, obj: datasets.append((name, obj.dtype.kind, obj.size, obj.fletcher32))
                                 if isinstance(obj, h5py.Dataset) else None)
                numeric = [(name, size, fletcher) for name, kind, size, fletcher in datasets if kind in "fiu"]
                self.assertGreaterEqual(len(numeric), 6)
                for name, size, fletcher in numeric:
                    self.assertTrue(fletcher or size == 0, f"{path.name}:{name} has no Fletcher32 checksum")
                self.assertEqual(mt.checksum(path.read_bytes()[512:]),
                                 int(path.read_bytes()[:512].split()[1], 16), f"{path.name}: user block checksum")

    def test_identical_runs_give_identical_bytes(self):
        env = {"SOURCE_DATE_EPOCH": "1700000000"}
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            for extra in ([], ["--quantiles", "sketch"], ["--save-paths"]):
                with self.subTest(extra=extra):
                    a = mt.run_results(mt.SMALL, tmp / "a.h5", "--paths", "1000", "--threads", "1", *extra,
                                       "--overwrite", env=env)
                    b = mt.run_results(mt.SMALL, tmp / "b.h5", "--paths", "1000", "--threads", "2", "--block-size",
                                       "100", *extra, "--overwrite", env=env)
                    self.assertEqual(a.read_bytes(), b.read_bytes())


if __name__ == "__main__":
    unittest.main()
