"""Overnight-scale runs as a user meets them: bounded-memory (sketch) percentiles against exact
ones on the same draws, kill -9 and --resume with a real process and a real signal, SIGTERM,
and checkpoints of other inputs. The 2,000,000-path memory ceiling runs only with
MPPMC_SLOW=1 (it takes minutes).

Run: /usr/bin/python3 -m unittest -v tests/python/test_overnight.py
"""
import os
import signal
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

import h5py
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402


class SketchAgainstExact(unittest.TestCase):
    def test_every_percentile_within_one_percent_on_the_same_draws(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            exact = mt.run_results(mt.SMALL, tmp / "exact.h5", mt.VARIANT, "--paths", "6000", "--quantiles", "exact")
            sketch = mt.run_results(mt.SMALL, tmp / "sketch.h5", mt.VARIANT, "--paths", "6000", "--quantiles", "sketch")
            with h5py.File(exact, "r") as a, h5py.File(sketch, "r") as b:
                self.assertEqual(a.attrs["quantile_method"], "exact")
                self.assertEqual(b.attrs["quantile_method"], "ddsketch:0.005")
                self.assertTrue(np.array_equal(a["inputs/samples"][:], b["inputs/samples"][:]))
                self.assertTrue(np.array_equal(a["variants/variant/inputs/samples"][:], b["variants/variant/inputs/samples"][:]))
                checked = 0
                for prefix in ("", "variants/variant/", "compare/variant/"):
                    for group in ("monthly", "annual"):
                        for series in mt.ALL_SERIES:
                            for name in ("quantiles", "band"):
                                x = a[f"{prefix}{group}/{series}/{name}"][:]
                                y = b[f"{prefix}{group}/{series}/{name}"][:]
                                # 1% relative, and a floor for values that are 0 up to rounding.
                                tolerance = 0.01 * np.abs(x) + 1e-6 * max(1.0, np.abs(x).max())
                                self.assertTrue(np.all(np.abs(y - x) <= tolerance), f"{prefix}{group}/{series}/{name}")
                                checked += x.size
                            for name in ("mean", "std"):
                                np.testing.assert_allclose(b[f"{prefix}{group}/{series}/{name}"][:],
                                                           a[f"{prefix}{group}/{series}/{name}"][:], rtol=1e-9, atol=1e-6)
                self.assertGreater(checked, 10000)

    def test_auto_takes_the_sketch_beyond_the_memory_limit(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = mt.run_results(mt.SMALL, Path(tmp) / "auto.h5", "--paths", "3000", "--memory-limit", "0.001")
            with h5py.File(out, "r") as f:
                self.assertEqual(f.attrs["quantile_method"], "ddsketch:0.005")
            out = mt.run_results(mt.SMALL, Path(tmp) / "auto2.h5", "--paths", "3000")
            with h5py.File(out, "r") as f:
                self.assertEqual(f.attrs["quantile_method"], "exact")

    def test_sketch_refuses_save_paths(self):
        with tempfile.TemporaryDirectory() as tmp:
            proc = mt.mppmc("run", mt.SMALL, "--paths", "10", "--quantiles", "sketch", "--save-paths", "-o", Path(tmp) / "x.h5")
            self.assertEqual(proc.returncode, 2)
            self.assertIn("--quantiles exact", proc.stderr)


class CheckpointAndResume(unittest.TestCase):
    PATHS = "400000"
    QUANTILES = "sketch"  # chunk by chunk; ExactCheckpointAndResume: month by month

    def args(self, out, *extra):
        """The run's command line after `mppmc`: the killed run, its resumption and the whole run
        must be the same command."""
        return ["run", str(mt.SMALL), "--paths", self.PATHS, "--quantiles", self.QUANTILES, "-o", str(out), "-q", *extra]

    def start(self, out):
        """A run with checkpoints every 0.2 s, once its first checkpoint exists: (process, checkpoint)."""
        mt.require_binary()
        proc = subprocess.Popen([str(mt.BIN), *self.args(out, "--checkpoint-seconds", "0.2")], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        checkpoint = Path(str(out) + ".ckpt")
        self.wait_for(checkpoint, proc)
        return proc, checkpoint

    def wait_for(self, path, proc, seconds=120):
        deadline = time.monotonic() + seconds
        while not path.exists():
            if proc.poll() is not None:
                _, err = proc.communicate()
                self.fail(f"the run ended (exit {proc.returncode}) before writing {path}: {err}")
            if time.monotonic() > deadline:
                proc.kill()
                proc.communicate()
                self.fail(f"no checkpoint {path} after {seconds} s")
            time.sleep(0.05)

    def test_kill_9_then_resume_equals_an_uninterrupted_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            out = tmp / "run.h5"
            proc, checkpoint = self.start(out)
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            self.assertEqual(proc.returncode, -signal.SIGKILL)
            self.assertFalse(out.exists())
            mt.mppmc(*self.args(out, "--resume"), check=0)
            self.assertFalse(checkpoint.exists(), "the checkpoint is removed once the run is complete")
            self.assertEqual(mt.tmp_litter(tmp), [])
            full = tmp / "full.h5"
            mt.mppmc(*self.args(full), check=0)
            self.assertEqual(mt.h5_differences(out, full), [])

    def test_sigterm_writes_a_checkpoint_and_exits_130(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            out = tmp / "run.h5"
            proc, checkpoint = self.start(out)
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=120)
            if proc.returncode == 0:
                self.skipTest("the run finished before the signal arrived")
            self.assertEqual(proc.returncode, 130, err)
            self.assertIn("checkpoint", err)
            self.assertTrue(checkpoint.exists())
            self.assertFalse(out.exists())
            self.assertEqual(mt.tmp_litter(tmp), [])
            # A checkpoint of other inputs is refused.
            other = mt.mppmc(*self.args(out, "--resume", "--seed", "99"))
            self.assertEqual(other.returncode, 2)
            self.assertIn("written for other inputs", other.stderr)


class ExactCheckpointAndResume(CheckpointAndResume):
    """Exact percentiles in one process run month by month; a checkpoint can come after any month."""
    PATHS = "200000"
    QUANTILES = "exact"


@unittest.skipUnless(os.environ.get("MPPMC_SLOW"), "set MPPMC_SLOW=1 to run the 2,000,000-path memory ceiling (minutes)")
class MemoryCeiling(unittest.TestCase):
    def test_two_million_paths_of_the_default_scenario_stay_below_1_gib(self):
        with tempfile.TemporaryDirectory() as tmp:
            proc = subprocess.run(["/usr/bin/time", "-f", "%M", str(mt.BIN), "run", "--paths", "2000000", "--quantiles",
                                   "sketch", "-o", str(Path(tmp) / "big.h5"), "-q"], text=True, capture_output=True)
            self.assertEqual(proc.returncode, 0, proc.stderr)
            peak_kib = int(proc.stderr.strip().splitlines()[-1])
            self.assertLess(peak_kib, 1024 * 1024)


if __name__ == "__main__":
    unittest.main()
