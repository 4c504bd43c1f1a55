#!/usr/bin/env bash
# `traffic:` tells direct from relay from none by the packets alone, and
# says so when a claim is wrong: the verdicts topology with every path
# turned into another fails on each check, naming what the packets showed
# (with counts), and the JSON report carries the same. The tags and the
# counters live in the run's namespaces only: the machine is unchanged.
. "$(dirname "$0")/lib.sh"
require_root
save_host
# Each check claims the wrong path: direct -> relay, relay -> none, none -> direct.
sed -e 's/^    via: direct$/    via: X-relay/' -e 's/^    via: relay$/    via: X-none/' \
  -e 's/^    via: none$/    via: X-direct/' -e 's/^    via: X-/    via: /' \
  "$TOPOLOGIES/traffic/verdicts.yaml" >"$WORK/wrong.yaml"
grep -q 'via: relay' "$WORK/wrong.yaml" || fail "the rewrite of the topology did nothing"
set +e
"$TESTBED" run --logs "$WORK" --json "$WORK/r.json" "$WORK/wrong.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 1 ] || fail "expected exit 1 for wrong traffic claims, got $rc"
expect_line() { grep -qE "$1" "$WORK/out" || fail "no line matching: $1"; }
expect_line 'FAIL  traffic alice ↔ bob: expected relay \(at least 3 packets each way\), got direct \(direct: [0-9]+ packets alice→bob, [0-9]+ bob→alice\)'
expect_line 'FAIL  traffic grace ↔ heidi: expected relay .*, got direct \(direct: [1-9][0-9]* packets grace→heidi'
expect_line 'FAIL  traffic carol ↔ dave: expected none, got relay via server \(direct: 0 packets carol→dave, 0 dave→carol; via server: ([3-9]|[1-9][0-9]+) carol→dave, ([3-9]|[1-9][0-9]+) dave→carol'
expect_line 'FAIL  traffic ivan ↔ judy: expected none, got relay via server'
expect_line 'FAIL  traffic erin ↔ frank: expected direct .*, got none \(direct: 0 packets erin→frank, 0 frank→erin\)'
# The peers' own claims still hold: only the traffic checks failed.
[ "$(grep -c '^  FAIL  traffic' "$WORK/out")" -eq 6 ] || fail "expected six failed traffic checks"
! grep -q '^  FAIL  [a-z]* \(exit\|json\)' "$WORK/out" || fail "a peer's own expectation failed"
grep -q '"process": "traffic"' "$WORK/r.json" || fail "the JSON report lacks the traffic checks"
grep -q '"actual": "relay via server (direct: 0 packets carol' "$WORK/r.json" ||
  fail "the JSON report lacks the relay verdict"
# A host's tag and counters live where its links end, out of its programs'
# reach; `rules` prints them for the host.
"$TESTBED" rules "$TOPOLOGIES/traffic/verdicts.yaml" alice >"$WORK/rules"
cat "$WORK/rules"
grep -q "# traffic: in network 'home-a', where a link of this host ends" "$WORK/rules" ||
  fail "alice's tables are not where her link ends"
grep -q 'ip dscp set 2' "$WORK/rules" || fail "alice's tag rule is missing"
grep -q 'counter name "to_2_from_4"' "$WORK/rules" || fail "alice does not count bob's packets"
assert_host_unchanged
echo PASS
