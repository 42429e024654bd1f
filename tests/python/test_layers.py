"""The layering check (scripts/check_layers.py) passes on the tree and fails, naming the file,
line and rule, on a copy with a deliberately wrong include: an include that goes up the layers,
and a third-party header outside its layer."""
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import mppmc_testing as mt

SCRIPT = mt.SOURCE_DIR / "scripts" / "check_layers.py"


def check(root):
    return subprocess.run([sys.executable, str(SCRIPT), str(root)], text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=60)


def copy_with_includes(tmp, includes):
    """A copy of src/ under `tmp` with the lines `includes[file]` inserted after each file's
    first line (so the first lands on line 2); returns the copy's folder."""
    src = Path(tmp) / "src"
    shutil.copytree(mt.SOURCE_DIR / "src", src)
    for name, added in includes.items():
        lines = (src / name).read_text().splitlines()
        lines[1:1] = added
        (src / name).write_text("\n".join(lines) + "\n")
    return src


class Layers(unittest.TestCase):
    def test_the_tree_keeps_its_layers(self):
        proc = check(mt.SOURCE_DIR / "src")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("0 violations", proc.stdout)

    def test_a_wrong_include_fails_naming_file_line_and_rule(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = copy_with_includes(tmp, {"engine/statistics.cpp": ['#include "io/results_writer.h"',  # up into io
                                                                     "#include <CLI/CLI.hpp>"]})  # CLI11 outside cli
            target = src / "engine" / "statistics.cpp"
            proc = check(src)
            self.assertEqual(proc.returncode, 1, proc.stdout)
            self.assertIn(f"{target}:2: includes io/results_writer.h: engine may not include io", proc.stdout)
            self.assertIn(f"{target}:3: includes CLI/CLI.hpp: CLI11 belongs to cli, not engine", proc.stdout)
            self.assertIn("2 violations", proc.stdout)

    def test_the_two_top_floors_do_not_include_each_other(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = copy_with_includes(tmp, {"python/module.cpp": ['#include "cli/commands.h"'],  # sideways into cli
                                           "app/run.cpp": ["#include <pybind11/pybind11.h>"]})  # outside python
            module, target = src / "python" / "module.cpp", src / "app" / "run.cpp"
            proc = check(src)
            self.assertEqual(proc.returncode, 1, proc.stdout)
            self.assertIn(f"{module}:2: includes cli/commands.h: python may not include cli, which sits beside it",
                          proc.stdout)
            self.assertIn(f"{target}:2: includes pybind11/pybind11.h: pybind11 and Python belongs to python, not app",
                          proc.stdout)
            self.assertIn("2 violations", proc.stdout)


if __name__ == "__main__":
    unittest.main()
