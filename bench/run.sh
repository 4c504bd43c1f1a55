#!/usr/bin/env bash
# Times building and tearing down topologies (needs root):
#  1. bench/reference.yaml with the testbed binary and through the ./testbed
#     wrapper (what a user types), against the same topology built with ip
#     and nft commands (bench/reference-ip-nft.sh), side by side;
#  2. a generated topology of N NATs with 2 hosts each (default 100).
# Usage: sudo bench/run.sh [REPEATS] [NATS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_init run
repeats=${1:-10}
nats=${2:-100}

# Median wall time in milliseconds of running "$@" $repeats times, each
# started $pause seconds after the previous one ended. The kernel frees a
# namespace asynchronously after its last user is gone; with a pause each run
# starts on a settled kernel, without one (pause=0) it competes with the
# previous run's cleanup, as back-to-back runs in a suite do.
median_ms() {
  local times=()
  for _ in $(seq "$repeats"); do
    sleep "$pause"
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

generate() {  # N NATs, each with two hosts behind it, on one internet
  local n=$1
  echo "name: bench-$n-nats"
  echo "networks:"
  echo "  internet: 100.64.0.0/16"
  for i in $(seq "$n"); do echo "  home$i: 10.$((i / 256)).$((i % 256)).0/24"; done
  echo "hosts:"
  echo "  server: { internet: auto }"
  for i in $(seq "$n"); do echo "  a$i: { home$i: auto }"; echo "  b$i: { home$i: auto }"; done
  echo "routers:"
  for i in $(seq "$n"); do echo "  nat$i: { wan: { internet: auto }, lan: { home$i: auto }, nat: port-restricted-cone }"; done
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 1) b = 1; printf "%.1fx", a / b }'; }

# The wrapper builds into the folder the binary is in; built already, it
# only checks its stamp (the first call below may have to write it).
wrapper=(env TESTBED_BUILD_DIR="$(dirname "$(dirname "$testbed")")" "$here/../testbed")
"${wrapper[@]}" --help >/dev/null

echo "reference topology (5 nodes, 6 namespaces), build + teardown, median of $repeats:"
printf '  %-14s %10s %12s %10s %14s\n' "" "testbed" "./testbed" "ip + nft" "./testbed/ip"
for mode in settled back-to-back; do
  if [ "$mode" = settled ]; then pause=0.5; else pause=0; fi
  tb=$(median_ms "$testbed" run "$here/reference.yaml")
  wr=$(median_ms "${wrapper[@]}" run "$here/reference.yaml")
  sh_ms=$(median_ms bash "$here/reference-ip-nft.sh")
  printf '  %-14s %7s ms %9s ms %7s ms %14s\n' "$mode" "$tb" "$wr" "$sh_ms" \
    "$(awk -v a="$wr" -v b="$sh_ms" 'BEGIN { printf "%.2f", a / b }')"
done

generate "$nats" >"$tmp/large.yaml"
count=$((1 + nats * 3 + 1 + nats))
echo "generated topology: $nats NATs x 2 hosts ($count namespaces), build + teardown, median of 3:"
repeats=3
pause=5
echo "  settled                $(median_ms "$testbed" run "$tmp/large.yaml") ms"
pause=0
echo "  back-to-back           $(median_ms "$testbed" run "$tmp/large.yaml") ms"
