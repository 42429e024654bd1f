#!/usr/bin/env bash
# Installs what is missing, builds, and runs the default scenario (scenarios/mpp-2024-II.toml
# with config/default.toml): prints the band table of the key series and where the HDF5
# results are. Extra arguments go to `mppmc run` (e.g. --paths 20000, or a scenario file).
# The first build takes a few minutes and shows its progress; later ones are quiet. The MPI
# variant (build-mpi/) is built only with MPPMC_WITH_MPI=1 (scripts/test.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
mpi_flag=(--no-mpi)
if [ "${MPPMC_WITH_MPI:-0}" = 1 ]; then mpi_flag=(); fi
if [ -x build/mppmc ]; then
  bash scripts/build.sh "${mpi_flag[@]}" >/dev/null
else
  echo "run.sh: first build (a few minutes on 2 cores)" >&2
  bash scripts/build.sh "${mpi_flag[@]}" >&2
fi
exec build/mppmc run --overwrite "$@"
