#!/usr/bin/env bash
# How `mppmc run` scales (docs/performance.md): whole-process wall time at 1, 2, 4, ... threads
# on the same work, then the growth with paths (10k -> 1M) and with the horizon (12 -> 120
# months) at all cores. Exact percentiles throughout (--quantiles exact), so every row does the
# same kind of work. Builds nothing and needs nothing beyond bash and coreutils, so it also runs
# on a machine without the build tools, with a carried binary:
#   MPPMC="lib/ld-linux-x86-64.so.2 --library-path lib build/mppmc" scripts/scaling.sh
#
# Usage: scripts/scaling.sh [SCENARIO] [PATHS]      (default: scenarios/mpp-2024-II.toml, 100000)
# Environment: MPPMC   the command that runs mppmc (default build/mppmc)
#              THREADS thread counts of the first table (default 1 2 4 ... up to the core count)
#              REPEAT  runs per row; the best wall time counts (default 3)
#              GROWTH  0 skips the paths and horizon tables (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
scenario=${1:-scenarios/mpp-2024-II.toml}
paths=${2:-100000}
read -r -a mppmc <<<"${MPPMC:-build/mppmc}"
repeat=${REPEAT:-3}
cores=$(nproc)
if [ -z "${THREADS:-}" ]; then
  THREADS=1
  for ((t = 2; t <= cores; t *= 2)); do THREADS+=" $t"; done
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Best wall time in seconds of REPEAT runs of `mppmc run` with the given arguments.
best() {
  local best_t="" t0 t1 t
  for _ in $(seq "$repeat"); do
    t0=$(date +%s.%N)
    "${mppmc[@]}" run "$@" -o "$out/run.h5" --overwrite -q --quantiles exact >/dev/null 2>"$out/err" || { cat "$out/err"; exit 1; }
    t1=$(date +%s.%N)
    t=$(awk "BEGIN{printf \"%.3f\", $t1 - $t0}")
    if [ -z "$best_t" ] || awk "BEGIN{exit !($t < $best_t)}"; then best_t=$t; fi
  done
  echo "$best_t"
}

echo "machine: $cores cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "mppmc: ${mppmc[*]} ($("${mppmc[@]}" --version 2>/dev/null | head -1))"
echo "scenario: $scenario; exact percentiles; best of $repeat whole-process wall times"
echo
echo "threads ($paths paths):"
printf '  %7s %9s %9s %11s\n' threads "wall s" speed-up efficiency
t1=""
for t in $THREADS; do
  w=$(best "$scenario" --paths "$paths" --threads "$t")
  [ -n "$t1" ] || t1=$(awk "BEGIN{print $w * $t}")  # the first row's time, as if on one thread
  printf '  %7d %9.2f %8.2fx %10.0f%%\n' "$t" "$w" "$(awk "BEGIN{print $t1 / $w}")" "$(awk "BEGIN{print 100 * $t1 / $w / $t}")"
done
[ "${GROWTH:-1}" != 0 ] || exit 0

echo
echo "paths ($cores threads):"
printf '  %9s %9s %16s\n' paths "wall s" "s per 100k paths"
for n in 10000 100000 1000000; do
  w=$(best "$scenario" --paths "$n")
  printf '  %9d %9.2f %16.3f\n' "$n" "$w" "$(awk "BEGIN{print $w / $n * 100000}")"
done

echo
echo "horizon ($paths paths, $cores threads):"
printf '  %7s %9s %22s\n' months "wall s" "ns per path-month"
base=$(realpath "$scenario")
for h in 12 24 60 120; do
  printf '[scenario]\nextends = "%s"\nhorizon_months = %d\n' "$base" "$h" >"$out/h$h.toml"
  w=$(best "$out/h$h.toml" --paths "$paths")
  printf '  %7d %9.2f %22.1f\n' "$h" "$w" "$(awk "BEGIN{print $w / ($paths * $h) * 1e9}")"
done
