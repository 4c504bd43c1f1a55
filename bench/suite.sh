#!/usr/bin/env bash
# Scenarios per minute for the bundled suite (every file in topologies/, each
# matrix cell a scenario) at several -j levels, REPEATS runs each, median.
# Most scenarios wait (for timeouts, for peers), so the rate should grow
# nearly linearly with -j until the CPUs are busy.
# Needs root. Usage: sudo bench/suite.sh [REPEATS] [JOBS...]   (default: 1  1 2 4 8)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_init suite
repeats=${1:-1}
shift || true
levels=("$@")
[ ${#levels[@]} -gt 0 ] || levels=(1 2 4 8)

echo "bundled suite: $("$testbed" validate "$here/../topologies" | grep -c '^ok') files, $(nproc) CPUs"
printf '%4s %10s %10s %14s %8s\n' "-j" "scenarios" "seconds" "scenarios/min" "speedup"
base=""
for j in "${levels[@]}"; do
  for r in $(seq "$repeats"); do
    start=$(date +%s.%N)
    rc=0
    "$testbed" run -j "$j" --logs "$tmp" "$here/../topologies" >"$tmp/out" 2>&1 || rc=$?
    # 4: nothing failed, some scenarios could not run here (they count, at no cost).
    [ "$rc" -eq 0 ] || [ "$rc" -eq 4 ] \
      || { echo "suite: -j $j failed (exit $rc)" >&2; grep -A3 '^FAIL' "$tmp/out" >&2; exit 1; }
    end=$(date +%s.%N)
    awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'
  done >"$tmp/times"
  n=$(awk '/^[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$/ { print $1 + $3 + $5 }' "$tmp/out")
  s=$(median <"$tmp/times")
  rate=$(awk -v n="$n" -v s="$s" 'BEGIN { print 60 * n / s }')
  [ -n "$base" ] || base=$rate
  printf '%4s %10s %10.1f %14.0f %7.2fx\n' "$j" "$n" "$s" "$rate" "$(awk -v r="$rate" -v b="$base" 'BEGIN { print r / b }')"
done
