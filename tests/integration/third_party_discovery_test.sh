#!/usr/bin/env bash
# A third-party RFC 5780 client, coturn's turnutils_natdiscovery, run behind
# each NAT against `rendezvous --alt`, classifies it as declared: every
# translating preset and the nine mapping x filtering combinations, as one
# matrix file run two cells at a time. natdiscovery has no verdict for "no
# NAT" (it calls a plain router endpoint-independent), so `open` is not asked.
. "$(dirname "$0")/lib.sh"
require_root
command -v turnutils_natdiscovery >/dev/null \
  || skip "turnutils_natdiscovery not installed (apt-get install coturn); it is optional"

ei="Endpoint Independent" ad="Address Dependent" apd="Address and Port Dependent"
# nat.nat value | natdiscovery's mapping | its filtering
cases=(
  "full-cone|$ei|$ei"
  "restricted-cone|$ei|$ad"
  "port-restricted-cone|$ei|$apd"
  "symmetric|$apd|$apd"
  "symmetric-sequential|$apd|$apd"
  "cgnat|$ei|$apd"
  "home-router|$ei|$apd"
  "firewall-random-ports|$apd|$apd"
  "cloud-nat|$ei|$apd"
  "mobile-carrier|$ei|$apd"
)
for m in endpoint-independent address-dependent address-and-port-dependent; do
  for f in endpoint-independent address-dependent address-and-port-dependent; do
    name() { case $1 in endpoint-independent) echo "$ei" ;; address-dependent) echo "$ad" ;; *) echo "$apd" ;; esac; }
    cases+=("{ mapping: $m, filtering: $f }|$(name "$m")|$(name "$f")")
  done
done
values="" mappings="" filterings=""
for c in "${cases[@]}"; do
  IFS='|' read -r nat mapping filtering <<<"$c"
  values+="$nat, "
  mappings+="[\"$mapping\"], "
  filterings+="[\"$filtering\"], "
done

cat >"$WORK/natdiscovery.yaml" <<YAML
name: natdiscovery
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts:
  stun: { internet: [203.0.113.1, 203.0.113.2] }
  alice: { home: auto }
routers:
  nat: { wan: { internet: 203.0.113.10 }, lan: { home: auto }, nat: full-cone }
matrix:
  nat.nat: [${values%, }]
  client: [natdiscovery]
  m: { rows: nat.nat, columns: client, values: [${mappings%, }] }
  f: { rows: nat.nat, columns: client, values: [${filterings%, }] }
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

save_host
"$TESTBED" run -j 2 --logs "$WORK" "$WORK/natdiscovery.yaml" >"$WORK/out" 2>&1 \
  || fail "natdiscovery disagrees: $(cat "$WORK/out")"
cat "$WORK/out"
grep -q "total: ${#cases[@]}/${#cases[@]} passed" "$WORK/out" || fail "not every case ran"
assert_host_unchanged
echo "PASS"
