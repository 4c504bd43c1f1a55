#!/usr/bin/env bash
# A scenario whose expectation does not hold exits 1 and says which, with the
# expected and the actual value; its logs are kept.
. "$(dirname "$0")/lib.sh"
require_root
cat >"$WORK/wrong.yaml" <<'YAML'
networks:
  lan: 10.0.0.0/24
hosts:
  a: { lan: auto }
  b: { lan: auto }
run:
  - start: say
    on: a
    cmd: [sh, -c, 'echo "{\"result\": \"relay\"}"; exit 3']
  - wait: say
    timeout: 5s
expect:
  say: { exit: 0, json: { result: direct } }
YAML
save_host
set +e
"$TESTBED" run --logs "$WORK" "$WORK/wrong.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 1 ] || fail "expected exit 1, got $rc"
grep -q 'FAIL  say exit: expected exit 0, got exit 3' "$WORK/out" || fail "exit mismatch not reported"
grep -q 'FAIL  say json.result: expected "direct", got "relay"' "$WORK/out" || fail "json mismatch not reported"
logdir=$(sed -n 's/^  logs: //p' "$WORK/out")
[ -s "$logdir/say.stdout" ] || fail "logs of a failed run were not kept"
assert_host_unchanged
echo "PASS"
