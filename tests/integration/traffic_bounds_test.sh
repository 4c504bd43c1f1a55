#!/usr/bin/env bash
# Relay judging works in bounded memory and time whatever the traffic: a
# kernel relay carries a 150,000-datagram burst (once: 1.9 GB and 70 s of
# judging after a 3.6 s run). The evidence keeps the first packets of each
# pair, the counts stay exact, and the verdict is still a relay.
. "$(dirname "$0")/lib.sh"
require_root
save_host
cat >"$WORK/burst.yaml" <<'YAML'
name: relay-burst
networks: { lan: 10.0.0.0/24 }
hosts:
  alice: { lan: 10.0.0.2 }
  bob: { lan: 10.0.0.3 }
  relay: { lan: 10.0.0.4 }
files:
  relay.nft: |
    table ip relay {
      chain pre { type nat hook prerouting priority -100; udp dport 9000 dnat to 10.0.0.3:9000; }
      chain post { type nat hook postrouting priority 100; ip daddr 10.0.0.3 masquerade; }
    }
run:
  - start: echo
    on: bob
    cmd: [testbed-link, echo, "9000", --timeout, 30s]
    ready: { udp: 9000 }
  - start: relay
    on: relay
    cmd: [sh, -c, 'echo 1 > /proc/sys/net/ipv4/ip_forward && nft -f "$TESTBED_RUN_DIR/relay.nft" && echo relaying && exec sleep 60']
    ready: { stdout: relaying }
  - start: burst
    on: alice
    cmd: [testbed-link, send, 10.0.0.4:9000, --count, "150000", --size, "300", --rate, "1000000"]
  - wait: burst
    timeout: 30s
  - sleep: 1s
expect:
  burst: { exit: 0 }
traffic:
  - between: [alice, bob]
    via: relay
    min-packets: 100
YAML
started=$(date +%s%N)
set +e
/usr/bin/time -f '%M' -o "$WORK/rss" "$TESTBED" run "$WORK/burst.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
cat "$WORK/out"
[ "$rc" -eq 0 ] || fail "the run failed ($rc)"
grep -Eq 'traffic alice ↔ bob = relay via relay \(direct: 0 packets alice→bob, 0 bob→alice; via relay: [0-9]+ alice→bob' "$WORK/out" ||
  fail "no relay verdict"
grep -q "kept no payload of [1-9][0-9]* packets" "$WORK/out" || fail "the packets past the evidence are not said"
rss_kb=$(cat "$WORK/rss")
echo "testbed peak memory: $rss_kb KB, whole run $elapsed_ms ms"
[ "$rss_kb" -lt 200000 ] || fail "the testbed held $rss_kb KB judging a burst"
[ "$elapsed_ms" -lt 30000 ] || fail "the run took $elapsed_ms ms"
assert_host_unchanged
echo PASS
