#!/usr/bin/env bash
# `up` keeps a topology with named handles; `exec` runs in a node; `down`
# removes it; `clean` removes what a crashed `up` left; two at once never
# collide; a corrupt state file is reported.
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
# Whatever fails below, take down what this test put up (and only that).
trap 'for r in $run1 $run2; do "$TESTBED" down --run "$r" >/dev/null 2>&1 || true; done; rm -rf "$WORK"' EXIT
[ -n "$run1" ] && [ -n "$run2" ] && [ "$run1" != "$run2" ] || fail "run ids missing or equal"
# Outputs are captured before grep looks at them: `cmd | grep -q` under
# pipefail fails when grep stops reading early and cmd dies of SIGPIPE.
ip netns list >"$WORK/netns"
grep -q "tb-$run1-alice" "$WORK/netns" || fail "no named handle for alice"
"$TESTBED" exec --run "$run1" alice -- ip -4 -o addr show dev home >"$WORK/addr"
grep -q "10.0.1.2/24" "$WORK/addr" || fail "alice has not got 10.0.1.2 on home"
"$TESTBED" exec --run "$run1" alice -- ip route show default >"$WORK/route"
grep -q "via 10.0.1.1" "$WORK/route" || fail "alice has no default route via the NAT"
"$TESTBED" exec --run "$run1" nat -- nft list table ip testbed >"$WORK/rules"
grep -q masquerade "$WORK/rules" || fail "no NAT rules on nat"
set +e
"$TESTBED" exec alice -- true 2>"$WORK/ambiguous"
rc=$?
set -e
[ "$rc" -ne 0 ] && grep -q "several kept topologies" "$WORK/ambiguous" || fail "ambiguous exec not refused"
"$TESTBED" down --run "$run1"
ip netns list >"$WORK/netns"
grep -q "tb-$run1" "$WORK/netns" && fail "down left handles of $run1"
grep -q "tb-$run2" "$WORK/netns" || fail "down removed the other topology"
# A state file that cannot be read is said, not skipped in silence: its
# handles still hold namespaces.
printf '{ not json' >"/run/testbed/$run2.json"
"$TESTBED" list >/dev/null 2>"$WORK/list"
grep -q "state file /run/testbed/$run2.json cannot be read" "$WORK/list" \
  || fail "list was silent about a corrupt state file: $(cat "$WORK/list")"
"$TESTBED" clean >"$WORK/clean"
grep -q "tb-$run2" "$WORK/clean" || fail "clean did not remove the leftovers"
assert_host_unchanged
echo "PASS"
