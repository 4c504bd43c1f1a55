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
set +e
/usr/bin/time -f '%M' -o "$WORK/rss" "$TESTBED" run --keep-logs --logs "$logs" --junit "$WORK/report.xml" \
  "$WORK/noisy.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
cat "$WORK/out"
[ "$rc" -eq 0 ] || fail "the run failed ($rc)"
[ "$(cat "$WORK/victim")" = precious ] || fail "a planted link was written through"
grep -q "cannot write the report: .*report.xml" "$WORK/out" || fail "the JUnit report went through a link silently"
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
assert_host_unchanged
echo PASS
