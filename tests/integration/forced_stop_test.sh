#!/usr/bin/env bash
# A second Ctrl-C forces the stop at once: the testbed exits 130 without
# waiting for the programs' graceful stop, and still leaves nothing behind.
. "$(dirname "$0")/lib.sh"
require_root
marker="sleep 32$$"
cat >"$WORK/stubborn.yaml" <<YAML
networks:
  lan: 10.0.0.0/24
hosts:
  a: { lan: auto }
  b: { lan: auto }
run:
  - start: stubborn
    on: a
    cmd: [sh, -c, "trap '' TERM; $marker"]
  - wait: stubborn
    timeout: 60s
YAML
save_host
# One attempt: start, first Ctrl-C, second Ctrl-C. Returns 2 when the
# testbed was already gone before the second one could be sent (it tore
# down before; the forced stop cannot be seen then, so it is tried again).
attempt() {
  "$TESTBED" run --logs "$WORK" "$WORK/stubborn.yaml" >"$WORK/out" 2>&1 &
  pid=$!
  wait_until 10 pgrep -f "$marker" >/dev/null || fail "the scenario's process did not start"
  kill -INT "$pid"
  # Signals of one kind do not queue: the second Ctrl-C must come after the
  # first was taken, as a person's would.
  wait_until 10 grep -q "stopping, tearing down" "$WORK/out" || fail "the first Ctrl-C was not taken"
  if ! kill -INT "$pid" 2>/dev/null; then
    wait "$pid" || true
    echo "note: the testbed finished tearing down before the second Ctrl-C; trying again"
    return 2
  fi
  set +e; wait "$pid"; rc=$?; set -e
  cat "$WORK/out"
  [ "$rc" -eq 130 ] || fail "expected exit 130, got $rc"
  grep -q "forced stop" "$WORK/out" || fail "no forced stop reported"
  wait_until 10 no_process_matching "$marker" || fail "the program outlived a forced stop"
}
tried=0
until attempt; do
  tried=$((tried + 1))
  [ "$tried" -lt 3 ] || fail "the second Ctrl-C never found the testbed running"
  wait_until 10 no_process_matching "$marker" || fail "the program outlived the teardown"
done
assert_host_unchanged
echo "PASS"
