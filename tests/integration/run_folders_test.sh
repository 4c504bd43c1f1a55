#!/usr/bin/env bash
# Every scenario run has a folder of its own: two matrix cells of one file,
# run at once (-j 2), each write their files and state there and never see
# the other's; the folders go with the logs of passing runs.
. "$(dirname "$0")/lib.sh"
require_root
save_host
logs="$WORK/logs"
mkdir -p "$logs"
"$TESTBED" run -j 2 --keep-logs --logs "$logs" "$TOPOLOGIES/examples/files-and-run-dir.yaml" \
  >"$WORK/out" 2>&1 || { cat "$WORK/out"; fail "the run failed"; }
cat "$WORK/out"
mapfile -t dirs < <(sed -n 's/^  logs: //p' "$WORK/out")
[ "${#dirs[@]}" -eq 2 ] || fail "expected two run folders, got ${#dirs[@]}"
[ "${dirs[0]}" != "${dirs[1]}" ] || fail "two cells shared a folder"
seen=""
for d in "${dirs[@]}"; do
  state=$(cat "$d/run/state") || fail "no state in $d/run"
  grep -q "^flavour=$state\$" "$d/run/client.conf" || fail "$d: the state is not this cell's own"
  grep -q '^server=203\.0\.113\.1$' "$d/run/client.conf" || fail "$d: the address was not filled in"
  [ "$(stat -c %a "$d/run/bin/probe.sh")" = 755 ] || fail "$d: the script's mode was not applied"
  seen="$seen $state"
done
[ "$(echo "$seen" | tr ' ' '\n' | sort | xargs)" = "mint vanilla" ] || fail "cells: $seen"
# Without --keep-logs a passing run leaves nothing behind, its run folder
# included (in a logs folder of this test's own: topology/examples/files-and-run-dir
# may be making and removing the same names in /tmp at this moment).
mkdir "$WORK/logs2"
"$TESTBED" run --logs "$WORK/logs2" "$TOPOLOGIES/examples/files-and-run-dir.yaml" >/dev/null 2>&1 \
  || fail "second run failed"
[ -z "$(ls -A "$WORK/logs2")" ] || fail "a passing run left $(ls -A "$WORK/logs2") behind"
assert_host_unchanged
echo PASS
