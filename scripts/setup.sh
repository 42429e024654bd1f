#!/usr/bin/env bash
# Installs the Debian packages mppmc needs to build, test and plot, if any are missing.
# Idempotent: a machine that has everything is left alone and no network is touched.
# Nothing is downloaded at build time; this is the only place packages come from.
set -euo pipefail

packages=(
  cmake g++ make pkg-config git
  libeigen3-dev        # Eigen 3.4: Cholesky for the Gaussian copula, block arrays
  libtbb-dev           # oneTBB: parallel blocks of paths
  libhdf5-dev          # HDF5 C API and its high-level library (dimension scales): results files
  catch2               # Catch2 v2: unit tests
  libtomlplusplus-dev  # toml++: scenario files with source positions
  libcli11-dev         # CLI11: the command line
  librandom123-dev     # Random123: counter-based Philox draws
  libbenchmark-dev     # Google Benchmark: bench/ micro-benchmarks (scripts/bench.sh)
  libopenmpi-dev openmpi-bin  # OpenMPI: runs across processes and machines (build-mpi/, docs/overnight.md)
  libxlsxwriter-dev    # libxlsxwriter: `mppmc export --xlsx` workbooks
  libboost-dev         # Boost.Math: inverse normal / beta quantiles (header-only)
  clang-format-14      # the formatting check (scripts/check_format.sh, a test)
  python3 python3-h5py python3-numpy python3-scipy python3-matplotlib python3-openpyxl  # scripts, read-back tests, NumPy peer
  python3-xarray python3-h5netcdf netcdf-bin  # results files read as xarray / netCDF (tests/python/test_xarray.py)
  pybind11-dev python3-pybind11 python3-dev python3-pandas  # import mppmc (docs/python.md)
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
