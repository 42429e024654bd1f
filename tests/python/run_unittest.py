"""Runs one Python test file for ctest: like `python3 -m unittest discover -v -p FILE`, but exits
77 when every test in the file was skipped (e.g. ../shared/bench/numpy_peer.py is absent), which
ctest reports as "skipped" (SKIP_RETURN_CODE) rather than "passed". Usage: run_unittest.py FILE"""
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main():
    suite = unittest.defaultTestLoader.discover(str(HERE), pattern=sys.argv[1], top_level_dir=str(HERE))
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        sys.exit(1)
    # A skipped class (setUpClass) is one entry of `skipped` and not counted in testsRun; a
    # skipped test is both.
    skipped_tests = sum(isinstance(test, unittest.TestCase) for test, _ in result.skipped)
    if result.skipped and result.testsRun == skipped_tests:
        print(f"every test of {sys.argv[1]} was skipped", file=sys.stderr)
        sys.exit(77)


if __name__ == "__main__":
    main()
