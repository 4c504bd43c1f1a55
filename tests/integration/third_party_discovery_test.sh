#!/usr/bin/env bash
# A third-party RFC 5780 client, coturn's turnutils_natdiscovery, run behind
# each NAT against `rendezvous --alt`, classifies it as declared: every
# translating preset, and the nine mapping x filtering combinations (one
# matrix file, two cells at a time). natdiscovery has no verdict for "no NAT"
# (it calls a plain router endpoint-independent), so `open` is not asked.
. "$(dirname "$0")/lib.sh"
require_root
command -v turnutils_natdiscovery >/dev/null \
  || skip "turnutils_natdiscovery not installed (apt-get install coturn); it is optional"

check() {  # nat-value expected-mapping expected-filtering
  local name=$1 nat=$2 mapping=$3 filtering=$4
  cat >"$WORK/$name.yaml" <<YAML
name: natdiscovery-$name
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts:
  stun: { internet: [203.0.113.1, 203.0.113.2] }
  alice: { home: auto }
routers:
  nat: { wan: { internet: 203.0.113.10 }, lan: { home: auto }, nat: $nat }
run:
  - start: server
    on: stun
    cmd: [rendezvous, --listen, 203.0.113.1:3478, --alt, 203.0.113.2]
    ready: { udp: 3478 }
  - start: nd
    on: alice
    cmd: [turnutils_natdiscovery, -m, -f, 203.0.113.1]
  - wait: nd
    timeout: 30s
expect:
  nd:
    exit: 0
    stdout: 'NAT with $mapping Mapping![\s\S]*NAT with $filtering Filtering!'
YAML
  "$TESTBED" run --logs "$WORK" "$WORK/$name.yaml" || fail "$name: natdiscovery disagrees (logs above)"
}

combinations() {
  local t='[["Endpoint Independent", "Endpoint Independent", "Endpoint Independent"],
             ["Address Dependent", "Address Dependent", "Address Dependent"],
             ["Address and Port Dependent", "Address and Port Dependent", "Address and Port Dependent"]]'
  local f='[["Endpoint Independent", "Address Dependent", "Address and Port Dependent"],
             ["Endpoint Independent", "Address Dependent", "Address and Port Dependent"],
             ["Endpoint Independent", "Address Dependent", "Address and Port Dependent"]]'
  cat >"$WORK/combinations.yaml" <<YAML
name: natdiscovery
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts:
  stun: { internet: [203.0.113.1, 203.0.113.2] }
  alice: { home: auto }
routers:
  nat: { wan: { internet: 203.0.113.10 }, lan: { home: auto }, nat: full-cone }
matrix:
  nat.nat.mapping: [endpoint-independent, address-dependent, address-and-port-dependent]
  nat.nat.filtering: [endpoint-independent, address-dependent, address-and-port-dependent]
  m: { rows: nat.nat.mapping, columns: nat.nat.filtering, values: $t }
  f: { rows: nat.nat.mapping, columns: nat.nat.filtering, values: $f }
run:
  - start: server
    on: stun
    cmd: [rendezvous, --listen, 203.0.113.1:3478, --alt, 203.0.113.2]
    ready: { udp: 3478 }
  - start: nd
    on: alice
    cmd: [turnutils_natdiscovery, -m, -f, 203.0.113.1]
  - wait: nd
    timeout: 30s
expect:
  nd:
    exit: 0
    stdout: 'NAT with \${m} Mapping![\s\S]*NAT with \${f} Filtering!'
YAML
  "$TESTBED" run -j 2 --logs "$WORK" "$WORK/combinations.yaml" >"$WORK/combinations.out" 2>&1 \
    || fail "natdiscovery disagrees with some combinations: $(cat "$WORK/combinations.out")"
  grep -q 'total: 9/9 passed' "$WORK/combinations.out" || fail "not all nine cells ran: $(cat "$WORK/combinations.out")"
}

save_host
combinations
check full-cone full-cone "Endpoint Independent" "Endpoint Independent"
check restricted-cone restricted-cone "Endpoint Independent" "Address Dependent"
check port-restricted-cone port-restricted-cone "Endpoint Independent" "Address and Port Dependent"
check symmetric symmetric "Address and Port Dependent" "Address and Port Dependent"
check symmetric-sequential symmetric-sequential "Address and Port Dependent" "Address and Port Dependent"
check cgnat cgnat "Endpoint Independent" "Address and Port Dependent"
assert_host_unchanged
echo "PASS"
