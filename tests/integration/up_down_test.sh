#!/usr/bin/env bash
# `up` keeps a topology with named handles; `exec` runs in a node; `down`
# removes it; `clean` removes what a crashed `up` left; two at once never
# collide; clean removes only what no live `up` owns (orphan handles, what
# a killed `up` left), never a healthy kept topology; a corrupt state file
# is reported.
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
trap 'for r in $run1 $run2; do "$TESTBED" down --run "$r" >/dev/null 2>&1 || true; done
      for h in tb-0rphan-x tb-dead01-h; do umount "/run/netns/$h" 2>/dev/null || true; rm -f "/run/netns/$h"; done
      rm -f /run/testbed/dead01.json; rm -rf "$WORK"' EXIT
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
# clean removes only what no live `up` owns: run2 is healthy and stays.
"$TESTBED" clean >"$WORK/clean"
grep -q "tb-$run2" "$WORK/clean" && fail "clean removed a healthy kept topology: $(cat "$WORK/clean")"
ip netns list >"$WORK/netns"
grep -q "tb-$run2-alice" "$WORK/netns" || fail "clean removed run2's handles"
# What an `up` killed half-way leaves: a handle no state file names, and a
# state file whose owner is gone. list and down see them; clean removes them.
# (made as the testbed names handles, a plain bind mount: `ip netns add`
# would turn /run/netns into a recursive bind of itself, doubling the
# mounts of handles that exist already)
persist() { touch "/run/netns/$1" && unshare --net="/run/netns/$1" true; }
persist tb-0rphan-x
broken=dead01
persist "tb-$broken-h"
sh -c 'exit 0' & dead=$!
wait "$dead"
printf '{"run_id":"%s","name":"broken","file":"x.yaml","nodes":{"h":"tb-%s-h"},"handles":["tb-%s-h","tb-%s-g"],"owner":{"pid":%d,"start":1},"complete":false}\n' \
  "$broken" "$broken" "$broken" "$broken" "$dead" >"/run/testbed/$broken.json"
"$TESTBED" list >"$WORK/list" 2>&1
grep -q "^$broken  broken .*(broken: its .up. was stopped half-way" "$WORK/list" || fail "list does not show the broken topology: $(cat "$WORK/list")"
grep -q "tb-0rphan-x" "$WORK/list" || fail "list does not show the orphan handle: $(cat "$WORK/list")"
"$TESTBED" clean >"$WORK/clean"
grep -q "removed /run/netns/tb-0rphan-x" "$WORK/clean" || fail "clean kept the orphan handle"
grep -q "removed /run/netns/tb-$broken-h" "$WORK/clean" || fail "clean kept the broken topology's handle"
grep -q "tb-$run2" "$WORK/clean" && fail "clean removed a healthy kept topology"
ip netns list >"$WORK/netns"
grep -q "tb-0rphan-x\|tb-$broken" "$WORK/netns" && fail "handles left after clean"
# A state file that cannot be read is said, not skipped in silence; its
# handles are then named by no state file, and clean removes them.
printf '{ not json' >"/run/testbed/$run2.json"
"$TESTBED" list >/dev/null 2>"$WORK/list"
grep -q "state file /run/testbed/$run2.json cannot be read" "$WORK/list" \
  || fail "list was silent about a corrupt state file: $(cat "$WORK/list")"
"$TESTBED" clean >"$WORK/clean"
grep -q "tb-$run2" "$WORK/clean" || fail "clean did not remove the handles of a corrupt state file"
rm -f "/run/testbed/$run2.json"
rmdir /run/testbed 2>/dev/null || true
assert_host_unchanged
echo "PASS"
