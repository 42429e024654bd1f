#!/usr/bin/python3
"""Records what mppmc writes, to prove a change bit for bit (docs/design.md, "Refactoring").

Use as MPPMC_BIN for the test suite: it runs the real binary (MPPMC_REAL_BIN), then copies
every file the command wrote (-o/--output, the --csv folder, the default results/ files) with
its exit code and normalised stdout under MPPMC_CAPTURE_DIR/<test file>/<n>-<hash of the
command line>/. Run the suite once with the old binary and once with the new one, then compare
the two folders with scripts/dev/compare_outputs.py.

    MPPMC_REAL_BIN=build/mppmc MPPMC_CAPTURE_DIR=/tmp/new MPPMC_BIN=scripts/dev/capture.py \
        ctest --test-dir build -R python
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

TEMP = re.compile(r"/tmp/[A-Za-z0-9_.-]+")


def normalise(text):
    text = TEMP.sub("TMP", text)
    return re.sub(r"\(\d+\.\d+ s\)", "(T s)", text)


def outputs(args, cwd):
    found = []
    for i, a in enumerate(args[:-1]):
        if a in ("-o", "--output", "--csv"):
            found.append(Path(cwd, args[i + 1]))
    return found


def main():
    real = os.environ["MPPMC_REAL_BIN"]
    root = Path(os.environ["MPPMC_CAPTURE_DIR"])
    args = sys.argv[1:]
    cwd = os.getcwd()
    start = time.time()
    proc = subprocess.run([real, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sys.stdout.buffer.write(proc.stdout)
    sys.stderr.buffer.write(proc.stderr)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        parent = Path(f"/proc/{os.getppid()}/cmdline").read_bytes().split(b"\0")
        test = next((Path(p.decode()).stem for p in parent if p.endswith(b".py") and b"test_" in p), "other")
        test = next((p.decode() for p in parent if p.startswith(b"test_")), test)
        line = normalise(" ".join(args))
        key = hashlib.sha1(line.encode()).hexdigest()[:12]
        folder = root / test
        folder.mkdir(parents=True, exist_ok=True)
        n = 0
        while (folder / f"{key}-{n}").exists():
            n += 1
        target = folder / f"{key}-{n}"
        target.mkdir()
        (target / "command").write_text(line + "\n")
        (target / "rc").write_text(f"{proc.returncode}\n")
        (target / "stdout").write_text(normalise(proc.stdout.decode(errors="replace")))
        named = outputs(args, cwd)
        if args and args[0] == "run" and not named:
            named = [p for p in Path(cwd, "results").glob("*.h5") if p.stat().st_mtime >= start - 1]
        for k, path in enumerate(named):
            if path.is_file():
                shutil.copy(path, target / f"out{k}{path.suffix}")
            elif path.is_dir():
                shutil.copytree(path, target / f"out{k}")
    except Exception as e:  # capture is best effort; the test's own outcome stands
        sys.stderr.write(f"capture: {e}\n")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()
