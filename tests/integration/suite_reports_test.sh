#!/usr/bin/env bash
# Many scenarios in one run: a matrix with a cell that passes, one that
# fails and one that cannot run here (its program is not installed: SKIP,
# never PASS), run two at a time. Checks the exit code, the matrix table,
# the JUnit XML (against tests/integration/junit.xsd, with the failure's
# expectation and logs in it), the JSON, the HTML report (the matrix grid
# coloured by verdict, the logs of every run, which are removed afterwards
# but for the failing run's), --filter, --shard and --repeat.
. "$(dirname "$0")/lib.sh"
require_root
command -v xmllint >/dev/null || skip "xmllint not installed (ci/install-deps.sh installs libxml2-utils)"
here=$(cd "$(dirname "$0")" && pwd)
cp "$here/report-matrix.yaml" "$WORK/m.yaml"
save_host
set +e
"$TESTBED" run -j 2 --logs "$WORK" --junit "$WORK/r.xml" --json "$WORK/r.json" --report "$WORK/r.html" "$WORK/m.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 1 ] || fail "expected exit 1 (one cell fails), got $rc"
grep -q '1 passed, 1 failed, 2 skipped' "$WORK/out" || fail "summary line missing"
grep -q "SKIP m\[direct,no-such-program-here\]: program 'no-such-program-here' (step 'p') is not installed" "$WORK/out" \
  || fail "the skip reason is not printed"
grep -Eq '^  direct +direct ok +direct skip +1/1 100%' "$WORK/out" || fail "matrix table row 'direct' wrong"
# A failing cell shows what came (relay) where a reader looks, then what was expected.
grep -Eq '^  relay +relay FAIL \(expected direct\) +direct skip +0/1 0%' "$WORK/out" || fail "matrix table row 'relay' wrong"
xmllint --noout --schema "$here/junit.xsd" "$WORK/r.xml" || fail "JUnit XML does not validate"
grep -q 'tests="4" failures="1" errors="0" skipped="2"' "$WORK/r.xml" || fail "JUnit counts wrong"
grep -q 'p json.result: expected &quot;direct&quot;, got &quot;relay&quot;' "$WORK/r.xml" || fail "JUnit failure lacks the expectation"
grep -q '==&gt; p.stdout &lt;==' "$WORK/r.xml" || fail "JUnit failure lacks the logs"
grep -q '"skipped": 2' "$WORK/r.json" || fail "JSON summary wrong"
xmllint --html --noout "$WORK/r.html" 2>"$WORK/html.err" || fail "the HTML report does not parse: $(cat "$WORK/html.err")"
grep -q '<h1>testbed: 4 scenarios, 1 passed, 1 failed, 2 skipped</h1>' "$WORK/r.html" || fail "HTML headline wrong"
grep -q '<table class=grid><tr><th>say \\ tool</th><th>sh</th><th>no-such-program-here</th>' "$WORK/r.html" \
  || fail "HTML matrix grid header wrong"
grep -q '<tr><th>relay</th><td class=fail><a href="#[^"]*">relay<br><small>fail (expected direct)</small>' "$WORK/r.html" \
  || fail "HTML grid: the failing cell is not coloured as failed or does not say what came"
grep -q '<td class=skip>' "$WORK/r.html" || fail "HTML grid: the skipped cells are not shown as skipped"
[ "$(grep -c '<summary>p.stdout</summary>' "$WORK/r.html")" -eq 2 ] || fail "HTML lacks the logs of both runs"
grep -q '<pre class=diagram>A matrix for the report tests' "$WORK/r.html" || fail "HTML lacks the topology's diagram"
[ "$(find "$WORK" -maxdepth 1 -name 'testbed-m*' | wc -l)" -eq 1 ] \
  || fail "after the HTML report only the failing run's logs should stay: $(ls "$WORK")"

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
# On a terminal (script(1), util-linux, fakes one): a status line redrawn in
# place, no RUN lines; elsewhere plain lines.
script -qec "'$TESTBED' run --filter 'direct,sh' '$WORK/m.yaml'" /dev/null >"$WORK/tty" 2>&1 \
  || fail "run on a terminal failed: $(cat "$WORK/tty")"
grep -q $'\r\033\[K\[0/1\] 0 passed, 0 failed, 0 skipped, [0-9.]* s | running: m\[direct,sh\]' "$WORK/tty" \
  || fail "no live status line on a terminal: $(od -c "$WORK/tty" | head -20)"
grep -q '^RUN ' "$WORK/tty" && fail "RUN lines on a terminal (the status line says it)"
grep -q '^RUN  m\[direct,sh\]' "$WORK/out2" || fail "no RUN line when not a terminal"
assert_host_unchanged
echo "PASS"
