#!/usr/bin/env bash
# The small-TTL lesson in the packet ladder: STUNT #1 (tcp-techniques.yaml)
# measures its TTL with a SYN of TTL 1 to its own public address (the NAT
# resets it), then sends its SYN with TTL 2: it leaves nat-a with TTL 1, and
# the core answers with ICMP time exceeded instead of passing it on.
#   - the Linux NAT as it comes forwards that error to alice (which ends
#     her connect: the cell fails);
#   - a NAT with icmp-errors: drop keeps it (the cell passes), for STUNT #1,
#     STUNT #2 (the listener's SYN) and NATBlaster alike.
#
#   alice --[home-a]-- nat-a --[isp-a]--+
#                                       core --[dc]-- server
#   bob   --[home-b]-- nat-b --[isp-b]--+
. "$(dirname "$0")/lib.sh"
require_root
save_host

# The ladder's rows of one network: "<td>NETWORK</td>...<td>WHAT</td>".
on() { grep -E "<td>$1</td>.*<td>$2" "$3"; }

ladder_of() {  # NAME CELL-FILTER: runs the cell with a capture, HTML in $WORK/NAME.html
  "$TESTBED" run --capture --logs "$WORK" --report "$WORK/$1.html" --filter "$2" \
    "$TOPOLOGIES/punch/tcp-techniques.yaml" >"$WORK/$1.out" 2>&1 \
    || fail "$1: the cell did not give its expected outcome: $(cat "$WORK/$1.out")"
  grep -q '<summary>packet ladder</summary>' "$WORK/$1.html" || fail "$1: no packet ladder"
}

ladder_of forwarded 'stunt1,port-restricted-cone'
html=$WORK/forwarded.html
on home-a 'TCP 10\.0\.1\.2:[0-9]+ &gt; 20\.0\.1\.10:9 \[SYN\] ttl 1<' "$html" >/dev/null \
  || fail "no hop probe (a SYN of TTL 1 to alice's own public address) on home-a"
on home-a 'TCP 20\.0\.1\.10:9 &gt; 10\.0\.1\.2:[0-9]+ \[RST,ACK\]' "$html" >/dev/null \
  || fail "nat-a's reset to the hop probe is not on home-a"
on home-a 'TCP 10\.0\.1\.2:[0-9]+ &gt; 20\.0\.2\.20:[0-9]+ \[SYN\] ttl 2<' "$html" >/dev/null \
  || fail "alice's technique SYN with TTL 2 is not on home-a"
on isp-a 'TCP 20\.0\.1\.10:[0-9]+ &gt; 20\.0\.2\.20:[0-9]+ \[SYN\] ttl 1<br><em>nat-a rewrote the source' \
  "$html" >/dev/null || fail "the SYN does not leave nat-a, translated, with TTL 1"
on isp-a 'ICMP 20\.0\.1\.254 &gt; 20\.0\.1\.10 time exceeded for TCP 20\.0\.1\.10:[0-9]+ &gt; 20\.0\.2\.20' \
  "$html" >/dev/null || fail "the core's time exceeded for alice's SYN is not on isp-a"
on home-a 'ICMP 20\.0\.1\.254 &gt; 10\.0\.1\.2 time exceeded for TCP 10\.0\.1\.2:[0-9]+ &gt; 20\.0\.2\.20' \
  "$html" >/dev/null || fail "the Linux NAT as it comes did not forward the time exceeded to alice"
# The SYN died at the core: it is on no network beyond it.
for network in dc isp-b; do
  if on "$network" 'TCP 20\.0\.1\.10:[0-9]+ &gt; 20\.0\.2\.20:[0-9]+ \[SYN\]' "$html" >/dev/null; then
    fail "alice's small-TTL SYN went past the core onto $network"
  fi
done
json=$(tail -n 1 "$WORK"/testbed-tcp-techniques_*/a.stdout)
for field in '"hops":1,' '"ttl":2' '"technique_error":"an ICMP error came back for the SYN'; do
  grep -qF "$field" <<<"$json" || fail "alice's JSON lacks $field: $json"
done
rm -rf "$WORK"/testbed-tcp-techniques_*

# Each small-TTL technique through NATs that keep the error (icmp-errors:
# drop): alice's SYN (STUNT #2: the listener's, as alice sorts first) dies
# at the core, the time exceeded stops at nat-a, and the technique connects.
for technique in stunt1 stunt2 natblaster; do
  ladder_of "$technique" "$technique,EI/APD icmp-drop synack-out liberal\\]"
  html=$WORK/$technique.html
  on isp-a 'TCP 20\.0\.1\.10:[0-9]+ &gt; 20\.0\.2\.20:[0-9]+ \[SYN\] ttl 1<' "$html" >/dev/null \
    || fail "$technique: alice's SYN does not leave nat-a with TTL 1"
  on isp-a 'ICMP 20\.0\.1\.254 &gt; 20\.0\.1\.10 time exceeded for TCP 20\.0\.1\.10:[0-9]+ &gt; 20\.0\.2\.20' \
    "$html" >/dev/null || fail "$technique: the core's time exceeded is not on isp-a"
  if on home-a 'ICMP .* time exceeded' "$html" >/dev/null; then
    fail "$technique: icmp-errors: drop, yet nat-a passed the time exceeded to alice"
  fi
  for network in dc isp-b; do
    if on "$network" 'TCP 20\.0\.1\.10:[0-9]+ &gt; 20\.0\.2\.20:[0-9]+ \[SYN\] ttl' "$html" >/dev/null; then
      fail "$technique: alice's small-TTL SYN went past the core onto $network"
    fi
  done
  rm -rf "$WORK"/testbed-tcp-techniques_*
done
on home-a 'TCP 20\.0\.2\.20:[0-9]+ &gt; 10\.0\.1\.2:[0-9]+ \[SYN,ACK\]' "$WORK/stunt1.html" >/dev/null \
  || fail "stunt1: the server's forged SYN-ACK did not reach alice"
assert_host_unchanged
echo "PASS"
