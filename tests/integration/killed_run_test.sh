#!/usr/bin/env bash
# A run killed with SIGKILL leaves nothing behind: its processes die with it
# (PR_SET_PDEATHSIG), its namespaces go with its descriptors. A run stopped
# with Ctrl-C (SIGINT) tears down cleanly and exits 130.
. "$(dirname "$0")/lib.sh"
require_root
marker="sleep 31$$"
cat >"$WORK/long.yaml" <<YAML
networks:
  lan: 10.0.0.0/24
hosts:
  a: { lan: auto }
  b: { lan: auto }
run:
  - start: long
    on: a
    cmd: [sh, -c, "$marker; true"]
  - start: longer
    on: b
    cmd: [sh, -c, "$marker; true"]
  - wait: [long, longer]
    timeout: 60s
YAML
save_host
for sig in KILL INT; do
  "$TESTBED" run --logs "$WORK" "$WORK/long.yaml" >"$WORK/out.$sig" 2>&1 &
  pid=$!
  wait_until 10 pgrep -f "$marker" >/dev/null || fail "the scenario's processes did not start"
  [ "$(pgrep -fc "$marker")" -ge 2 ] || wait_until 5 test "$(pgrep -fc "$marker")" -ge 2
  kill -s "$sig" "$pid"
  set +e; wait "$pid"; rc=$?; set -e
  cat "$WORK/out.$sig"
  if [ "$sig" = INT ]; then [ "$rc" -eq 130 ] || fail "SIGINT: expected exit 130, got $rc"; fi
  wait_until 10 no_process_matching "$marker" || fail "SIG$sig: started processes outlived the testbed"
  assert_host_unchanged
done
echo "PASS"
