#!/usr/bin/python3
"""Compares two captures of scripts/dev/capture.py (or two files): every HDF5 dataset and
attribute bit for bit (except created_utc and git_sha, which name the time and the commit),
every other file byte for byte, exit codes and normalised stdout. Prints one line per
difference and a count; exit 1 when anything differs.

    scripts/dev/compare_outputs.py OLD NEW        # two capture folders, or two files
"""
import re
import sys
from pathlib import Path

import h5py
import numpy as np

VOLATILE = {"created_utc", "git_sha", "mppmc_version"}
# In text (stdout, written TOML): the commit, the time, the binary's path.
TEXT_VOLATILE = [(re.compile(rb"git [0-9a-f]{40}(-dirty)?"), b"git SHA"),
                 (re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"), b"TIME"),
                 (re.compile(rb"Usage: \S*mppmc"), b"Usage: mppmc")]


def normalised(data):
    for pattern, replacement in TEXT_VOLATILE:
        data = pattern.sub(replacement, data)
    return data


def h5_items(path):
    items = {}

    def referenced(f, value):
        """Object references (dimension scales' DIMENSION_LIST, REFERENCE_LIST) by the name of
        what they point to: references into two files never compare equal themselves."""
        if isinstance(value, h5py.Reference):
            return f[value].name if value else None
        if isinstance(value, np.ndarray) and (value.dtype == object or value.dtype.names):
            return [referenced(f, v) for v in value.tolist()]
        if isinstance(value, (list, tuple, np.void)):
            return [referenced(f, v) for v in value]
        return value

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            items["D " + name] = referenced(obj.file, obj[()])
        for k, v in obj.attrs.items():
            if k not in VOLATILE:
                items[f"A {name}@{k}"] = referenced(obj.file, v)

    with h5py.File(path, "r") as f:
        for k, v in f.attrs.items():
            if k not in VOLATILE:
                items[f"A /@{k}"] = v
        f.visititems(visit)
    return items


def same(a, b):
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype != b.dtype:
            return False
        if a.dtype.kind in "fc":
            return a.tobytes() == b.tobytes()
        return np.array_equal(a, b)
    return a == b


def compare_files(a, b, label, report):
    counted = 0
    if a.suffix == ".h5":
        x, y = h5_items(a), h5_items(b)
        for key in sorted(set(x) | set(y)):
            counted += key.startswith("D ")
            if key not in x or key not in y:
                report(f"{label}: {key} only in {'new' if key in y else 'old'}")
            elif not same(x[key], y[key]):
                report(f"{label}: {key} differs")
    elif normalised(a.read_bytes()) != normalised(b.read_bytes()):
        report(f"{label}: {a.name} differs")
    return counted


def compare_trees(old, new, report):
    datasets = files = 0
    for a in sorted(p for p in old.rglob("*") if p.is_file()):
        rel = a.relative_to(old)
        b = new / rel
        if not b.exists():
            report(f"{rel}: missing in new")
            continue
        files += 1
        datasets += compare_files(a, b, str(rel), report)
    for b in sorted(p for p in new.rglob("*") if p.is_file()):
        if not (old / b.relative_to(new)).exists():
            report(f"{b.relative_to(new)}: only in new")
    return files, datasets


def main():
    old, new = Path(sys.argv[1]), Path(sys.argv[2])
    differences = []
    if old.is_dir():
        files, datasets = compare_trees(old, new, differences.append)
    else:
        files, datasets = 1, compare_files(old, new, old.name, differences.append)
    for line in differences:
        print(line)
    print(f"{files} files, {datasets} datasets compared; {len(differences)} differences")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
