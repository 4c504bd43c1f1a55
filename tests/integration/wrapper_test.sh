#!/usr/bin/env bash
# The ./testbed wrapper: once built, a call leaves nothing behind in the
# temp folder and costs milliseconds (it checks a stamp in the build folder
# instead of the packages and the build); a source newer than the stamp
# sends it through the build again.
. "$(dirname "$0")/lib.sh"
require_root  # the first call may run the install script, which needs root to install
wrapper=$(cd "$TOPOLOGIES/.." && pwd)/testbed
build=$(dirname "$(dirname "$TESTBED")")
private_tmp="$WORK/tmp"
mkdir -p "$private_tmp"
call() { TMPDIR="$private_tmp" TESTBED_BUILD_DIR="$build" "$wrapper" "$@"; }

call --help >/dev/null || fail "the wrapper failed"
[ -f "$build/.testbed-built-programs" ] || fail "no stamp in the build folder after a good build"
best=999999
for _ in 1 2 3 4 5; do
  t0=$(date +%s%N)
  call --help >/dev/null
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  [ "$ms" -lt "$best" ] && best=$ms
done
echo "fastest call: $best ms"
[ "$best" -lt 200 ] || fail "a call of the built wrapper took $best ms (a stamp check should take a few)"
[ -z "$(ls -A "$private_tmp")" ] || fail "the wrapper left files in TMPDIR: $(ls -A "$private_tmp")"
# A change to a source is seen: the stamps are older than it. A command
# other than `test` builds the testbed and its programs only, and says so.
touch -d '2000-01-01' "$build"/.testbed-built-*
call --help >/dev/null 2>"$WORK/err" || fail "the wrapper failed after a source change"
cat "$WORK/err"
[ "$build/.testbed-built-programs" -nt "$TOPOLOGIES/../CMakeLists.txt" ] || fail "the stamp was not renewed"
grep -q "^testbed: building (.*, the testbed and its programs)" "$WORK/err" ||
  fail "the build did not say what it builds"
grep -q "^testbed: built in [0-9]* s" "$WORK/err" || fail "the build did not say when it ended"
[ -z "$(ls -A "$private_tmp")" ] || fail "the wrapper's build left files in TMPDIR: $(ls -A "$private_tmp")"
echo PASS
