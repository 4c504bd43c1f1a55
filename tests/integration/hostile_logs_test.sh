#!/usr/bin/env bash
# A local user plants folders and links where run folders and reports go;
# the testbed (as root) never writes through them: each run folder is new
# (mkdtemp), every log is a new file, reports refuse links. A program that
# prints without end gets its log cut at the step's limit, and the testbed's
# memory stays bounded. Reports are 0600 unless --report-mode says otherwise.
. "$(dirname "$0")/lib.sh"
require_root
save_host
logs="$WORK/logs"
mkdir -p "$logs"
chmod 1777 "$logs"  # like /tmp
echo precious >"$WORK/victim"
chmod 600 "$WORK/victim"
# Folders named as a run folder would be, each with links named like the logs.
for i in $(seq 50); do
  d="$logs/testbed-noisy-$(printf '%06x' "$i")"
  mkdir -p "$d"
  for f in yes.stdout yes.stderr; do ln -sf "$WORK/victim" "$d/$f"; done
done
chown -R 65534:65534 "$logs"/testbed-noisy-*
cat >"$WORK/noisy.yaml" <<'YAML'
name: noisy
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
run:
  - start: yes
    on: a
    cmd: [sh, -c, 'echo "{\"result\": \"ok\"}"; exec yes']
    output-limit: 1MiB
  - sleep: 2s
expect:
  yes: { stdout: '^y$' }
YAML
"$TESTBED" validate "$WORK/noisy.yaml" >/dev/null
ln -s "$WORK/victim" "$WORK/report.xml"
# A report that cannot be written stops the run before anything is built.
set +e
"$TESTBED" run --logs "$logs" --junit "$WORK/report.xml" "$WORK/noisy.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 2 ] || fail "a report through a link: exit $rc, expected 2 before the run"
grep -q "cannot write the report: .*report.xml" "$WORK/out" || fail "the JUnit report went through a link silently"
! grep -q "^RUN" "$WORK/out" || fail "the run went ahead although its report cannot be written"
[ "$(cat "$WORK/victim")" = precious ] || fail "a planted link was written through"
set +e
/usr/bin/time -f '%M' -o "$WORK/rss" "$TESTBED" run --keep-logs --logs "$logs" \
  "$WORK/noisy.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 0 ] || fail "the run failed ($rc)"
[ "$(cat "$WORK/victim")" = precious ] || fail "a planted link was written through"
run_dir=$(sed -n 's/^  logs: //p' "$WORK/out")
[ -d "$run_dir" ] && [ ! -L "$run_dir" ] || fail "no run folder: $run_dir"
[ "$(stat -c %u "$run_dir")" -eq 0 ] || fail "the run folder is not the testbed's own"
[ "$(stat -c %a "$run_dir")" = 700 ] || fail "the run folder is not 0700"
[ "$(stat -c %a "$run_dir/yes.stdout")" = 600 ] || fail "the log is not 0600"
size=$(stat -c %s "$run_dir/yes.stdout")
[ "$size" -lt $((1024 * 1024 + 1024)) ] || fail "the log was not cut at 1 MiB: $size bytes"
grep -q "this log is cut at its limit of 1 MiB" "$run_dir/yes.stdout" || fail "the log does not say it was cut"
rss_kb=$(cat "$WORK/rss")
echo "testbed peak memory: $rss_kb KB"
[ "$rss_kb" -lt 200000 ] || fail "the testbed held $rss_kb KB for a program printing without end"
rm -rf "$run_dir"
# Reports embed logs: 0600 unless --report-mode asks otherwise (umask 022, like a login).
cat >"$WORK/tiny.yaml" <<'YAML'
name: tiny
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
YAML
(umask 022 && "$TESTBED" run --json "$WORK/private.json" "$WORK/tiny.yaml" >/dev/null)
(umask 022 && "$TESTBED" run --json "$WORK/shared.json" --report-mode 0644 "$WORK/tiny.yaml" >/dev/null)
[ "$(stat -c %a "$WORK/private.json")" = 600 ] || fail "a report is not 0600 by default"
[ "$(stat -c %a "$WORK/shared.json")" = 644 ] || fail "--report-mode 0644 was not applied"
if "$TESTBED" run --json "$WORK/x.json" --report-mode 4755 "$WORK/tiny.yaml" >/dev/null 2>&1; then
  fail "--report-mode 4755 (set-id, execute) was taken"
