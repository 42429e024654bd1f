#!/usr/bin/env bash
# Side-by-side speed of mppmc and the vectorised NumPy peer (../shared/bench/numpy_peer.py) on
# the same scenario and paths, in one run on one machine, runs alternating (mppmc, peer, mppmc,
# peer, ...) so that a change in the machine's load falls on both; plus mppmc's floors for the
# same scenario (bench/micro.cpp: BM_Floor, the draws and month steps alone; BM_FloorBare,
# Philox uniforms and normals and the month steps on the parameters' medians, no quantile
# inversion) and its memory per path. Whole-process wall times, best of REPEAT runs each.
# Usage: scripts/bench.sh [SCENARIO] [PATHS] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/mpp-2024-II.toml}
paths=${2:-100000}
repeat=${3:-3}
peer=${MPPMC_PEER:-../shared/bench/numpy_peer.py}
python=/usr/bin/python3

bash scripts/setup.sh >/dev/null
bash scripts/build.sh --no-mpi >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

timed() {  # wall time (s) and peak RSS (kB) of one run of "$@"
  /usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/err" || { cat "$out/err"; exit 1; }
  cat "$out/time"
}
faster() {  # the better of "T M" pairs $1 (may be empty) and $2
  if [ -z "$1" ] || awk "BEGIN{exit !(${2% *} < ${1% *})}"; then echo "$2"; else echo "$1"; fi
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "scenario: $scenario, $paths paths, all 24 series, exact monthly and annual percentiles; best of $repeat, alternating"
best_mppmc="" best_peer=""
for k in $(seq "$repeat"); do
  run=$(timed build/mppmc run "$scenario" --paths "$paths" -o "$out/run.h5" --overwrite -q)
  best_mppmc=$(faster "$best_mppmc" "$run")
  line="  run $k: mppmc ${run% *} s"
  if [ -f "$peer" ]; then
    run=$(timed "$python" "$peer" "$scenario" --paths "$paths" --seed 1 --out "$out/peer.npz")
    best_peer=$(faster "$best_peer" "$run")
    line="$line, peer ${run% *} s"
  fi
  echo "$line"
done
read -r t_mppmc m_mppmc <<<"$best_mppmc"
printf '  mppmc run (default threads)   %8.2f s   peak %6.0f MiB   %6.0f bytes/path\n' "$t_mppmc" "$((m_mppmc / 1024))" \
  "$(awk "BEGIN{print $m_mppmc * 1024 / $paths}")"
if [ -n "$best_peer" ]; then
  read -r t_peer m_peer <<<"$best_peer"
  printf '  NumPy peer                    %8.2f s   peak %6.0f MiB\n' "$t_peer" "$((m_peer / 1024))"
  printf '  ratio peer / mppmc            %8.1fx\n' "$(awk "BEGIN{print $t_peer / $t_mppmc}")"
else
  echo "  NumPy peer not found at $peer (set MPPMC_PEER); no ratio"
fi
if [ -x build/bench/mppmc_micro ]; then
  # The floors run 100,000 paths; scaled linearly to PATHS (both are linear in the paths).
  floors=$(MPPMC_BENCH_SCENARIO="$scenario" build/bench/mppmc_micro --benchmark_filter='BM_Floor(Bare)?/' \
             --benchmark_format=csv 2>/dev/null)
  scale=$(awk "BEGIN{print $paths / 100000}")
  floor=$(awk -F, -v s="$scale" '/"BM_Floor\//{print $3 / 1000 * s}' <<<"$floors")
  bare=$(awk -F, -v s="$scale" '/"BM_FloorBare\//{print $3 / 1000 * s}' <<<"$floors")
  printf '  floor (draws + month steps)   %8.2f s   (BM_Floor)\n' "$floor"
  printf '  bare floor                    %8.2f s   (BM_FloorBare: Philox uniforms and normals, month steps)\n' "$bare"
  printf '  full run / floor              %8.2fx\n' "$(awk "BEGIN{print $t_mppmc / $floor}")"
  printf '  full run / bare floor         %8.2fx\n' "$(awk "BEGIN{print $t_mppmc / $bare}")"
fi
