#!/usr/bin/env bash
# Runs one topology file (every cell of a matrix, two at a time) and requires
# it to pass and to leave the machine's own network namespace as it found it.
# A file whose scenarios cannot run here (a kernel feature or a program is
# missing: testbed exits 4) is a SKIP, with the testbed's reasons above.
. "$(dirname "$0")/lib.sh"
require_root
file=$1
save_host
set +e
"$TESTBED" run -j "${TESTBED_JOBS:-2}" "$file"
rc=$?
set -e
assert_host_unchanged
[ "$rc" -ne 4 ] || skip "scenarios of $file cannot run on this machine (reasons above)"
[ "$rc" -eq 0 ] || fail "$file: testbed run exited $rc"
echo "PASS: $file"
