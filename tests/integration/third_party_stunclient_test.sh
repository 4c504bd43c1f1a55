#!/usr/bin/env bash
# A standard STUN client, coturn's turnutils_stunclient, against rendezvous:
# - from an open host against `rendezvous --alt`: all three of its RFC 5780
#   runs (Binding; RESPONSE-PORT with CHANGE-REQUEST; 1500 bytes of PADDING)
#   are answered, from the addresses RFC 5780 says;
# - from behind a NAT against a plain `rendezvous`: its reflexive address is
#   the NAT's public address. (Behind a NAT, its second RFC 5780 run asks for
#   the answer on a port its NAT never mapped and would wait forever, against
#   any server, so that run is only made from the open host.)
. "$(dirname "$0")/lib.sh"
require_root
command -v turnutils_stunclient >/dev/null \
  || skip "turnutils_stunclient not installed (apt-get install coturn); it is optional"

cat >"$WORK/stunclient.yaml" <<'YAML'
name: stunclient
networks: { internet: 203.0.113.0/24, home: 10.0.1.0/24 }
hosts:
  stun: { internet: [203.0.113.1, 203.0.113.2] }
  plain: { internet: 203.0.113.3 }
  open: { internet: 203.0.113.50 }
  alice: { home: auto }
routers:
  nat: { wan: { internet: 203.0.113.10 }, lan: { home: auto }, nat: port-restricted-cone }
run:
  - start: server
    on: stun
    cmd: [rendezvous, --listen, 203.0.113.1:3478, --alt, 203.0.113.2]
    ready: { udp: 3478 }
  - start: plain-server
    on: plain
    cmd: [rendezvous, --listen, 203.0.113.3:3478]
    ready: { udp: 3478 }
  - start: rfc5780
    on: open
    cmd: [turnutils_stunclient, 203.0.113.1]
  - start: behind-nat
    on: alice
    cmd: [turnutils_stunclient, 203.0.113.3]
  - wait: [rfc5780, behind-nat]
    timeout: 10s
expect:
  rfc5780:
    exit: 0
    stdout: 'response 1[\s\S]*Response origin: : 203\.0\.113\.1:3478[\s\S]*reflexive addr: 203\.0\.113\.50:[\s\S]*response 2[\s\S]*Response origin: : 203\.0\.113\.2:3479[\s\S]*response 3[\s\S]*reflexive addr: 203\.0\.113\.50:'
  behind-nat:
    exit: 0
    stdout: 'UDP reflexive addr: 203\.0\.113\.10:[0-9]+'
YAML
save_host
"$TESTBED" run --logs "$WORK" "$WORK/stunclient.yaml" || fail "turnutils_stunclient against rendezvous (logs above)"
assert_host_unchanged
echo "PASS"
