"""Reproducibility promises (design.md, principle 2: every random number has an address):
the results file is bit-for-bit the same whatever the thread count, block size or vector
instructions (AVX2 or the portable paths); with
SOURCE_DATE_EPOCH set the whole file is byte-identical; another seed gives other numbers; adding
a measure or a correlation leaves the other inputs' draws untouched, and a correlation gives the
asked Spearman rank correlation.

Run: /usr/bin/python3 -m unittest -v tests/python/test_determinism.py
"""
import filecmp
import re
import sys
import tempfile
import unittest
from pathlib import Path

import h5py
import numpy as np
from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

N_PATHS = 3000
N_CORRELATION = 20000
SEED = 777
NO_EPOCH = {"SOURCE_DATE_EPOCH": None}
EPOCH_0 = {"SOURCE_DATE_EPOCH": "0"}


def input_columns(path):
    with h5py.File(path, "r") as f:
        names = mt.decode(f["inputs/names"][()])
        samples = f["inputs/samples"][()]
    return names, samples


class Determinism(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls._tmp = tempfile.TemporaryDirectory(prefix="mppmc-determinism-")
        cls.tmp = Path(cls._tmp.name)
        # The reference run: one thread, the config's block size.
        cls.reference = mt.run_results(mt.SMALL, cls.tmp / "threads1.h5", "--paths", N_PATHS, "--seed", SEED,
                                       "--threads", 1, "--save-paths", env=NO_EPOCH)

    @classmethod
    def tearDownClass(cls):
        cls._tmp.cleanup()

    def write_extension(self, name, body):
        """A scenario that extends small.toml (by absolute path) with `body` appended."""
        path = self.tmp / f"{name}.toml"
        path.write_text(f'[scenario]\nextends = "{mt.SMALL.as_posix()}"\nname = "{name}"\n\n{body}')
        return path

    def test_threads_and_block_size_do_not_change_the_file(self):
        variants = {
            "threads0": ("--threads", 0),  # all cores
            "threads2": ("--threads", 2),
            "threads4": ("--threads", 4),
            "threads2-block7": ("--threads", 2, "--block-size", 7),
            "threads1-block7": ("--threads", 1, "--block-size", 7),
        }
        for label, extra in variants.items():
            with self.subTest(run=label):
                out = mt.run_results(mt.SMALL, self.tmp / f"{label}.h5", "--paths", N_PATHS, "--seed", SEED,
                                     "--save-paths", *extra, env=NO_EPOCH)
                diffs = mt.h5_differences(self.reference, out, ignore_root_attrs=("created_utc",))
                self.assertEqual(diffs, [], f"{label} differs from the one-thread run:\n" + "\n".join(diffs[:20]))

    def test_source_date_epoch_gives_byte_identical_files(self):
        outputs = []
        # MPPMC_PORTABLE: the portable code paths instead of their AVX2 twins (core/simd.h), on a
        # machine that has AVX2; the same bits either way.
        portable = {**EPOCH_0, "MPPMC_PORTABLE": "1"}
        for label, extra, env in [("t1", ("--threads", 1), EPOCH_0), ("t2", ("--threads", 2), EPOCH_0),
                                  ("t4", ("--threads", 4), EPOCH_0), ("t2b7", ("--threads", 2, "--block-size", 7), EPOCH_0),
                                  ("t2-portable", ("--threads", 2), portable)]:
            outputs.append(mt.run_results(mt.SMALL, self.tmp / f"epoch-{label}.h5", "--paths", N_PATHS, "--seed",
                                          SEED, "--save-paths", *extra, env=env))
        with h5py.File(outputs[0], "r") as f:
            self.assertEqual(f.attrs["created_utc"], "1970-01-01T00:00:00Z")
        first = outputs[0].read_bytes()
        for out in outputs[1:]:
            with self.subTest(file=out.name):
                self.assertTrue(filecmp.cmp(outputs[0], out, shallow=False))
                self.assertEqual(out.read_bytes(), first)
        # And the same as the run without the variable, apart from the creation time.
        self.assertEqual(mt.h5_differences(self.reference, outputs[0]), [])

    def test_another_seed_gives_other_numbers(self):
        out = mt.run_results(mt.SMALL, self.tmp / "seed2.h5", "--paths", N_PATHS, "--seed", SEED + 1, env=NO_EPOCH)
        with h5py.File(self.reference, "r") as a, h5py.File(out, "r") as b:
            self.assertEqual(int(b.attrs["seed"]), SEED + 1)
            sa, sb = a["inputs/samples"][()], b["inputs/samples"][()]
            varying = sa.std(axis=0) > 0
            self.assertTrue(np.any(varying))
            # No drawn column repeats, no path repeats its draws.
            for k in np.nonzero(varying)[0]:
                self.assertFalse(np.array_equal(sa[:, k], sb[:, k]), f"input column {k} is the same for both seeds")
            for series in ["total_inflow", "coa_occupancy", "cost_total"]:
                qa, qb = a[f"monthly/{series}/quantiles"][()], b[f"monthly/{series}/quantiles"][()]
                self.assertFalse(np.array_equal(qa, qb), series)
                # ... but describe the same distribution: monthly medians (relative standard error
                # of the difference at most ~2% at 3000 paths) within 10%.
                np.testing.assert_allclose(qb[3], qa[3], rtol=0.10, err_msg=series)

    def rerun_from_the_file(self, results, label):
        """Runs the resolved scenario and run settings stored in `results` (scenario_toml,
        config_toml) again; returns the new file, or the failed process."""
        with h5py.File(results, "r") as f:
            scenario_toml, config_toml = f.attrs["scenario_toml"], f.attrs["config_toml"]
            save_paths = "paths" in f
        scenario, config = self.tmp / f"{label}-scenario.toml", self.tmp / f"{label}-config.toml"
        scenario.write_text(scenario_toml)
        config.write_text(config_toml)
        out = self.tmp / f"{label}-rerun.h5"
        return mt.mppmc("run", scenario, "--config", config, "-o", out, "-q",
                        *(["--save-paths"] if save_paths else []), env=NO_EPOCH), out

    def test_stored_scenario_and_config_reproduce_the_file(self):
        # design.md principle 5: the resolved scenario and run settings are stored in the results
        # file; rerunning them reproduces the file's numbers. variant.toml exercises `extends`.
        original = mt.run_results(mt.VARIANT, self.tmp / "variant.h5", "--paths", 2000, "--seed", 31337,
                                  env=NO_EPOCH)
        proc, rerun = self.rerun_from_the_file(original, "variant")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        diffs = mt.h5_differences(original, rerun, ignore_root_attrs=("created_utc", "scenario_file"))
        self.assertEqual(diffs, [], "\n".join(diffs[:20]))

    def test_seed_beyond_int64_is_recorded_faithfully_or_refused(self):
        # `mppmc run --help` offers seeds 0..2^64-1, config/default.toml says 0..2^63-1. Either
        # the command line refuses a seed the config cannot hold (exit 2), or the file records it
        # so that `info` shows it and the stored run settings reproduce the run.
        seed = 2**64 - 1
        out = self.tmp / "big-seed.h5"
        proc = mt.mppmc("run", mt.SMALL, "-o", out, "-q", "--paths", 500, "--seed", seed, env=NO_EPOCH)
        if proc.returncode == 2:
            self.assertFalse(out.exists())
            return
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with h5py.File(out, "r") as f:
            self.assertEqual(int(f.attrs["seed"]), seed)
        info = mt.mppmc("info", out, check=0)
        shown = re.findall(r"seed (\d+)", info.stdout)
        self.assertEqual(shown, [str(seed)], "mppmc info shows another seed than the run used")
        rerun_proc, rerun = self.rerun_from_the_file(out, "big-seed")
        self.assertEqual(rerun_proc.returncode, 0,
                         f"the run settings stored in the file (config_toml) are refused:\n{rerun_proc.stderr}")
        diffs = mt.h5_differences(out, rerun, ignore_root_attrs=("created_utc", "scenario_file"))
        self.assertEqual(diffs, [], "\n".join(diffs[:20]))

    def test_adding_a_measure_leaves_other_draws_unchanged(self):
        measure = self.write_extension("with-measure", (
            '[[measure]]\nname = "More housing"\nparameter = "housing.capacity_factor"\n'
            'start = "2026-01"\neffect = { dist = "uniform", low = 1.0, high = 1.2 }\n'))
        out = mt.run_results(measure, self.tmp / "with-measure.h5", "--paths", N_PATHS, "--seed", SEED,
                             "--threads", 1, "--save-paths", env=NO_EPOCH)
        base_names, base = input_columns(self.reference)
        names, samples = input_columns(out)
        self.assertEqual(len(names), len(base_names) + 1, f"expected one more input column: {names}")
        added = [n for n in names if n not in base_names]
        self.assertEqual(len(added), 1, added)
        self.assertIn("More housing", added[0])
        for k, name in enumerate(base_names):
            with self.subTest(input=name):
                self.assertTrue(np.array_equal(base[:, k], samples[:, names.index(name)]),
                                f"{name} changed when a measure was added")
        effect = samples[:, names.index(added[0])]
        self.assertTrue(np.all((effect >= 1.0) & (effect <= 1.2)))
        # Common random numbers: before the measure starts (2026-01) every path is bitwise the same.
        with h5py.File(self.reference, "r") as a, h5py.File(out, "r") as b:
            months = mt.decode(a["time/month"][()])
            before = [i for i, m in enumerate(months) if m < "2026-01"]
            self.assertGreater(len(before), 0)
            for series in mt.ALL_SERIES:
                with self.subTest(series=series):
                    pa, pb = a["paths/" + series][()], b["paths/" + series][()]
                    self.assertEqual(pa[:, before].tobytes(), pb[:, before].tobytes(),
                                     f"{series} changed before the measure started")
            housed_a = a["paths/housed"][()].astype(np.float64).sum()
            housed_b = b["paths/housed"][()].astype(np.float64).sum()
            self.assertGreater(housed_b, housed_a, "a housing-capacity factor >= 1 should house more")

    def test_adding_a_correlation_changes_only_its_two_inputs(self):
        a_key, b_key, rank = "ind.asylum.capacity_factor", "housing.capacity_factor", 0.5
        base_out = mt.run_results(mt.SMALL, self.tmp / "corr-base.h5", "--paths", N_CORRELATION, "--seed", SEED,
                                  env=NO_EPOCH)
        scenario = self.write_extension("with-correlation", (
            f'[[correlation]]\na = "{a_key}"\nb = "{b_key}"\nrank = {rank}\n'))
        out = mt.run_results(scenario, self.tmp / "with-correlation.h5", "--paths", N_CORRELATION, "--seed", SEED,
                             env=NO_EPOCH)
        base_names, base = input_columns(base_out)
        names, samples = input_columns(out)
        self.assertEqual(names, base_names, "a correlation adds no input")
        for k, name in enumerate(names):
            with self.subTest(input=name):
                same = np.array_equal(base[:, k], samples[:, k])
                if name in (a_key, b_key):
                    self.assertFalse(same, f"{name} should be redrawn through the copula")
                else:
                    self.assertTrue(same, f"{name} changed when an unrelated correlation was added")
        ia, ib = names.index(a_key), names.index(b_key)
        # Spearman's rho over 20000 paths has a standard error of about (1 - rho^2) / sqrt(n) = 0.005,
        # so 0.03 is six of them.
        rho = stats.spearmanr(samples[:, ia], samples[:, ib]).statistic
        self.assertAlmostEqual(rho, rank, delta=0.03)
        rho_base = stats.spearmanr(base[:, ia], base[:, ib]).statistic
        self.assertAlmostEqual(rho_base, 0.0, delta=0.03)
        # The copula keeps each margin: the same distribution (two-sample KS) as without it.
        for k in (ia, ib):
            self.assertGreater(stats.ks_2samp(base[:, k], samples[:, k]).pvalue, 1e-4, names[k])


if __name__ == "__main__":
    unittest.main()
