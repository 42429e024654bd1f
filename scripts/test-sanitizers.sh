#!/usr/bin/env bash
# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, then a short libFuzzer
# run of the scenario reader (docs/testing.md). CI runs it after scripts/test.sh.
#   build-asan/  MPPMC_SANITIZE=ON (GCC): Catch2 + the Python tests with MPPMC_BIN = its mppmc
#   build-fuzz/  MPPMC_FUZZ=ON (clang-14): fuzz_scenario_reader, seeded from scenarios/ and
#                tests/data/, for FUZZ_SECONDS (default 60; 0 skips it)
# Extra arguments go to ctest (e.g. -R python.test_faults).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
jobs=$(nproc 2>/dev/null || echo 2)
fuzz_seconds=${FUZZ_SECONDS:-60}

# Any sanitizer report fails the test that caused it: ASan aborts at the first error (and at
# exit on a leak), UBSan too (halt_on_error). Debian's TBB, HDF5 and libstdc++ are not
# instrumented; ASan and UBSan need no suppressions for them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
# One known leak, inside libhdf5 (scripts/lsan.supp says which and why).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/scripts/lsan.supp:print_suppressions=0}
# Instrumented runs are several times slower: the Python tests' per-command limits and ctest's
# per-file limit grow with them.
export MPPMC_TIMEOUT_SCALE=${MPPMC_TIMEOUT_SCALE:-6}

start=$(date +%s)
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMPPMC_SANITIZE=ON -DMPPMC_BUILD_BENCHMARKS=OFF \
      -DMPPMC_PYTHON_TEST_TIMEOUT=3600 >/dev/null
cmake --build build-asan -j "$jobs"
built=$(date +%s)
# Left out, and why:
#   python.test_mpi  runs build-mpi/mppmc, an uninstrumented Release build (OpenMPI itself is not
#                    instrumented and reports leaks of its own); scripts/test.sh runs it.
ctest --test-dir build-asan --output-on-failure -j "$jobs" -E '^python\.test_mpi$' "$@"
tested=$(date +%s)
echo "sanitizers: build $((built - start)) s, suite $((tested - built)) s"

if [ "$fuzz_seconds" -gt 0 ]; then
  cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang-14 \
        -DCMAKE_CXX_COMPILER=clang++-14 -DMPPMC_FUZZ=ON -DMPPMC_BUILD_TESTS=OFF \
        -DMPPMC_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build build-fuzz -j "$jobs" --target fuzz_scenario_reader
  # The corpus starts from every scenario the project ships or tests; what the fuzzer finds is
  # kept in build-fuzz/corpus between runs on one machine.
  mkdir -p build-fuzz/corpus
  cp scenarios/*.toml scenarios/*/*.toml tests/data/*.toml build-fuzz/corpus/
  build-fuzz/fuzz/fuzz_scenario_reader -max_total_time="$fuzz_seconds" -timeout=20 -rss_limit_mb=4096 \
    -dict=fuzz/toml.dict -artifact_prefix=build-fuzz/ build-fuzz/corpus
  echo "sanitizers: fuzzing $(($(date +%s) - tested)) s (with its build)"
fi
