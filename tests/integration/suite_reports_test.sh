#!/usr/bin/env bash
# Many scenarios in one run: a matrix with a cell that passes, one that
# fails and one that cannot run here (its program is not installed: SKIP,
# never PASS), run two at a time. Checks the exit code, the matrix table,
# the JUnit XML (against tests/integration/junit.xsd, with the failure's
# expectation and logs in it), the JSON, --filter, --shard and --repeat.
. "$(dirname "$0")/lib.sh"
require_root
command -v xmllint >/dev/null || skip "xmllint not installed (ci/install-deps.sh installs libxml2-utils)"
here=$(cd "$(dirname "$0")" && pwd)
cat >"$WORK/m.yaml" <<'YAML'
name: m
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
matrix:
  say: [direct, relay]
  tool: [sh, no-such-program-here]
  want: { rows: say, columns: tool, values: [[direct, direct], [direct, direct]] }
run:
  - start: p
    on: a
    cmd: ["${tool}", -c, 'echo "{\"result\": \"${say}\"}"']
  - wait: p
    timeout: 5s
expect:
  p: { exit: 0, json: { result: "${want}" } }
YAML
save_host
set +e
"$TESTBED" run -j 2 --logs "$WORK" --junit "$WORK/r.xml" --json "$WORK/r.json" "$WORK/m.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 1 ] || fail "expected exit 1 (one cell fails), got $rc"
grep -q '1 passed, 1 failed, 2 skipped' "$WORK/out" || fail "summary line missing"
grep -q "SKIP m\[direct,no-such-program-here\]: program 'no-such-program-here' (step 'p') is not installed" "$WORK/out" \
  || fail "the skip reason is not printed"
grep -Eq '^  direct +direct ok +direct skip +1/1 100%' "$WORK/out" || fail "matrix table row 'direct' wrong"
grep -Eq '^  relay +direct FAIL +direct skip +0/1 0%' "$WORK/out" || fail "matrix table row 'relay' wrong"
xmllint --noout --schema "$here/junit.xsd" "$WORK/r.xml" || fail "JUnit XML does not validate"
grep -q 'tests="4" failures="1" errors="0" skipped="2"' "$WORK/r.xml" || fail "JUnit counts wrong"
grep -q 'p json.result: expected &quot;direct&quot;, got &quot;relay&quot;' "$WORK/r.xml" || fail "JUnit failure lacks the expectation"
grep -q '==&gt; p.stdout &lt;==' "$WORK/r.xml" || fail "JUnit failure lacks the logs"
grep -q '"skipped": 2' "$WORK/r.json" || fail "JSON summary wrong"

# --filter and --shard select; --repeat reports a pass rate.
"$TESTBED" run --filter 'direct,sh' --repeat 3 "$WORK/m.yaml" >"$WORK/out2" 2>&1 || fail "filtered run failed: $(cat "$WORK/out2")"
grep -q '100.0%  m\[direct,sh\]' "$WORK/out2" || fail "pass rate not reported: $(cat "$WORK/out2")"
[ "$(grep -c '^PASS m\[direct,sh\]' "$WORK/out2")" -eq 3 ] || fail "--repeat 3 did not run it three times"
set +e
"$TESTBED" run --shard 2/4 "$WORK/m.yaml" >"$WORK/out3" 2>&1
rc=$?
set -e
[ "$rc" -eq 4 ] || fail "the shard holding only a SKIP should exit 4 (nothing failed, something skipped), got $rc"
grep -q 'SKIP m\[direct,no-such-program-here\]' "$WORK/out3" || fail "--shard 2/4 picked the wrong scenario: $(cat "$WORK/out3")"
assert_host_unchanged
echo "PASS"
