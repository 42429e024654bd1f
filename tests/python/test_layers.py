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


class Layers(unittest.TestCase):
    def test_the_tree_keeps_its_layers(self):
        proc = check(mt.SOURCE_DIR / "src")
        self.assertEqual(proc.returncode, 0, proc.stdout)
        self.assertIn("0 violations", proc.stdout)

    def test_a_wrong_include_fails_naming_file_line_and_rule(self):
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "src"
            shutil.copytree(mt.SOURCE_DIR / "src", src)
            target = src / "engine" / "statistics.cpp"
            lines = target.read_text().splitlines()
            lines.insert(1, '#include "io/results_writer.h"')  # engine reaching up into io
            lines.insert(2, "#include <CLI/CLI.hpp>")          # CLI11 outside cli
            target.write_text("\n".join(lines) + "\n")
            proc = check(src)
            self.assertEqual(proc.returncode, 1, proc.stdout)
            self.assertIn(f"{target}:2: includes io/results_writer.h: engine may not include io", proc.stdout)
            self.assertIn(f"{target}:3: includes CLI/CLI.hpp: CLI11 belongs to cli, not engine", proc.stdout)
            self.assertIn("2 violations", proc.stdout)


if __name__ == "__main__":
    unittest.main()
