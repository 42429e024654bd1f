#!/usr/bin/python3
"""Checks the layering of src/ (docs/design.md, "Layers"): reads every #include of every file
under src/ and refuses

  * an include of a project header from a layer above the file's own, in the order
        core <- model <- engine <- analysis <- io <- app <- cli | python
    (a layer may include its own headers and those of the layers to its left; cli and python
    are two top floors side by side, neither includes the other);
  * a third-party header outside the layers that own it: toml++ and HDF5 in io, CLI11 in cli,
    pybind11 and Python in python, oneTBB and MPI in engine.

Prints one line per violation (file:line: what and why) and exits 1 when there is any, 0
otherwise. Usage: scripts/check_layers.py [SOURCE_ROOT] (default: the repository's src/).
"""
import re
import sys
from pathlib import Path

LAYERS = ["core", "model", "engine", "analysis", "io", "app", "cli", "python"]
# The floor of each layer: a layer may include the layers on lower floors and its own.
FLOOR = {"core": 0, "model": 1, "engine": 2, "analysis": 3, "io": 4, "app": 5, "cli": 6, "python": 6}
PICTURE = "core <- model <- engine <- analysis <- io <- app <- cli | python"

# Third-party headers by the prefix of the include path, and the layers that may include them.
OWNED = [
    (re.compile(r"^toml\+\+/"), "toml++", {"io"}),
    (re.compile(r"^(hdf5(_hl)?\.h|H5[A-Za-z]*\.h)$"), "HDF5", {"io"}),
    (re.compile(r"^CLI/"), "CLI11", {"cli"}),
    (re.compile(r"^xlsxwriter"), "libxlsxwriter", {"io"}),
    (re.compile(r"^(pybind11/|Python\.h$)"), "pybind11 and Python", {"python"}),
    (re.compile(r"^(tbb/|oneapi/tbb)"), "oneTBB", {"engine"}),
    (re.compile(r"^mpi\.h$"), "MPI", {"engine"}),
]

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def violations(root):
    found = []
    for path in sorted(p for p in root.rglob("*") if p.suffix in (".h", ".hpp", ".cpp")):
        layer = path.relative_to(root).parts[0]
        if layer not in LAYERS:
            found.append(f"{path}:1: not in a layer folder ({', '.join(LAYERS)})")
            continue
        floor = FLOOR[layer]
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m:
                continue
            target = m.group(2)
            first = target.split("/")[0]
            if m.group(1) == '"' and first in LAYERS and first != layer and FLOOR[first] >= floor:
                where = "beside" if FLOOR[first] == floor else "above"
                found.append(f"{path}:{number}: includes {target}: {layer} may not include {first}, which sits {where} "
                             f"it ({PICTURE})")
            for pattern, library, owners in OWNED:
                if pattern.search(target) and layer not in owners:
                    found.append(f"{path}:{number}: includes {target}: {library} belongs to "
                                 f"{' and '.join(sorted(owners))}, not {layer}")
    return found


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1] / "src"
    found = violations(root)
    for line in found:
        print(line)
    files = sum(1 for p in root.rglob("*") if p.suffix in (".h", ".hpp", ".cpp"))
    print(f"check_layers: {files} files, {len(found)} violation{'' if len(found) == 1 else 's'}")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
