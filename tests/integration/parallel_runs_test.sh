#!/usr/bin/env bash
# Several runs of the same topology at once never collide: each passes, and
# the machine's own namespace is as before.
. "$(dirname "$0")/lib.sh"
require_root
save_host
pids=()
for i in 1 2 3 4; do
  "$TESTBED" run "$TOPOLOGIES/quickstart.yaml" "$TOPOLOGIES/examples/nested-nat.yaml" >"$WORK/out.$i" 2>&1 &
  pids+=($!)
done
for i in 1 2 3 4; do
  wait "${pids[$((i - 1))]}" || { cat "$WORK/out.$i"; fail "parallel run $i failed"; }
done
assert_host_unchanged
echo "PASS"
