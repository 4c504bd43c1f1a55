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
assert_host_unchanged
echo "PASS"
