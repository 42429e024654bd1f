#!/usr/bin/env bash
# Installs what is missing, builds, and runs the default scenario (scenarios/mpp-2024-II.toml
# with config/default.toml): prints the band table of the key series and where the HDF5
# results are. Extra arguments go to `mppmc run` (e.g. --paths 20000, or a scenario file).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh >/dev/null
exec build/mppmc run --overwrite "$@"
