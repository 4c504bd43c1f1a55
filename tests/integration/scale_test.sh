#!/usr/bin/env bash
# Large topologies: 300 NATs with 2 hosts each (1,202 namespaces: more held
# descriptors than select() can take, which aborted inside libnftables at
# 130 NATs), and 1,100 hosts on one network (more than a bridge's 1,024
# ports: the bridges are chained), where the last host reaches the first.
. "$(dirname "$0")/lib.sh"
require_root
save_host
{
  echo "name: nats-300"
  echo "networks:"
  echo "  internet: 100.64.0.0/16"
  for i in $(seq 300); do echo "  home$i: 10.$((i / 256)).$((i % 256)).0/24"; done
  echo "hosts:"
  echo "  server: { internet: auto }"
  for i in $(seq 300); do echo "  a$i: { home$i: auto }"; echo "  b$i: { home$i: auto }"; done
  echo "routers:"
  for i in $(seq 300); do echo "  nat$i: { wan: { internet: auto }, lan: { home$i: auto }, nat: symmetric }"; done
} >"$WORK/nats.yaml"
"$TESTBED" run --logs "$WORK" "$WORK/nats.yaml" >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "300 NATs did not build"; }
{
  echo "name: lan-1100"
  echo "networks: { lan: 10.0.0.0/16 }"
  echo "hosts:"
  for i in $(seq 0 1099); do echo "  h$i: { lan: auto }"; done
  echo "run:"
  echo "  - { start: server, on: h0, cmd: [rendezvous, --listen, '10.0.0.1:3478'], ready: { udp: 3478 } }"
  echo "  - { start: probe, on: h1099, cmd: [peer, probe, --server, '10.0.0.1:3478'] }"
  echo "  - { wait: probe, timeout: 10s }"
  echo "expect:"
  echo "  probe: { exit: 0, json: { result: ok, translated: false } }"
} >"$WORK/lan.yaml"
"$TESTBED" run --logs "$WORK" "$WORK/lan.yaml" >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "1,100 hosts on one network failed"; }
grep -q "PASS lan-1100" "$WORK/out" || fail "no PASS line"
assert_host_unchanged
echo PASS
