#!/usr/bin/env bash
# run --capture: two peers punch through two NATs (the spec's example) with
# a pcap per network kept in the run's folder, and a packet ladder in the
# HTML report that shows each NAT rewriting the peers' packets. Run through
# -j 2, so the ladder also crosses the child process's report.
. "$(dirname "$0")/lib.sh"
require_root
save_host
"$TESTBED" run -j 2 --capture --logs "$WORK" --report "$WORK/r.html" \
  "$TOPOLOGIES/punch/udp-port-restricted-pair.yaml" >"$WORK/out" 2>&1 || fail "run failed: $(cat "$WORK/out")"
run_dir=$(find "$WORK" -maxdepth 1 -type d -name 'testbed-udp-port-restricted-pair-*')
[ -n "$run_dir" ] || fail "the capture's run folder was not kept: $(ls "$WORK")"
grep -q "captures: $run_dir/internet.pcap" "$WORK/out" || fail "the captures are not printed: $(cat "$WORK/out")"
for network in internet home-a home-b; do
  pcap="$run_dir/$network.pcap"
  [ -f "$pcap" ] || fail "no $network.pcap"
  [ "$(head -c 4 "$pcap" | od -An -tx1 | tr -d ' \n')" = d4c3b2a1 ] || fail "$network.pcap is not a pcap file"
  # The 24-byte file header, then at least a few frames (ARP and the punch).
  [ "$(stat -c %s "$pcap")" -gt 500 ] || fail "$network.pcap holds (almost) no frames"
done
grep -q '<summary>packet ladder</summary>' "$WORK/r.html" || fail "no packet ladder in the report"
grep -Eq 'UDP 10\.0\.1\.2:[0-9]+ &gt; 203\.0\.113\.1:3478 len [0-9]+ STUN Register request' "$WORK/r.html" \
  || fail "the ladder lacks alice's registration on home-a"
grep -Eq '<em>nat-a rewrote the source 10\.0\.1\.2:[0-9]+ &gt; 203\.0\.113\.10:[0-9]+</em>' "$WORK/r.html" \
  || fail "the ladder does not show nat-a's translation"
grep -Eq '<em>nat-b rewrote the destination 203\.0\.113\.2:[0-9]+ &gt; 10\.0\.2\.2:[0-9]+</em>' "$WORK/r.html" \
  || fail "the ladder does not show nat-b translating an inbound packet"
grep -q 'STUN Punch indication' "$WORK/r.html" || fail "the ladder lacks the peers' punch packets"
grep -q '<summary>internet.pcap</summary>' "$WORK/r.html" && fail "a pcap file is shown as a log"

# A burst is captured whole: a 64 KiB snap length once left the kernel's
# ring room for 32 frames, and 282 of a 330-frame burst were lost.
cat >"$WORK/burst.yaml" <<'YAML'
name: burst
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: 10.0.0.1 }, b: { lan: 10.0.0.2 } }
run:
  - start: sink
    on: b
    cmd: [testbed-link, receive, "9000", --idle, 1s]
    ready: { udp: 9000 }
  - start: burst
    on: a
    cmd: [testbed-link, send, 10.0.0.2:9000, --count, "330", --rate, "1000000"]
  - wait: [burst, sink]
    timeout: 10s
expect:
  burst: { exit: 0 }
YAML
"$TESTBED" run --capture --logs "$WORK" "$WORK/burst.yaml" >"$WORK/out" 2>&1 ||
  fail "the burst run failed: $(cat "$WORK/out")"
cat "$WORK/out"
! grep -q "the kernel dropped" "$WORK/out" || fail "the capture lost frames of a 330-datagram burst"

# A bulk sender's pcap stops at --capture-limit, and the cut is said.
sed -e 's/^name: burst/name: bulk/' -e 's/"330", --rate/"20000", --size, "1400", --rate/' \
  -e 's/timeout: 10s/timeout: 30s/' \
  "$WORK/burst.yaml" >"$WORK/bulk.yaml"
"$TESTBED" run --capture --capture-limit 1MiB --logs "$WORK" "$WORK/bulk.yaml" >"$WORK/out" 2>&1 || true
cat "$WORK/out"
bulk_dir=$(find "$WORK" -maxdepth 1 -type d -name 'testbed-bulk-*')
size=$(stat -c %s "$bulk_dir/lan.pcap")
[ "$size" -le $((1024 * 1024)) ] || fail "lan.pcap holds $size bytes, past --capture-limit 1MiB"
[ "$size" -gt $((900 * 1024)) ] || fail "lan.pcap stopped long before its limit: $size bytes"
grep -q "lan.pcap cut at its limit of 1 MiB ([0-9]* frames not written" "$WORK/out" ||
  fail "the cut is not said"
assert_host_unchanged
echo "PASS"
