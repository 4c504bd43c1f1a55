#!/usr/bin/env bash
# STUN Binding rate of `rendezvous` against coturn's `turnserver --stun-only`,
# side by side, each server pinned to one core (CPU 0) and the load generator
# (testbed-stun-load) to another (CPU 1), inside a namespace the testbed
# makes (an idle server left running costs the next one nothing). Needs root and 2 cores; turnserver is optional (apt-get install
# coturn): without it only rendezvous is measured.
# Usage: sudo bench/stun-rate.sh [SECONDS]
set -euo pipefail
. "$(dirname "$0")/lib.sh"
bench_init stun-rate
seconds=${1:-3}
[ "$(nproc)" -ge 2 ] || { echo "stun-rate: needs 2 cores (server and load on separate ones)" >&2; exit 3; }

steps() {  # name port server-argv...
  local name=$1 port=$2
  shift 2
  cat <<YAML
  - start: $name
    on: box
    cmd: [taskset, -c, "0", $*]
    ready: { udp: $port }
  - start: load-$name
    on: box
    cmd: [taskset, -c, "1", testbed-stun-load, --target, "203.0.113.1:$port", --duration, ${seconds}s]
  - wait: load-$name
    timeout: $((seconds + 20))s
YAML
}

{
  cat <<YAML
name: stun-rate
networks: { net: 203.0.113.0/24 }
hosts: { box: { net: 203.0.113.1 }, idle: { net: 203.0.113.2 } }
run:
YAML
  # One load generator is one source: the per-source Binding bound is off here.
  steps rendezvous 3478 rendezvous, --listen, 203.0.113.1:3478, --binding-rate, '"0"'
  if command -v turnserver >/dev/null; then
    steps turnserver 3479 turnserver, -n, --stun-only, -L, 203.0.113.1, -p, '"3479"', --no-tls, --no-dtls, \
      --no-cli, -m, '"1"', --log-file, stdout, --simple-log, --pidfile, "$tmp/turnserver.pid"
  fi
} >"$tmp/stun-rate.yaml"

"$testbed" run --keep-logs --logs "$tmp" "$tmp/stun-rate.yaml" >"$tmp/run.log" 2>&1 \
  || { cat "$tmp/run.log"; echo "stun-rate: the run failed" >&2; exit 1; }
echo "STUN Binding requests answered per second, server on one core, ${seconds}s each:"
for server in rendezvous turnserver; do
  out=$(ls "$tmp"/testbed-stun-rate-*/load-$server.stdout 2>/dev/null || true)
  if [ -z "$out" ]; then
    printf '  %-12s not installed\n' "$server"
  else
    printf '  %-12s %s\n' "$server" "$(tail -n1 "$out")"
  fi
done
