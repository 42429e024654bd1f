#!/usr/bin/env bash
# Configures and builds mppmc (Release, portable flags) into build/, and, where OpenMPI is
# installed, an MPI-enabled mppmc into build-mpi/ for runs across processes and machines
# (mpirun -np K build-mpi/mppmc run ...). The plain build stays free of MPI: starting MPI costs
# every command a noticeable fraction of a second. Used by run.sh and test.sh.
# Usage: scripts/build.sh [--no-mpi] [CMAKE OPTIONS...]   (--no-mpi: build/ only)
set -euo pipefail
cd "$(dirname "$0")/.."
mpi=1
if [ "${1:-}" = "--no-mpi" ]; then
  mpi=0
  shift
fi
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j "$jobs"
if [ "$mpi" = 1 ] && command -v mpicxx >/dev/null 2>&1 && command -v mpirun >/dev/null 2>&1; then
  cmake -S . -B build-mpi -DCMAKE_BUILD_TYPE=Release -DMPPMC_WITH_MPI=ON -DMPPMC_BUILD_TESTS=OFF -DMPPMC_WITH_PYTHON=OFF \
        -DMPPMC_BUILD_BENCHMARKS=OFF "$@" >/dev/null
  cmake --build build-mpi -j "$jobs" --target mppmc
fi
