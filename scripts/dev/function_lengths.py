#!/usr/bin/python3
"""Lists the longest functions in src/ (lines from the signature to the closing brace).

A function definition is a line at namespace level (mppmc does not indent namespaces) or at a
class member's indentation (2) that opens a parameter list and, on it or a following line, a
body '{'; it ends at the first line that is '}' at the same indentation. Lambdas and control
statements count inside the function that holds them. Usage: scripts/dev/function_lengths.py [N]
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOT_A_SIGNATURE = re.compile(r"^\s*(//|#|namespace\b|class\b|struct\b|enum\b|template\b|using\b|extern\b|"
                             r"static_assert\b|if\b|for\b|while\b|switch\b|else\b|do\b|return\b|case\b|try\b|"
                             r"catch\b|public:|private:|protected:|\})")


def functions(path):
    lines = path.read_text().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        indent = len(line) - len(line.lstrip())
        if indent in (0, 2) and line.strip() and "(" in line and not NOT_A_SIGNATURE.match(line) \
                and "= [" not in line:
            j = i
            while j < len(lines) and not lines[j].rstrip().endswith(("{", ";")) and j - i < 8:
                j += 1
            if j < len(lines) and lines[j].rstrip().endswith("{") and not lines[j].rstrip().endswith("= {"):
                close = " " * indent + "}"
                k = j + 1
                while k < len(lines) and lines[k].rstrip() not in (close, close + ";"):
                    k += 1
                if k < len(lines):
                    name = re.sub(r"\s+", " ", line.split("(")[0]).strip().split(" ")[-1]
                    yield k - i + 1, f"{path.relative_to(ROOT)}:{i + 1}", name
                    if indent == 0:
                        i = k
        i += 1


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    found = [f for p in sorted((ROOT / "src").rglob("*.[ch]*")) for f in functions(p)]
    for length, where, name in sorted(found, reverse=True)[:n]:
        print(f"{length:5d}  {name:40s} {where}")


if __name__ == "__main__":
    main()
