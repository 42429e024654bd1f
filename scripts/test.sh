#!/usr/bin/env bash
# The one test command (README): installs what is missing, builds, runs every test
# (Catch2 unit tests and the Python end-to-end tests, all through ctest).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
jobs=$(nproc 2>/dev/null || echo 2)
ctest --test-dir build --output-on-failure -j "$jobs" "$@"