fi
[ ! -e "$WORK/x.json" ] || fail "a refused --report-mode still wrote a report"

# A report that cannot be written after the run (a full disk) is never exit
# 0: CI would read a pass from nothing. The full disk is a small tmpfs in a
# mount namespace of this test's own.
mkdir -p "$WORK/full"
set +e
unshare -m sh -c 'mount -t tmpfs -o size=64k tmpfs "$1/full" &&
  dd if=/dev/zero of="$1/full/filler" bs=4k 2>/dev/null; exec "$2" run --json "$1/full/r.json" "$1/tiny.yaml"' \
  sh "$WORK" "$TESTBED" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 3 ] || fail "a report that could not be written: exit $rc, expected 3"
grep -q "cannot write the report .*r.json" "$WORK/out" || fail "the unwritten report is not named"

# --logs in a folder another user could rename things in: the owner of the
# folder (or of one above it) could swap the run's folder for a link to a
# folder of theirs, whose scripts steps would then run as root. Refused
# before anything is made.
mkdir -p "$WORK/theirs" "$WORK/open" "$WORK/above/logs"
chown 65534:65534 "$WORK/theirs" "$WORK/above"
chmod 0755 "$WORK/theirs" "$WORK/above"
chmod 0777 "$WORK/open"
for root in "$WORK/theirs" "$WORK/open" "$WORK/above/logs" "$WORK/above/new"; do
  set +e
  "$TESTBED" run --logs "$root" "$WORK/tiny.yaml" >"$WORK/out" 2>&1
  rc=$?
  set -e
  cat "$WORK/out"
  [ "$rc" -eq 2 ] || fail "--logs $root: exit $rc, expected 2"
  grep -q "error: the log folder: .*\(belongs to uid 65534\|no sticky bit\)" "$WORK/out" \
    || fail "--logs $root: no reason given"
  [ -z "$(ls -A "$root" 2>/dev/null)" ] || fail "--logs $root: something was made there"
done
[ ! -e "$WORK/above/new" ] || fail "a log root was made below another user's folder"

# A program under test plants a FIFO, a link to /dev/zero and invalid UTF-8
# among its logs: the reports read only regular files, bounded, and the
# JUnit report still parses.
cat >"$WORK/planter.yaml" <<'YAML'
name: planter
networks: { lan: 10.0.0.0/24 }
hosts: { a: { lan: auto }, b: { lan: auto } }
run:
  - start: plant
    on: a
    cmd: [sh, -c, 'mkfifo "$TESTBED_RUN_DIR/../fifo.stdout"; ln -s /dev/zero "$TESTBED_RUN_DIR/../zero.stderr"; printf "bad \377\376 bytes \033[2J\n"; exit 1']
  - wait: plant
    timeout: 5s
expect:
  plant: { exit: 0 }
YAML
set +e
timeout 60 "$TESTBED" run --junit "$WORK/planted.xml" --report "$WORK/planted.html" \
  "$WORK/planter.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 1 ] || fail "the planted logs: exit $rc, expected 1 (the expectation fails), not a hang"
xmllint --noout "$WORK/planted.xml" || fail "the JUnit report does not parse"
grep -q "bad" "$WORK/planted.xml" || fail "the JUnit report lacks the program's log"
grep -q "fifo.stdout" "$WORK/planted.xml" || fail "the planted FIFO is not named in the report"
planted=$(sed -n 's/^  logs: //p' "$WORK/out")
[ -n "$planted" ] && rm -rf "$planted"

# graph --svg through a planted link: refused, the victim unchanged, and no
# .dot file beside it (the drawing is made in this process).
ln -s "$WORK/victim" "$WORK/drawing.svg"
set +e
"$TESTBED" graph --svg "$WORK/drawing.svg" "$WORK/tiny.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -ne 0 ] || fail "graph --svg wrote through a link"
[ "$(cat "$WORK/victim")" = precious ] || fail "graph --svg clobbered the link's target"
[ ! -e "$WORK/drawing.svg.dot" ] || fail "graph --svg left a .dot file"
"$TESTBED" graph --svg "$WORK/real.svg" "$WORK/tiny.yaml" >/dev/null
grep -q "<svg" "$WORK/real.svg" || fail "graph --svg drew nothing"
ls "$WORK"/*.dot 2>/dev/null && fail "graph --svg left a .dot file"

assert_host_unchanged
echo PASS
