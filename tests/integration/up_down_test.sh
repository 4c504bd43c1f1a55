#!/usr/bin/env bash
# `up` keeps a topology with named handles; `exec` runs in a node; `down`
# removes it; `clean` removes what a crashed `up` left; two at once never
# collide.
. "$(dirname "$0")/lib.sh"
require_root
# `clean` removes every kept topology; never those of the person running the suite.
if ls /run/netns/tb-* >/dev/null 2>&1; then
  skip "kept topologies exist on this machine (testbed list); this test would remove them with clean"
fi
save_host
"$TESTBED" up "$TOPOLOGIES/quickstart.yaml" | tee "$WORK/up1"
"$TESTBED" up "$TOPOLOGIES/quickstart.yaml" | tee "$WORK/up2"
run1=$(sed -n 's/.* as run \([0-9a-f]*\) .*/\1/p' "$WORK/up1")
run2=$(sed -n 's/.* as run \([0-9a-f]*\) .*/\1/p' "$WORK/up2")
[ -n "$run1" ] && [ -n "$run2" ] && [ "$run1" != "$run2" ] || fail "run ids missing or equal"
ip netns list | grep -q "tb-$run1-alice" || fail "no named handle for alice"
"$TESTBED" exec --run "$run1" alice -- ip -4 -o addr show dev home | grep -q "10.0.1.2/24" \
  || fail "alice has not got 10.0.1.2 on home"
"$TESTBED" exec --run "$run1" alice -- ip route show default | grep -q "via 10.0.1.1" \
  || fail "alice has no default route via the NAT"
# The NAT really translates: alice reaches the STUN host, which has no route back into home.
"$TESTBED" exec --run "$run1" nat -- nft list table ip testbed | grep -q masquerade || fail "no NAT rules on nat"
set +e
"$TESTBED" exec alice -- true 2>"$WORK/ambiguous"
rc=$?
set -e
[ "$rc" -ne 0 ] && grep -q "several kept topologies" "$WORK/ambiguous" || fail "ambiguous exec not refused"
"$TESTBED" down --run "$run1"
ip netns list | grep -q "tb-$run1" && fail "down left handles of $run1"
ip netns list | grep -q "tb-$run2" || fail "down removed the other topology"
"$TESTBED" clean | grep -q "tb-$run2" || fail "clean did not remove the leftovers"
assert_host_unchanged
echo "PASS"
