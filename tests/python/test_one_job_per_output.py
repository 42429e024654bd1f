"""One job per output (docs/overnight.md, "Two jobs, one output"): a second job on an output
that another job is writing is refused at once and disturbs nothing; a run keeps the
temporaries of live processes and removes those of killed ones; an interrupted run's
checkpoint is neither silently replaced by a fresh run nor needed by --resume."""
import fcntl
import os
import shutil
import subprocess
import tempfile
import time
import unittest
from pathlib import Path

import mppmc_testing as mt


class OneJobPerOutput(unittest.TestCase):
    def setUp(self):
        self._tmp = tempfile.TemporaryDirectory()
        self.tmp = Path(self._tmp.name)
        self.out = self.tmp / "run.h5"

    def tearDown(self):
        self._tmp.cleanup()

    def test_an_output_held_by_another_process_is_refused_and_left_alone(self):
        # This test process holds the lock, as a running job would.
        lock = open(str(self.out) + ".lock", "w")
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.write(str(os.getpid()))
        lock.flush()
        try:
            for args in (["run", mt.SMALL, "--paths", 100], ["calibrate", mt.DEFAULT_SCENARIO, "--year", 2025, "--band",
                                                              "37600,57600,66700", "--paths", 100]):
                with self.subTest(command=args[0]):
                    p = mt.mppmc(*args, "-o", self.out, "-q")
                    self.assertEqual(p.returncode, 2, p.stderr)
                    self.assertIn(f"another mppmc job (process {os.getpid()}) is writing {self.out}", p.stderr)
            self.assertFalse(self.out.exists())
        finally:
            lock.close()

    def test_two_runs_on_one_output_the_second_is_refused_the_first_completes(self):
        long_run = ["run", mt.SMALL, "--paths", "300000", "--quantiles", "sketch", "-o", str(self.out), "-q",
                    "--checkpoint-seconds", "0.2"]
        first = subprocess.Popen([str(mt.BIN), *map(str, long_run)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)
        lock = Path(str(self.out) + ".lock")
        deadline = time.monotonic() + 120
        while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        second = mt.mppmc("run", mt.SMALL, "--paths", 1000, "-o", self.out, "-q", "--overwrite")
        _, err = first.communicate(timeout=600)
        self.assertEqual(first.returncode, 0, err)
        if second.returncode == 0:
            self.skipTest("the first run finished before the second started")
        self.assertEqual(second.returncode, 2, second.stderr)
        self.assertIn("another mppmc job", second.stderr)
        self.assertEqual(mt.mppmc("info", self.out).returncode, 0)
        self.assertEqual(sorted(p.name for p in self.tmp.iterdir()), ["run.h5"])  # no lock, checkpoint or temporary

    def test_temporaries_of_killed_runs_go_those_of_live_processes_stay(self):
        dead = subprocess.Popen(["true"])
        dead.wait()
        stale = self.tmp / f"run.h5.tmp-{dead.pid}"
        live = self.tmp / f"run.h5.tmp-{os.getpid()}"  # this test process is alive
        stale.write_text("left by a killed run")
        live.write_text("another process's file in progress")
        mt.mppmc("run", mt.SMALL, "--paths", 200, "-o", self.out, "-q", check=0)
        self.assertFalse(stale.exists())
        self.assertEqual(live.read_text(), "another process's file in progress")

    def test_a_fresh_run_does_not_silently_replace_an_interrupted_runs_checkpoint(self):
        checkpoint = Path(str(self.out) + ".ckpt")
        checkpoint.write_bytes(b"an interrupted run's state")
        p = mt.mppmc("run", mt.SMALL, "--paths", 200, "-o", self.out, "-q")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("holds an interrupted run of this output", p.stderr)
        self.assertIn("--resume", p.stderr)
        self.assertEqual(checkpoint.read_bytes(), b"an interrupted run's state")
        self.assertFalse(self.out.exists())
        # --overwrite: start afresh; the finished run removes the checkpoint it replaced.
        mt.mppmc("run", mt.SMALL, "--paths", 200, "-o", self.out, "-q", "--overwrite", check=0)
        self.assertFalse(checkpoint.exists())

    def test_resume_without_a_checkpoint_starts_from_the_beginning(self):
        p = mt.mppmc("run", mt.SMALL, "--paths", 500, "-o", self.out, "-q", "--resume")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("no checkpoint", p.stderr)
        self.assertIn("starting from the beginning", p.stderr)
        fresh = self.tmp / "fresh.h5"
        mt.mppmc("run", mt.SMALL, "--paths", 500, "-o", fresh, "-q", check=0)
        self.assertEqual(mt.h5_differences(self.out, fresh), [])


class InputsAreNeverOutputs(unittest.TestCase):
    """--overwrite never replaces a file the job reads: a variant's `extends` base, a study's
    scenario or its base, the config."""

    def test_overwrite_naming_a_base_a_study_scenario_or_the_config_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            scenarios = tmp / "s2"
            shutil.copytree(mt.SOURCE_DIR / "scenarios", scenarios, ignore=shutil.ignore_patterns("data"))
            base = scenarios / "mpp-2024-II.toml"
            study = scenarios / "studies" / "coa-drivers.toml"
            config = tmp / "config.toml"
            shutil.copy(mt.DEFAULT_CONFIG, config)
            before = {f: f.read_bytes() for f in (base, study, config)}
            cases = [
                ("run with a variant", ["run", base, scenarios / "measures" / "combined.toml", "--paths", 100,
                                        "-o", base]),
                ("run of a variant alone", ["run", scenarios / "measures" / "combined.toml", "--paths", 100,
                                            "-o", base]),
                ("run's config", ["run", mt.SMALL, "--config", config, "--paths", 100, "-o", config]),
                ("calibrate of a variant", ["calibrate", scenarios / "measures" / "combined.toml", "--year", 2025,
                                            "--band", "37600,57600,66700", "--paths", 100, "-o", base]),
                ("sensitivity's scenario", ["sensitivity", study, "--samples", 8, "-o", base]),
            ]
            for name, args in cases:
                with self.subTest(case=name):
                    p = mt.mppmc(*args, "--overwrite", "-q")
                    self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
                    self.assertIn("writing the results there would destroy it", p.stderr)
            for f, data in before.items():
                self.assertEqual(f.read_bytes(), data, f"{f} was changed")


if __name__ == "__main__":
    unittest.main()
