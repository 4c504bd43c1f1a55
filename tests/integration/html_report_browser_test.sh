#!/usr/bin/env bash
# The HTML report in a real browser: headless Chromium loads the page from a
# file (no network), its DOM holds the matrix grid with a passing, a
# failing and a skipped cell, and it renders to a screenshot (kept next to the page when
# TESTBED_ARTIFACTS names a folder, for a look by eye).
. "$(dirname "$0")/lib.sh"
require_root
browser=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
[ -n "$browser" ] || skip "no Chromium (ci/install-deps.sh --test-tools installs Debian's chromium)"
cp "$(dirname "$0")/report-matrix.yaml" "$WORK/m.yaml"
set +e
"$TESTBED" run -j 2 --logs "$WORK" --report "$WORK/report.html" "$WORK/m.yaml" >"$WORK/out" 2>&1
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "expected exit 1 (one cell fails), got $rc: $(cat "$WORK/out")"

chrome() {
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$WORK/profile" --window-size=1200,900 "$@" "file://$WORK/report.html"
}
chrome --dump-dom >"$WORK/dom" 2>"$WORK/chrome.err" || fail "Chromium could not load the report: $(tail -5 "$WORK/chrome.err")"
grep -q '<table class="grid">' "$WORK/dom" || fail "the rendered page has no matrix grid"
grep -q '<td class="pass"><a href="#s-m-direct-sh-">' "$WORK/dom" || fail "the passing cell is missing: $(cat "$WORK/dom")"
grep -q '<td class="fail"><a href="#s-m-relay-sh-">' "$WORK/dom" || fail "the failing cell is missing"
grep -q '<td class="skip"><a href="#s-m-relay-no-such-program-here-">' "$WORK/dom" || fail "the skipped cell is missing"
chrome --screenshot="$WORK/report.png" >/dev/null 2>>"$WORK/chrome.err" || fail "no screenshot: $(tail -5 "$WORK/chrome.err")"
[ "$(head -c 8 "$WORK/report.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "the screenshot is not a PNG"
[ "$(stat -c %s "$WORK/report.png")" -gt 10000 ] || fail "the screenshot is nearly empty"
if [ -n "${TESTBED_ARTIFACTS:-}" ]; then
  mkdir -p "$TESTBED_ARTIFACTS"
  cp "$WORK/report.html" "$WORK/report.png" "$TESTBED_ARTIFACTS/"
fi
echo "PASS"
