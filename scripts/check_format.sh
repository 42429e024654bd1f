#!/usr/bin/env bash
# Refuses C++ files that clang-format-14 would change (the repository's .clang-format): prints
# each such file with the first differences and exits 1. Format them with
#   clang-format-14 -i $(git ls-files '*.h' '*.cpp')
# Usage: scripts/check_format.sh (from anywhere; checks the tracked files of this checkout, or
# every .h/.cpp under src/, tests/ and bench/ outside a git checkout).
set -euo pipefail
cd "$(dirname "$0")/.."
format=$(command -v clang-format-14 || command -v clang-format || true)
if [ -z "$format" ]; then
  echo "check_format: clang-format-14 not found (scripts/setup.sh installs it)" >&2
  exit 1
fi
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files '*.h' '*.hpp' '*.cpp')
else
  mapfile -t files < <(find src tests bench -name '*.h' -o -name '*.hpp' -o -name '*.cpp')
fi
bad=0
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  if ! "$format" --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f"
    "$format" "$f" | diff "$f" - | head -8 || true
    bad=$((bad + 1))
  fi
done
echo "check_format: ${#files[@]} files, $bad not formatted"
[ "$bad" -eq 0 ]
