"""Runs across processes (MPI): `mpirun -np 2 build-mpi/mppmc ...` writes the same file, bit for
bit, as one process, for a baseline with a variant (exact and sketch percentiles) and for a
sensitivity study. Skipped, with the reason, where the MPI build (build-mpi/, made by
scripts/build.sh when OpenMPI is installed) is missing.

Run: /usr/bin/python3 -m unittest -v tests/python/test_mpi.py
"""
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mppmc_testing as mt  # noqa: E402

MPI_BIN = Path(os.environ.get("MPPMC_MPI_BIN") or mt.SOURCE_DIR / "build-mpi" / "mppmc")
STUDY = mt.SOURCE_DIR / "scenarios" / "studies" / "coa-drivers.toml"


@unittest.skipUnless(MPI_BIN.is_file() and shutil.which("mpirun"),
                     f"MPI is not built here: no {MPI_BIN} or no mpirun (scripts/build.sh builds build-mpi/ where "
                     f"OpenMPI is installed)")
class OneVersusTwoProcesses(unittest.TestCase):
    def run_both(self, tmp, *args):
        env = dict(os.environ, SOURCE_DATE_EPOCH="0", OMPI_MCA_btl_vader_single_copy_mechanism="none")
        one, two = tmp / "one.h5", tmp / "two.h5"
        for out, launcher in ((one, []), (two, ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2",
                                                "-x", "SOURCE_DATE_EPOCH"])):
            proc = subprocess.run(launcher + [str(MPI_BIN), *map(str, args), "-o", str(out), "-q"], env=env, text=True,
                                  capture_output=True, timeout=300)
            self.assertEqual(proc.returncode, 0, f"{launcher} {args}: {proc.stderr}")
        self.assertEqual(mt.h5_differences(one, two), [])
        self.assertEqual(one.read_bytes(), two.read_bytes())

    def test_baseline_and_variant_exact(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.run_both(Path(tmp), "run", mt.SMALL, mt.VARIANT, "--paths", "3000", "--quantiles", "exact")

    def test_baseline_and_variant_sketch(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.run_both(Path(tmp), "run", mt.SMALL, mt.VARIANT, "--paths", "5000", "--quantiles", "sketch")

    def test_sensitivity_study(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.run_both(Path(tmp), "sensitivity", STUDY, "--samples", "64")


if __name__ == "__main__":
    unittest.main()
