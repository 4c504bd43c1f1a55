#!/usr/bin/env bash
# A bad file gets an error naming file:line:column, exit 2, and changes
# nothing: not even the good file listed before it runs.
. "$(dirname "$0")/lib.sh"
require_root
cat >"$WORK/bad.yaml" <<'YAML'
networks:
  internet: 203.0.113.0/24
hosts:
  a: { internet: 203.0.114.1 }
YAML
save_host
set +e
"$TESTBED" run "$TOPOLOGIES/quickstart.yaml" "$WORK/bad.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 2 ] || fail "expected exit 2, got $rc"
grep -q "bad.yaml:4:18: error: host 'a': address 203.0.114.1 is outside network 'internet'" "$WORK/out" \
  || fail "the error does not name file:line:column"
grep -q "^RUN" "$WORK/out" && fail "a scenario ran although a file was bad"
assert_host_unchanged
echo "PASS"
