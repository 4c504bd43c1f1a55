#!/usr/bin/env bash
# How fast the peers connect. Runs REPEATS times, and prints medians of
# punch_ms (introduction to a path authenticated both ways), rtt_ms (one
# payload exchange on it) and their ratio, punch time in round trips:
#  - one pair through two port-restricted cone NATs, alone on the machine
#    (topologies/punch/udp-port-restricted-pair.yaml, tcp-simultaneous-open.yaml);
#  - the 4x4 NAT-type matrix (topologies/punch/matrix.yaml, one pair per
#    scenario), direct cells, and the relay cells' punch_ms (the relay
#    starts at the peer's 2 s punch timeout);
#  - across an internet that loses 30% of every packet
#    (topologies/punch/lossy.yaml): the cone pair punching, the symmetric
#    pair relaying;
#  - at 50 ms round trip (topologies/punch/conditions.yaml), where the
#    kernel has sch_netem; skipped with the reason where it has not.
# Needs root. Usage: sudo bench/punch.sh [REPEATS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_init punch
repeats=${1:-5}

ratio() { awk '{ if ($2 > 0) print $1 / $2 }'; }
pairs() {  # stdout files -> "punch_ms rtt_ms" lines
  for f in "$@"; do
    echo "$(grep -o '"punch_ms":[0-9.]*' "$f" | cut -d: -f2) $(grep -o '"rtt_ms":[0-9.]*' "$f" | cut -d: -f2)"
  done
}
report() {  # label cells files...
  local label=$1
  shift
  printf '%-22s %6s %10s %10s %8s\n' "$label" "$#" \
    "$(pairs "$@" | awk '{ print $1 }' | median)" "$(pairs "$@" | awk '{ print $2 }' | median)" \
    "$(pairs "$@" | ratio | median)"
}
run() {  # topology tag
  for i in $(seq "$repeats"); do
    "$testbed" run --keep-logs --logs "$tmp/$2-$i" "$here/../topologies/punch/$1.yaml" >/dev/null 2>&1 \
      || { echo "punch: $1 failed on run $i (logs in $tmp/$2-$i)" >&2; trap - EXIT; exit 1; }
  done
}

run udp-port-restricted-pair pair-udp
run tcp-simultaneous-open pair-tcp
run matrix matrix
run lossy lossy
delay=yes
"$testbed" run "$here/../topologies/punch/conditions.yaml" >/dev/null 2>&1 || delay=$?
if [ "$delay" = yes ]; then
  run conditions delay
elif [ "$delay" != 4 ]; then
  echo "punch: conditions.yaml failed (exit $delay)" >&2
  exit 1
fi
printf '%-22s %6s %10s %10s %8s\n' "" peers punch_ms rtt_ms "in RTTs"
report "pair, udp" "$tmp"/pair-udp-*/*/[ab].stdout
report "pair, tcp" "$tmp"/pair-tcp-*/*/[ab].stdout
for transport in udp tcp; do
  # shellcheck disable=SC2046
  report "matrix $transport, direct" $(grep -l '"result":"direct"' "$tmp"/matrix-*/*_"$transport"_-*/[ab].stdout)
  # shellcheck disable=SC2046
  report "matrix $transport, relay" $(grep -l '"result":"relay"' "$tmp"/matrix-*/*_"$transport"_-*/[ab].stdout)
done
report "30% loss, direct" "$tmp"/lossy-*/*/[ab].stdout
report "30% loss, relay" "$tmp"/lossy-*/*/[cd].stdout
if [ "$delay" = yes ]; then
  report "50 ms RTT, udp" "$tmp"/delay-*/*/[ab].stdout
else
  echo "50 ms RTT: skipped, this kernel has no sch_netem (CONFIG_NET_SCH_NETEM)"
fi
