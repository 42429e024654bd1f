"""Shared helpers for the end-to-end tests of mppmc (standard library unittest, run with
/usr/bin/python3, which has h5py, numpy and scipy).

Where things are found (environment variables, with defaults computed from this file):
  MPPMC_SOURCE_DIR  the repository root (default: two folders above this file)
  MPPMC_BIN         the mppmc binary (default: <source dir>/build/mppmc)
  MPPMC_PEER        the independent NumPy implementation of the model
                    (default: <source dir>/../shared/bench/numpy_peer.py; the peer tests skip
                    with a message when it is missing)

Every test writes under a tempfile.TemporaryDirectory, never into the repository.
"""
import os
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SOURCE_DIR = Path(os.environ.get("MPPMC_SOURCE_DIR") or HERE.parent.parent).resolve()
BIN = Path(os.environ.get("MPPMC_BIN") or SOURCE_DIR / "build" / "mppmc")
PEER = Path(os.environ.get("MPPMC_PEER") or SOURCE_DIR.parent / "shared" / "bench" / "numpy_peer.py")
PYTHON = sys.executable or "/usr/bin/python3"

SMALL = SOURCE_DIR / "tests" / "data" / "small.toml"
VARIANT = SOURCE_DIR / "tests" / "data" / "variant.toml"
DEFAULT_SCENARIO = SOURCE_DIR / "scenarios" / "mpp-2024-II.toml"
DEFAULT_CONFIG = SOURCE_DIR / "config" / "default.toml"

# The output series and their kinds, from the model contract (model-spec.md, "Output series"),
# written out here so that the tests do not take them from mppmc itself.
FLOW_SERIES = ["inflow_first", "inflow_repeat", "nareis_arrivals", "total_inflow",
               "ind_asylum_decisions", "ind_asylum_grants", "ind_nareis_applications",
               "ind_nareis_decisions", "housed", "departures", "left_in_procedure",
               "cost_coa", "cost_ind", "cost_total"]
STOCK_SERIES = ["ind_asylum_backlog", "ind_nareis_backlog", "nareis_potential", "nareis_pipeline",
                "coa_in_procedure", "coa_status_holders", "coa_rejected", "coa_occupancy",
                "coa_emergency", "coa_places_needed"]
ALL_SERIES = FLOW_SERIES + STOCK_SERIES

# The default config's statistics (config/default.toml), as documented in design.md.
DEFAULT_PERCENTILES = [5.0, 10.0, 25.0, 50.0, 75.0, 90.0, 95.0]
DEFAULT_BAND = (5.0, 50.0, 95.0)

# Generous wall-clock limits for one subprocess, so that a hang fails the test instead of the suite.
# MPPMC_TIMEOUT_SCALE multiplies it for slow builds (scripts/test-sanitizers.sh sets 6 for ASan).
RUN_TIMEOUT_S = 300 * float(os.environ.get("MPPMC_TIMEOUT_SCALE") or 1)


def require_binary():
    """Fails clearly when the mppmc binary is missing (a missing binary is not a skip)."""
    if not BIN.is_file() or not os.access(BIN, os.X_OK):
        raise AssertionError(f"mppmc binary not found or not executable at {BIN}; build it first "
                             f"or set MPPMC_BIN")


def require_peer():
    """Skips (with a clear message) when the NumPy peer is not available."""
    if not PEER.is_file():
        raise unittest.SkipTest(f"NumPy peer not found at {PEER} (set MPPMC_PEER); peer comparison skipped")


