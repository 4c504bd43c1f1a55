#!/usr/bin/env bash
# Runs one topology file and requires it to pass and to leave the machine's
# own network namespace as it found it.
. "$(dirname "$0")/lib.sh"
require_root
file=$1
save_host
"$TESTBED" run "$file"
assert_host_unchanged
echo "PASS: $file"
