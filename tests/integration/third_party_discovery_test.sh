#!/usr/bin/env bash
# A third-party RFC 5780 client, coturn's turnutils_natdiscovery, run behind
# each NAT against `rendezvous --alt`, classifies it as the preset declares.
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

save_host
check full-cone full-cone "Endpoint Independent" "Endpoint Independent"
check restricted-cone restricted-cone "Endpoint Independent" "Address Dependent"
check port-restricted-cone port-restricted-cone "Endpoint Independent" "Address and Port Dependent"
check symmetric symmetric "Address and Port Dependent" "Address and Port Dependent"
check ad-mapping "{ mapping: address-dependent, filtering: address-dependent }" "Address Dependent" "Address Dependent"
assert_host_unchanged
echo "PASS"