def mppmc(*args, cwd=None, env=None, timeout=RUN_TIMEOUT_S, check=None):
    """Runs the mppmc binary; returns the CompletedProcess (text mode, stdout/stderr captured).

    `env` adds variables to (or, with the value None, removes them from) this process's
    environment. `check` = an expected exit code: a different one raises AssertionError with
    the output."""
    require_binary()
    full_env = dict(os.environ)
    for key, value in (env or {}).items():
        if value is None:
            full_env.pop(key, None)  # None removes a variable
        else:
            full_env[key] = value
    proc = subprocess.run([str(BIN), *[str(a) for a in args]], cwd=cwd, env=full_env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if check is not None and proc.returncode != check:
        raise AssertionError(f"mppmc {' '.join(str(a) for a in args)}: exit {proc.returncode}, expected {check}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc


def run_results(scenario, output, *extra, env=None, cwd=None):
    """`mppmc run SCENARIO -o OUTPUT -q EXTRA...`, which must succeed; returns the output path."""
    mppmc("run", scenario, "-o", output, "-q", *extra, env=env, cwd=cwd, check=0)
    if not Path(output).is_file():
        raise AssertionError(f"mppmc run exited 0 but wrote no {output}")
    return Path(output)


def peer(*args, timeout=RUN_TIMEOUT_S):
    """Runs the NumPy peer with the test's Python; raises AssertionError when it fails."""
    require_peer()
    proc = subprocess.run([PYTHON, str(PEER), *[str(a) for a in args]], text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"numpy_peer.py {' '.join(str(a) for a in args)}: exit {proc.returncode}\n"
                             f"--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}")
    return proc


def decode(values):
    """HDF5 strings (bytes or str) as a list of str."""
    return [v.decode() if isinstance(v, bytes) else str(v) for v in values]


def year_of(month):
    return int(month.split("-")[0])


def annual_from_monthly(values, months, kind):
    """Annual values from monthly ones along the last axis, following the model contract:
    flows are summed over the months of each calendar year, stocks take the year's last month.
    `months` are "YYYY-MM" strings. Returns (years, array [..., Y])."""
    values = np.asarray(values)
    years = sorted({year_of(m) for m in months})
    month_years = np.array([year_of(m) for m in months])
    columns = []
    for y in years:
        sel = np.nonzero(month_years == y)[0]
        if kind == "flow":
            columns.append(values[..., sel].sum(axis=-1))
        elif kind == "stock":
            columns.append(values[..., sel[-1]])
        else:
            raise ValueError(kind)
    return years, np.stack(columns, axis=-1)


def kind_of(series):
    return "flow" if series in FLOW_SERIES else "stock"


def relative_error(actual, reference):
    """|actual - reference| / max(1, |reference|), elementwise."""
    actual = np.asarray(actual, dtype=np.float64)
    reference = np.asarray(reference, dtype=np.float64)
    return np.abs(actual - reference) / np.maximum(1.0, np.abs(reference))


def month_strings(start, count):
    """["YYYY-MM", ...] for `count` months from `start` ("YYYY-MM")."""
    y, m = (int(x) for x in start.split("-"))
    out = []
    for k in range(count):
        idx = y * 12 + (m - 1) + k
        out.append(f"{idx // 12:04d}-{idx % 12 + 1:02d}")
    return out


def tmp_litter(folder):
    """Temporary files that mppmc may leave next to an output ("<file>.tmp-<pid>")."""
    return sorted(p.name for p in Path(folder).iterdir() if ".tmp-" in p.name)


# A minimal, complete and valid scenario with every required key (and no optional one), each on
# its own line so that a test can replace one line and know the line number to expect in a
# message. Values are round numbers; only the file's validity matters.
MINIMAL_SCENARIO = """\
[scenario]
name = "minimal"
start = "2025-01"
horizon_months = 24

[initial]
ind_asylum_backlog = 40000
ind_nareis_backlog = 20000
nareis_potential = 8000
nareis_pipeline = 5000
coa_in_procedure = 30000
coa_status_holders = 15000
coa_rejected = 6000

[inflow]
repeat_ratio = { dist = "uniform", low = 0.04, high = 0.08 }

[inflow.first]
annual = { 2025 = { dist = "lognormal", median = 45000, sigma = 0.2 } }
seasonality = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]

[ind.asylum]
capacity_per_month = { 2025 = 3500, 2026 = 4000 }
capacity_factor = { dist = "pert", low = 0.8, mode = 1.0, high = 1.1 }
grant_rate = { dist = "beta", a = 30, b = 20 }

[ind.nareis]
capacity_per_month = 1200
grant_rate = 0.7

[nareis]
persons_per_grant = 0.8
apply_delay_months = 4
arrival_delay_months = 6

[coa]
uptake = 0.95
nareis_uptake = 0.5
leave_in_procedure_rate = 0.006
regular_capacity = 45000
target_occupancy_rate = 0.9

[housing]
per_month = 2500
capacity_factor = 1.0

[departure]
monthly_rate = 0.07

[cost]
coa_per_place_year = 33000
coa_emergency_per_place_year = 75000
ind_per_asylum_decision = 8900
ind_per_nareis_decision = 3500
"""


def line_of(text, needle):
    """1-based number of the first line of `text` that contains `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise ValueError(f"{needle!r} not in the text")


def replace_line(text, startswith, new_line):
    """`text` with the (single) line that starts with `startswith` replaced by `new_line`
    (None deletes it)."""
    lines = text.splitlines()
    hits = [i for i, line in enumerate(lines) if line.startswith(startswith)]
    if len(hits) != 1:
        raise ValueError(f"{startswith!r} starts {len(hits)} lines, expected 1")
    if new_line is None:
        del lines[hits[0]]
    else:
        lines[hits[0]] = new_line
    return "\n".join(lines) + "\n"


def scenario_time(path):
    """(start "YYYY-MM", horizon_months) of a scenario file, read with tomllib and following
    `[scenario] extends` (relative to the extending file, or absolute); the nearest file wins."""
    import tomllib
    path = Path(path)
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    section = doc.get("scenario", {})
    base = (None, None)
    if "extends" in section:
        base = scenario_time(path.parent / section["extends"])
    return section.get("start", base[0]), section.get("horizon_months", base[1])


def _same_value(a, b):
    """Bitwise equality of two HDF5 values (datasets or attributes) as h5py reads them."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.dtype != b.dtype or a.shape != b.shape:
            return False
        if a.dtype.kind == "O":  # variable-length strings
            return a.tolist() == b.tolist()
        # Raw bytes: bitwise, so also -0.0 vs 0.0 and NaN payloads count as differences.
        return a.tobytes() == b.tobytes()
    if type(a) is not type(b):
        return False
    if isinstance(a, np.generic):
        return a.tobytes() == b.tobytes()
    return a == b


def _dereferenced(f, value):
    """An attribute's value with every HDF5 object reference in it (the dimension scales'
    DIMENSION_LIST and REFERENCE_LIST) replaced by the name of the object it points to: references
    of two files never compare equal, the objects' names do."""
    import h5py
    if isinstance(value, h5py.Reference):
        return ("reference", f[value].name if value else None)
    if isinstance(value, np.ndarray) and (value.dtype.kind == "O" or value.dtype.names):
        items = value.tolist() if value.dtype.names else list(value.ravel())
        return ("array", value.shape, [_dereferenced(f, v) for v in items])
    if isinstance(value, (tuple, list)):
        return tuple(_dereferenced(f, v) for v in value)
    return value


def h5_differences(path_a, path_b, ignore_root_attrs=("created_utc",)):
    """Every difference between two HDF5 files: objects present in one only, datasets whose dtype,
    shape or bytes differ, and attributes (of every object) that differ, an object reference by
    the name of what it points to; the root attributes named in `ignore_root_attrs` are skipped.
    Returns a list of strings (empty when the same)."""
    import h5py
    diffs = []
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        def names(f):
            out = {"/"}
            f.visit(lambda name: out.add("/" + name))
            return out
        na, nb = names(fa), names(fb)
        for name in sorted(na ^ nb):
            diffs.append(f"{name}: only in {'the first' if name in na else 'the second'} file")
        for name in sorted(na & nb):
            oa, ob = fa[name], fb[name]
            if isinstance(oa, h5py.Dataset) != isinstance(ob, h5py.Dataset):
                diffs.append(f"{name}: a dataset in one file only")
                continue
            if isinstance(oa, h5py.Dataset):
                if oa.dtype != ob.dtype or oa.shape != ob.shape:
                    diffs.append(f"{name}: dtype/shape {oa.dtype}{oa.shape} vs {ob.dtype}{ob.shape}")
                elif not _same_value(oa[()], ob[()]):
                    diffs.append(f"{name}: values differ")
            ka, kb = set(oa.attrs.keys()), set(ob.attrs.keys())
            skip = set(ignore_root_attrs) if name == "/" else set()
            for key in sorted((ka ^ kb) - skip):
                diffs.append(f"{name} attribute {key}: in one file only")
            for key in sorted((ka & kb) - skip):
                va, vb = oa.attrs[key], ob.attrs[key]
                if key in ("DIMENSION_LIST", "REFERENCE_LIST"):
                    va, vb = _dereferenced(fa, va), _dereferenced(fb, vb)
                if not _same_value(va, vb):
                    diffs.append(f"{name} attribute {key}: {oa.attrs[key]!r} vs {ob.attrs[key]!r}")
    return diffs


# ---- The whole-file checksum of results and sensitivity files (docs/hdf5-schema.md, "Checksums")


def checksum(data):
    """The whole-file checksum of docs/hdf5-schema.md ("Checksums"), written here from the
    documentation: 64-bit state "mppmcck1" xor the length; per 8-byte little-endian word (the
    last one zero-padded) state = rotl(state xor word, 29) * 0x9e3779b97f4a7c15 mod 2^64."""
    mask = (1 << 64) - 1
    state = 0x6D70706D63636B31 ^ len(data)
    padded = data + b"\0" * (-len(data) % 8)
    for word in np.frombuffer(padded, dtype="<u8").tolist():
        state ^= word
        state = ((state << 29) | (state >> 35)) & mask
        state = (state * 0x9E3779B97F4A7C15) & mask
    return state


def restamp(path):
    """Writes the checksum record of a file edited after mppmc wrote it, so that mppmc reads
    it as its own (a crafted file rather than a damaged one). A file without a checksum record
    (written before mppmc had them) is left as it is."""
    data = bytearray(Path(path).read_bytes())
    if not data.startswith(b"mppmc-checksum-1 "):
        return
    body = bytes(data[512:])
    record = f"mppmc-checksum-1 {checksum(body):016x} {len(body)}\n".encode()
    data[:512] = record + b"\0" * (512 - len(record))
    Path(path).write_bytes(bytes(data))


# ---- The plotting scripts' tests (test_plots.py, test_plot_tornado.py): scripts run at once,
# their PNGs checked from the file itself.

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MIN_PNG_WIDTH, MIN_PNG_HEIGHT = 600, 400  # a chart smaller than this is not a chart


def png_size(path):
    """(width, height) from the IHDR chunk; raises AssertionError when `path` is not a PNG."""
    import struct
    data = Path(path).read_bytes()[:32]
    if not data.startswith(PNG_SIGNATURE):
        raise AssertionError(f"{path}: no PNG signature")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        raise AssertionError(f"{path}: first chunk is {kind!r}, not IHDR")
    return struct.unpack(">II", data[16:24])


def run_at_once(commands, timeout=RUN_TIMEOUT_S):
    """Starts every command at once (they must be independent) and waits for all of them.
    `commands`: {name: (argv, cwd)}, argv items are str()-ed. Returns {name: (exit code, stdout,
    stderr)}; a command still running after `timeout` seconds is killed (and the call raises)."""
    procs = {}
    try:
        for name, (argv, cwd) in commands.items():
            procs[name] = subprocess.Popen([str(a) for a in argv], cwd=cwd, text=True,
                                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        results = {}
        for name, proc in procs.items():
            out, err = proc.communicate(timeout=timeout)
            results[name] = (proc.returncode, out, err)
        return results
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


class FolderPerClass:
    """Mixin for a unittest.TestCase: setUpClass makes `cls.tmp`, a fresh folder (a Path) named
    with the class's TMP_PREFIX, and tearDownClass removes it. A subclass that needs more in
    setUpClass calls super().setUpClass() first."""
    TMP_PREFIX = "mppmc-"

    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix=cls.TMP_PREFIX)
        cls.tmp = Path(cls._tmp.name)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()


class ScriptResults:
    """Mixin for a unittest.TestCase whose setUpClass sets `tmp` (a Path; each job `name` ran in
    the folder tmp/<name>) and `results` (from run_at_once). make_tmp() makes `tmp`, and
    tearDownClass removes it."""

    @classmethod
    def make_tmp(cls, prefix):
        """Makes the class's temporary folder `cls.tmp` (removed by tearDownClass); returns it."""
        cls._tmp = tempfile.TemporaryDirectory(prefix=prefix)
        cls.tmp = Path(cls._tmp.name)
        return cls.tmp

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    @classmethod
    def run_script(cls, script, jobs, timeout=120):
        """Runs the Python `script` once per job of `jobs` ({name: argv}), each in its own new empty
        folder tmp/<name>, all at once; sets `results`."""
        for name in jobs:
            (cls.tmp / name).mkdir()
        cls.results = run_at_once({name: ([PYTHON, script, *argv], cls.tmp / name) for name, argv in jobs.items()},
                                  timeout=timeout)

    def written(self, name, expected_name):
        """Checks that job `name` exited 0, printed only `expected_name` and left only that file in
        its folder; returns its path."""
        out, _ = self.result(name)
        self.assertEqual(out.strip(), expected_name)
        self.assertEqual(self.files_in(name), [expected_name])
        return self.tmp / name / expected_name

    def result(self, name, expect=0):
        """(stdout, stderr) of job `name`, which must have exited `expect`."""
        rc, out, err = self.results[name]
        self.assertEqual(rc, expect, f"{name}: exit {rc}, expected {expect}\n--- stdout\n{out}\n--- stderr\n{err}")
        return out, err

    def files_in(self, name):
        """Everything under job `name`'s folder (relative paths, sorted)."""
        return sorted(str(p.relative_to(self.tmp / name)) for p in (self.tmp / name).rglob("*"))

    def assert_png(self, path):
        """Checks that `path` is a real PNG chart (signature, IHDR size, not tiny); returns
        (width, height)."""
        self.assertTrue(Path(path).is_file(), f"{path} not written")
        width, height = png_size(path)
        self.assertGreaterEqual(width, MIN_PNG_WIDTH, f"{path}: {width}x{height}")
        self.assertGreaterEqual(height, MIN_PNG_HEIGHT, f"{path}: {width}x{height}")
        self.assertGreater(Path(path).stat().st_size, 10_000, f"{path}: implausibly small for a chart")
        return width, height

    def assert_one_line_error(self, name, *words):
        """Checks that job `name` exited 2 with a one-line message on stderr that holds every one
        of `words`, and wrote nothing; returns (that line, stdout)."""
        out, err = self.result(name, expect=2)
        lines = err.strip().splitlines()
        self.assertEqual(len(lines), 1, f"{name}: expected a one-line message on stderr, got {err!r}")
        for word in words:
            self.assertIn(word, lines[0], f"{name}: {lines[0]!r}")
        self.assertEqual(self.files_in(name), [], f"{name}: wrote files")
        return lines[0], out
