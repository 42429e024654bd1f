#!/usr/bin/env bash
# Side-by-side speed of mppmc and the vectorised NumPy peer (../shared/bench/numpy_peer.py) on
# the same scenario and paths, in one run on one machine, plus mppmc's floor (the draws and
# month steps alone, bench/micro.cpp BM_Floor) and its memory per path. Whole-process wall
# times, best of REPEAT runs. Usage: scripts/bench.sh [SCENARIO] [PATHS] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/mpp-2024-II.toml}
paths=${2:-100000}
repeat=${3:-3}
peer=${MPPMC_PEER:-../shared/bench/numpy_peer.py}
python=/usr/bin/python3

bash scripts/setup.sh >/dev/null
bash scripts/build.sh >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

best() {  # best wall time (s) and its peak RSS (kB) of REPEAT runs of "$@"
  local best_t="" best_m=""
  for _ in $(seq "$repeat"); do
    /usr/bin/time -f "%e %M" -o "$out/time" "$@" >/dev/null 2>"$out/err" || { cat "$out/err"; exit 1; }
    read -r t m <"$out/time"
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; best_m=$m; fi
  done
  echo "$best_t $best_m"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "scenario: $scenario, $paths paths, all 24 series, exact monthly and annual percentiles; best of $repeat"
read -r t_mppmc m_mppmc < <(best build/mppmc run "$scenario" --paths "$paths" -o "$out/run.h5" --overwrite -q)
printf '  mppmc run (default threads)   %8.2f s   peak %6.0f MiB   %6.0f bytes/path\n' "$t_mppmc" "$((m_mppmc / 1024))" \
  "$(awk "BEGIN{print $m_mppmc * 1024 / $paths}")"
if [ -f "$peer" ]; then
  read -r t_peer m_peer < <(best "$python" "$peer" "$scenario" --paths "$paths" --seed 1 --out "$out/peer.npz")
  printf '  NumPy peer                    %8.2f s   peak %6.0f MiB\n' "$t_peer" "$((m_peer / 1024))"
  printf '  ratio peer / mppmc            %8.1fx\n' "$(awk "BEGIN{print $t_peer / $t_mppmc}")"
else
  echo "  NumPy peer not found at $peer (set MPPMC_PEER); no ratio"
fi
if [ -x build/bench/mppmc_micro ]; then
  floor_ms=$(build/bench/mppmc_micro --benchmark_filter=BM_Floor --benchmark_format=csv 2>/dev/null |
             awk -F, '/BM_Floor/{print $3}')
  printf '  floor (draws + month steps)   %8.2f s   (bench/mppmc_micro BM_Floor, %s paths of the default scenario)\n' \
    "$(awk "BEGIN{print $floor_ms / 1000}")" 100000
  printf '  full run / floor              %8.2fx\n' "$(awk "BEGIN{print $t_mppmc / ($floor_ms / 1000)}")"
fi
